// kill -9 the proxy while it writes diffs under load. The diff store must survive: the file opens,
// PRAGMA integrity_check is ok, every comparison and sample committed before the kill is still there,
// and a restarted proxy keeps writing to the same file.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startBehavingUpstream, until, type TestUpstream } from './fixtures.ts';

const CHILD = fileURLToPath(new URL('./child/proxy-with-store.ts', import.meta.url));
const CLIENTS = 16;
/** comparisons committed before the kill; the load keeps going while they are counted */
const BEFORE_KILL = 300;

interface Counts {
  compared: number;
  fingerprintCount: number;
  sampleIds: Set<string>;
}

function read(path: string, readonly = true): Counts & { integrity: string } {
  const db = new Database(path, { readonly, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    const compared = (db.prepare('SELECT COALESCE(SUM(compared), 0) AS n FROM routes').get() as { n: number }).n;
    const fingerprintCount = (db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM fingerprints').get() as { n: number }).n;
    const sampleIds = new Set((db.prepare('SELECT request_id FROM samples').all() as { request_id: string }[]).map((r) => r.request_id));
    const integrity = readonly ? 'not checked' : String(db.pragma('integrity_check', { simple: true }));
    return { compared, fingerprintCount, sampleIds, integrity };
  } finally {
    db.close();
  }
}

describe('kill -9 while writing diffs', () => {
  let dir: string;
  let store: string;
  let configFile: string;
  let monolith: TestUpstream;
  let candidate: TestUpstream;
  const children: ChildProcess[] = [];

  async function startChild(): Promise<{ child: ChildProcess; url: string }> {
    const child = fork(CHILD, [configFile], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { url: string }).url));
      child.once('exit', (code) => reject(new Error(`proxy child exited with ${code} before listening`)));
    });
    return { child, url };
  }

  /** Clients sending requests as fast as the proxy answers, until stopped; connection errors are expected after the kill. */
  function load(url: string): { stop(): Promise<number> } {
    let stopped = false;
    let sent = 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const one = (i: number) =>
      new Promise<void>((resolve) => {
        const req = http.get(`${url}/books/${i % 50}`, { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
          res.on('error', () => resolve());
        });
        req.on('error', () => resolve());
      });
    const loops = Array.from({ length: CLIENTS }, async (_, k) => {
      for (let i = k; !stopped; i += CLIENTS) {
        sent++;
        await one(i);
      }
    });
    return {
      async stop() {
        stopped = true;
        agent.destroy();
        await Promise.all(loops);
        return sent;
      },
    };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-kill9-'));
    store = join(dir, 'diffs.sqlite');
    configFile = join(dir, 'strangler.config.json');
    monolith = await startBehavingUpstream('monolith');
    candidate = await startBehavingUpstream('candidate');
    // every answer differs ("from"), so every comparison writes counters, a fingerprint and (capped) samples
    writeFileSync(
      configFile,
      JSON.stringify({
        version: 1,
        legacy: { url: monolith.url },
        services: { catalog: { url: candidate.url } },
        defaults: { noise: { learn: true, sample: 0.2 } },
        routes: [{ id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' }],
        store: { path: store, samplesPerFingerprint: 1000 },
        admin: { token: 'unused' },
      }),
    );
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all([monolith?.close(), candidate?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the store survives, keeps what was committed, and takes new writes after a restart', async () => {
    const first = await startChild();
    const traffic = load(first.url);
    await until(() => existsSync(store) && read(store).compared >= BEFORE_KILL, `${BEFORE_KILL} comparisons committed`, 20_000);

    const committed = read(store); // a separate connection: only what the proxy committed is visible
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    assert.equal(first.child.signalCode, 'SIGKILL');
    await traffic.stop();

    const after = read(store, false);
    assert.equal(after.integrity, 'ok');
    assert.ok(after.compared >= committed.compared, `compared ${after.compared} < ${committed.compared} committed before the kill`);
    assert.ok(after.fingerprintCount >= committed.fingerprintCount);
    for (const id of committed.sampleIds) assert.ok(after.sampleIds.has(id), `sample ${id} written before the kill is gone`);
    assert.ok(committed.sampleIds.size > 0, 'samples were written before the kill');

    // restart on the same file: it opens, and new comparisons land on top of the old ones
    const second = await startChild();
    const more = load(second.url);
    await until(() => read(store).compared >= after.compared + 50, 'new comparisons after the restart', 20_000);
    await more.stop();
    const exited2 = new Promise((r) => second.child.once('exit', r));
    second.child.kill('SIGTERM');
    assert.equal(await exited2, 0, 'the restarted proxy shuts down cleanly');
    const final = read(store, false);
    assert.equal(final.integrity, 'ok');
    for (const id of committed.sampleIds) assert.ok(final.sampleIds.has(id));
  });
});

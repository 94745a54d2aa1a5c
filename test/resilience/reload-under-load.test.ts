// The config reloaded 100 times (file re-read through reload() and POST /api/reload, every tenth version
// invalid) while clients keep sending requests: not one request fails, the counters survive every swap,
// and the last valid config is the one serving.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningProxy } from '../../proxy/server.ts';
import { DEFAULT_ROUTE_ID } from '../../proxy/table.ts';
import { config, startBehavingUpstream, startQuietProxy, TOKEN, type TestUpstream } from './fixtures.ts';

const RELOADS = 100;
const CLIENTS = 8;
const MODES = ['legacy', 'shadow', 'canary', 'migrated'] as const;

describe('config reloaded 100 times under load', () => {
  let dir: string;
  let file: string;
  let monolith: TestUpstream;
  let candidate: TestUpstream;
  let proxy: RunningProxy;

  /** version n of the config: every route's mode, percent and timeout move on each version */
  function version(n: number): object {
    return {
      version: 1,
      legacy: { url: monolith.url },
      services: { catalog: { url: candidate.url } },
      defaults: { noise: { learn: false }, shadow: { timeoutMs: 1000 + n } },
      routes: ['a', 'b', 'c', 'd'].map((name, i) => {
        const mode = MODES[(n + i) % MODES.length];
        return { id: `route.${name}`, method: 'GET', path: `/${name}/:id`, service: 'catalog', mode, canary: { percent: (n * 7) % 101 }, fallback: n % 2 === 0, timeoutMs: 5000 + n };
      }),
    };
  }
  function write(n: number, content: object | string): void {
    // written whole and renamed, as a deploy tool does, so a reader never sees half a file
    const tmp = `${file}.${n}.tmp`;
    writeFileSync(tmp, typeof content === 'string' ? content : JSON.stringify(content));
    renameSync(tmp, file);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-reload-'));
    file = join(dir, 'strangler.config.json');
    monolith = await startBehavingUpstream('monolith');
    candidate = await startBehavingUpstream('candidate');
    write(0, version(0));
    proxy = await startQuietProxy(config(version(0) as never), { configPath: file, watch: false });
  });
  after(async () => {
    await proxy?.close();
    await Promise.all([monolith?.close(), candidate?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('no failed request, counters kept, last valid config serving', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const failures: string[] = [];
    let sent = 0;
    let stop = false;
    const client = async (k: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const path = `/${'abcde'[(i + k) % 5]}/${i}`; // "e" matches no route: the default route
        sent++;
        try {
          const res = await fetchVia(agent, `${proxy.url}${path}`);
          if (res.status !== 200 || !/^(monolith|candidate)$/.test(String(res.body.from))) failures.push(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
        } catch (err) {
          failures.push(`${path}: ${(err as Error).message}`);
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, k) => client(k));

    let refused = 0;
    for (let n = 1; n <= RELOADS; n++) {
      const invalid = n % 10 === 0;
      write(n, invalid ? { ...version(n), routes: [{ id: 'x', method: 'GET', path: '/x', service: 'nope', mode: 'sideways' }] } : version(n));
      // half through the library call, half through the admin API, as an operator would
      if (n % 2 === 0) {
        const res = await fetch(`${proxy.adminUrl}/api/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
        if (invalid) {
          assert.equal(res.status, 400);
          assert.match(((await res.json()) as { error: string }).error, /unknown service "nope"/);
          refused++;
        } else assert.equal(res.status, 200, await res.text());
      } else {
        await proxy.reload();
      }
      await new Promise((r) => setImmediate(r)); // let requests interleave with the next swap
    }
    stop = true;
    await Promise.all(clients);
    agent.destroy();

    assert.deepEqual(failures, []);
    assert.equal(refused, RELOADS / 10, 'every invalid version was refused');
    assert.ok(sent > RELOADS, `only ${sent} requests were sent during the reloads`);
    // counters live outside the swapped tables: every request is counted exactly once
    const counted = proxy.stats().reduce((n, s) => n + s.requests, 0) + defaultRequests(proxy);
    assert.equal(counted, sent);
    // the last version (100) was invalid: version 99 is the one serving
    const expected = version(RELOADS - 1) as { routes: { id: string; mode: string }[] };
    assert.deepEqual(
      proxy.config().routes.map((r) => [r.id, r.mode]),
      expected.routes.map((r) => [r.id, r.mode]),
    );
  });
});

function defaultRequests(proxy: RunningProxy): number {
  return proxy.snapshot().find((s) => s.routeId === DEFAULT_ROUTE_ID)?.requests ?? 0;
}

function fetchVia(agent: http.Agent, url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> });
          } catch (err) {
            reject(err as Error);
          }
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

// `strangler demo --serve` as a user runs it (npm start): it keeps serving after the summary, and Ctrl-C
// (SIGINT) stops everything cleanly — exit 0, ports closed, databases closed, no child processes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'demo-serve-token';

describe('strangler demo --serve', () => {
  let dir: string;
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-demo-serve-'));
    child = spawn(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'demo', '--serve', '--random-ports', '--requests', '60', '--out', dir], {
      cwd: ROOT,
      env: { ...process.env, STRANGLER_ADMIN_TOKEN: TOKEN, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    // up and serving once the summary is printed
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (stdout.includes('serving until Ctrl-C')) resolve();
      };
      child.stdout!.on('data', check);
      child.once('exit', (code) => reject(new Error(`demo exited early (${code}): ${stderr}`)));
    });
  });

  after(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const urlOf = (label: string): string => {
    const m = new RegExp(`^${label} +(http://127\\.0\\.0\\.1:\\d+)`, 'm').exec(stdout);
    assert.ok(m, `${label} URL in the summary:\n${stdout}`);
    return m[1];
  };

  test('keeps serving after the summary: proxy, live report and admin API answer', async () => {
    const proxy = urlOf('proxy');
    const admin = urlOf('dashboard');
    assert.doesNotMatch(stdout, /stopped with the demo/);
    const book = await fetch(`${proxy}/books/1`);
    assert.equal(book.status, 200);
    assert.equal(((await book.json()) as { id: number }).id, 1);
    const report = await fetch(`${admin}/report`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(report.status, 200);
    assert.match(await report.text(), /<html/);
    assert.match(stdout, new RegExp(`token ${TOKEN}`), 'the token from STRANGLER_ADMIN_TOKEN is printed');
  });

  test('everything runs in the one process: no child processes to orphan', () => {
    let children = '';
    try {
      children = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' });
    } catch {
      children = ''; // pgrep exits 1 when nothing matches
    }
    assert.equal(children.trim(), '');
  });

  test('Ctrl-C stops it: exit 0, ports closed, databases closed', async () => {
    const proxy = urlOf('proxy');
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, null, stderr);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /stopped; databases closed/);
    await assert.rejects(fetch(`${proxy}/books/1`));
    for (const f of ['diffs.sqlite', 'data/monolith.sqlite', 'data/catalog.sqlite']) {
      assert.ok(existsSync(join(dir, f)), f);
      assert.ok(!existsSync(join(dir, `${f}-wal`)), `${f} closed cleanly`);
    }
  });
});

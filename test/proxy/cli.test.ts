import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { json, request, startUpstream, until, type Upstream } from './helpers.ts';

describe('strangler proxy (CLI, one process)', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let dir: string;
  let child: ChildProcess;
  let out = '';
  let proxyUrl = '';
  let adminUrl = '';
  const token = 'cli-test-token';

  before(async () => {
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    dir = mkdtempSync(join(tmpdir(), 'strangler-cli-'));
    const configPath = join(dir, 'strangler.config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        version: 1,
        listen: { host: '127.0.0.1', port: 0 },
        legacy: { url: monolith.url },
        services: { catalog: { url: candidate.url, owner: 'team-catalog' } },
        routes: [{ id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' }],
        store: { path: join(dir, 'diffs.sqlite') },
        admin: { host: '127.0.0.1', port: 0, token: 'env:STRANGLER_TEST_CLI_TOKEN' },
      }),
    );
    child = spawn(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'proxy', '--config', configPath], {
      env: { ...process.env, NODE_ENV: 'test', STRANGLER_TEST_CLI_TOKEN: token },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /strangler proxy on (\S+) \(admin (\S+)\)/.test(out), 'proxy announced', 30_000);
    [, proxyUrl, adminUrl] = /strangler proxy on (\S+) \(admin (\S+)\)/.exec(out)!;
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await monolith.close();
    await candidate.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves, compares shadow pairs into the diff store, and shows them in the admin report', async () => {
    for (let i = 0; i < 5; i++) assert.equal(json((await request(proxyUrl, { path: `/books/${i}` })).body).from, 'monolith');
    await until(() => candidate.seen.length === 5, 'five shadow copies');
    const report = await supertest(adminUrl).get('/report').set('Authorization', `Bearer ${token}`).expect(200);
    assert.match(report.text, /catalog\.getBook/);
    assert.ok(existsSync(join(dir, 'diffs.sqlite')));
  });

  test('SIGTERM closes proxy and store cleanly (exit 0)', async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { json, request, startProxyCli, startUpstream, until, type ProxyCli, type Upstream } from './helpers.ts';
import { SERVING_V8_FLAGS } from '../../proxy/runtime.ts';

/** One shadowed route in front of the two upstreams; the admin token comes from STRANGLER_TEST_CLI_TOKEN. */
function cliConfig(dir: string, monolith: Upstream, candidate: Upstream): object {
  return {
    version: 1,
    listen: { host: '127.0.0.1', port: 0 },
    legacy: { url: monolith.url },
    services: { catalog: { url: candidate.url, owner: 'team-catalog' } },
    routes: [{ id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' }],
    store: { path: join(dir, 'diffs.sqlite') },
    admin: { host: '127.0.0.1', port: 0, token: 'env:STRANGLER_TEST_CLI_TOKEN' },
  };
}

describe('strangler proxy (CLI, one process)', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let dir: string;
  let cli: ProxyCli;
  let proxyUrl = '';
  let adminUrl = '';
  const token = 'cli-test-token';

  before(async () => {
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    dir = mkdtempSync(join(tmpdir(), 'strangler-cli-'));
    cli = await startProxyCli(dir, cliConfig(dir, monolith, candidate), { args: ['--record', join(dir, 'traffic.ndjson')], env: { STRANGLER_TEST_CLI_TOKEN: token } });
    ({ proxyUrl, adminUrl } = cli);
  });
  after(async () => {
    await cli.stop();
    await monolith.close();
    await candidate.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves, compares shadow pairs into the diff store, and shows them in the admin report', async () => {
    for (let i = 0; i < 5; i++) assert.equal(json((await request(proxyUrl, { path: `/books/${i}` })).body).from, 'monolith');
    await until(() => candidate.seen.length === 5, 'five shadow copies');
    // the pairs are compared and stored after the candidate has answered, off the request path: poll the report
    let report = '';
    await until(async () => {
      report = (await supertest(adminUrl).get('/report').set('Authorization', `Bearer ${token}`).expect(200)).text;
      return /\b5 requests compared/.test(report);
    }, 'the five compared pairs in the admin report');
    assert.match(report, /catalog\.getBook/);
    assert.ok(existsSync(join(dir, 'diffs.sqlite')));
  });

  test('the process knows it runs with V8 tuned for serving (memory reducer off), and logs it at info', () => {
    const out = cli.out;
    const line = out.split('\n').find((l) => l.includes('V8 tuned for serving'));
    assert.ok(line, `a startup log line names the V8 flags (stdout: ${out.slice(0, 500)})`);
    const entry = JSON.parse(line) as { v8Flags: string[]; level: number };
    assert.deepEqual(entry.v8Flags, SERVING_V8_FLAGS);
    assert.equal(entry.level, 30);
    assert.ok(!out.includes('node was started without'), 'no warning when the flags are on the command line');
  });

  test('SIGTERM closes proxy and store cleanly (exit 0)', async () => {
    // one more request with secrets in a header and in the JSON body, recorded with --record
    const login = JSON.stringify({ email: 'a@example.com', password: 'hunter2-secret' });
    await request(proxyUrl, { method: 'POST', path: '/login?next=%2F', headers: { 'content-type': 'application/json', authorization: 'Bearer tok-secret' }, body: login });
    assert.equal(await cli.stop(), 0);
  });

  test('--record wrote every request in the replay format, secrets redacted', () => {
    const text = readFileSync(join(dir, 'traffic.ndjson'), 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { method: string; path: string; headers?: Record<string, string>; body?: string });
    assert.deepEqual(lines.map((l) => `${l.method} ${l.path}`), [...[0, 1, 2, 3, 4].map((i) => `GET /books/${i}`), 'POST /login?next=%2F']);
    const post = lines[5];
    assert.equal(post.headers?.authorization, '[redacted]');
    assert.deepEqual(JSON.parse(post.body!), { email: 'a@example.com', password: '[redacted]' });
    assert.equal(text.includes('hunter2-secret') || text.includes('tok-secret'), false, 'no secret bytes in the file');
  });
});

describe('strangler proxy (CLI) with shadowThread: copies, comparison and store in a worker thread', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let dir: string;
  let cli: ProxyCli;
  const token = 'cli-thread-token';

  before(async () => {
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    dir = mkdtempSync(join(tmpdir(), 'strangler-cli-thread-'));
    cli = await startProxyCli(dir, { ...cliConfig(dir, monolith, candidate), shadowThread: true, defaults: { guard: { maxP99Ms: 2000 } } }, { env: { STRANGLER_TEST_CLI_TOKEN: token } });
  });
  after(async () => {
    await cli.stop();
    await monolith.close();
    await candidate.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves, the thread compares and stores, the admin report reads it, SIGTERM exits 0', async () => {
    const { proxyUrl, adminUrl } = cli;
    assert.match(cli.out, /diffs to \S+ \(shadow thread\), canary guard on 1 route \(with p99 limits\)\n/, 'the start line says where the diffs are made, and that the guard is on');
    for (let i = 0; i < 5; i++) assert.equal(json((await request(proxyUrl, { path: `/books/${i}` })).body).from, 'monolith');
    let report = '';
    await until(async () => {
      report = (await supertest(adminUrl).get('/report').set('Authorization', `Bearer ${token}`).expect(200)).text;
      return /\b5 requests compared/.test(report);
    }, 'the five compared pairs in the admin report');
    // the proxy's own counters include what the thread counted
    await until(async () => {
      const { routes } = (await supertest(adminUrl).get('/api/routes').set('Authorization', `Bearer ${token}`).expect(200)).body as { routes: { id: string; stats: { shadowed: number } }[] };
      return routes.find((r) => r.id === 'catalog.getBook')?.stats.shadowed === 5;
    }, 'shadowed: 5 in the admin API');
    assert.equal(await cli.stop(), 0);
  });
});

describe('strangler proxy (CLI) with shadowThread "slow": a slow candidate\'s copies go through a shadow thread', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let dir: string;
  let cli: ProxyCli;
  const token = 'cli-split-token';

  before(async () => {
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    const answer = candidate.handler;
    candidate.handler = (req, res, body) => void setTimeout(() => answer(req, res, body), 80);
    dir = mkdtempSync(join(tmpdir(), 'strangler-cli-split-'));
    cli = await startProxyCli(dir, { ...cliConfig(dir, monolith, candidate), shadowThread: 'slow' }, { env: { STRANGLER_TEST_CLI_TOKEN: token } });
  });
  after(async () => {
    await cli.stop();
    await monolith.close();
    await candidate.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('copies start on the request thread; once the limit is lowered the thread starts and takes them; all are compared', async () => {
    const { proxyUrl, adminUrl } = cli;
    assert.match(cli.out, /diffs to \S+diffs\.sqlite\n/, 'no shadow thread named at start: none runs yet');
    let sent = 0;
    const round = async () => {
      const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => request(proxyUrl, { path: `/books/${i}` })));
      for (const r of rs) assert.equal(json(r.body).from, 'monolith');
      sent += 8;
    };
    // rounds of eight, each copy 80 ms late: after a second the limit is lowered and the thread starts
    await until(async () => {
      await round();
      return /shadow thread started/.test(cli.out);
    }, 'the shadow thread started', 20_000);
    assert.match(cli.out, /copies in flight limited to/);
    assert.match(cli.out, /shadow thread started/);
    for (let i = 0; i < 3; i++) await round();
    const routes = async () => ((await supertest(adminUrl).get('/api/routes').set('Authorization', `Bearer ${token}`).expect(200)).body as { routes: { id: string; stats: { shadowed: number; dropped: number } }[] }).routes;
    // every request was either copied or dropped at the lowered limit; the copies were compared on either side
    await until(async () => {
      const s = (await routes()).find((r) => r.id === 'catalog.getBook')!.stats;
      return s.shadowed + s.dropped === sent;
    }, 'every request copied or dropped', 10_000);
    const { shadowed } = (await routes()).find((r) => r.id === 'catalog.getBook')!.stats;
    const view = (await routes()).find((r) => r.id === 'catalog.getBook') as unknown as { copyLimit?: { limit: number; cap: number; thread?: boolean } };
    assert.equal(view.copyLimit?.thread, true, 'the admin API says the route\'s copies go through the thread');
    await until(async () => {
      const report = JSON.parse((await supertest(adminUrl).get('/report?format=json').set('Authorization', `Bearer ${token}`).expect(200)).text) as { totals: { compared: number } };
      return report.totals.compared === shadowed;
    }, `${shadowed} pairs compared in the store`, 10_000);
    assert.equal(await cli.stop(), 0);
    assert.doesNotMatch(cli.out, /"level":50/, 'no error logged');
  });
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { parseConfig } from '../../proxy/config.ts';
import { startProxy } from '../../proxy/server.ts';
import { UserError } from '../../common/user-error.ts';
import { ADMIN_TOKEN, captureLogger, json, request, startTestProxy, startUpstream, testConfig, type Harness, type Upstream } from './helpers.ts';

const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };

describe('admin API: route ids in URLs', () => {
  test('every id the config takes is one route at /api/routes/<encodeURIComponent(id)>, as the dashboard asks for it', async () => {
    // characters a URL gives meaning to: each is percent-encoded; dots are not, which is why "." and ".." are refused
    const ids = ['a/b', 'a?b', 'a#b', 'a%b', '100%', '%2e', '...', '.a', 'a.', 'x y', '+', ';x', 'a\\b', 'ü😀'];
    const raw = { version: 1, legacy: { url: 'http://127.0.0.1:9' }, services: { c: { url: 'http://127.0.0.1:9' } }, routes: ids.map((id, i) => ({ id, method: 'GET', path: `/r${i}`, service: 'c' })) };
    const h = await startTestProxy(parseConfig(raw), { watch: false });
    try {
      for (const id of ids) {
        const url = `${h.proxy.adminUrl}/api/routes/${encodeURIComponent(id)}`;
        const got = await fetch(url, { headers: auth });
        assert.equal(got.status, 200, id);
        assert.equal(((await got.json()) as { id: string }).id, id);
        const patched = await fetch(url, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: '{"mode":"shadow"}' });
        assert.equal(patched.status, 200, id);
        assert.equal(((await patched.json()) as { id: string; mode: string }).mode, 'shadow');
      }
    } finally {
      await h.proxy.close();
    }
  });
});

describe('admin API', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let dir: string;
  let configPath: string;
  let h: Harness;
  const rawConfig = (legacy: string, service: string) => ({
    version: 1,
    legacy: { url: legacy },
    services: { catalog: { url: service, owner: 'team-catalog' } },
    defaults: { noise: { learn: false } },
    routes: [
      { id: 'book', method: 'GET', path: '/books/:id', service: 'catalog' },
      { id: 'review', method: 'GET', path: '/reviews/:id', service: 'catalog', mode: 'shadow' },
    ],
  });

  before(async () => {
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    dir = mkdtempSync(join(tmpdir(), 'strangler-admin-'));
    configPath = join(dir, 'strangler.config.json');
    writeFileSync(configPath, JSON.stringify(rawConfig(monolith.url, candidate.url)));
    h = await startTestProxy(parseConfig(rawConfig(monolith.url, candidate.url)), {
      configPath,
      adminRoutes: (router) => router.get('/report', (_req, res) => void res.type('html').send('<h1>report</h1>')),
    });
  });
  after(async () => {
    await h.proxy.close();
    await monolith.close();
    await candidate.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/healthz needs no token; everything else answers 401 without the right one', async () => {
    const admin = supertest(h.proxy.adminUrl);
    await admin.get('/healthz').expect(200, { ok: true });
    for (const path of ['/api/routes', '/metrics', '/api/audit', '/report']) {
      await admin.get(path).expect(401);
      await admin.get(path).set('Authorization', 'Bearer wrong').expect(401);
    }
    await admin.patch('/api/routes/book').send({ mode: 'migrated' }).expect(401);
    await admin.post('/api/reload').expect(401);
  });

  test('extra admin routes are mounted behind the same auth', async () => {
    const r = await supertest(h.proxy.adminUrl).get('/report').set(auth).expect(200);
    assert.equal(r.text, '<h1>report</h1>');
  });

  test('GET /api/routes lists config and live counters', async () => {
    await request(h.proxy.url, { path: '/reviews/1' });
    await h.waitPairs(1);
    const r = await supertest(h.proxy.adminUrl).get('/api/routes').set(auth).expect(200);
    const review = r.body.routes.find((x: { id: string }) => x.id === 'review');
    assert.equal(review.mode, 'shadow');
    assert.equal(review.owner, 'team-catalog');
    assert.equal(review.stats.requests, 1);
    assert.equal(review.stats.shadowed, 1);
    assert.equal(review.stats.latency.monolith.count, 1);
    for (const k of ['dropped', 'skippedUnsafe', 'fallbacks', 'candidateErrors']) assert.equal(review.stats[k], 0);
    assert.ok(r.body.default);
  });

  test('PATCH changes the mode at once, and refuses bad input', async () => {
    const admin = supertest(h.proxy.adminUrl);
    assert.equal(json((await request(h.proxy.url, { path: '/books/1' })).body).from, 'monolith');
    const r = await admin.patch('/api/routes/book').set(auth).send({ mode: 'migrated' }).expect(200);
    assert.equal(r.body.mode, 'migrated');
    assert.equal(json((await request(h.proxy.url, { path: '/books/1' })).body).from, 'candidate');
    await admin.patch('/api/routes/book').set(auth).send({ mode: 'sideways' }).expect(400, { error: 'mode: expected one of legacy|shadow|canary|migrated' });
    await admin.patch('/api/routes/book').set(auth).send({ mode: 'canary' }).expect(400);
    await admin.patch('/api/routes/book').set(auth).send({ mode: 'canary', percent: 101 }).expect(400);
    await admin.patch('/api/routes/nope').set(auth).send({ mode: 'shadow' }).expect(404);
    await admin.patch('/api/routes/book').set(auth).set('content-type', 'application/json').send('{bad').expect(400);
    const c = await admin.patch('/api/routes/review').set(auth).send({ mode: 'canary', percent: 25 }).expect(200);
    assert.deepEqual(c.body.canary, { stickyBy: 'ip', percent: 25 });
  });

  test('mode changes are audited and persisted next to the config', async () => {
    const r = await supertest(h.proxy.adminUrl).get('/api/audit').set(auth).expect(200);
    const entry = r.body.entries.find((e: { routeId: string }) => e.routeId === 'book');
    assert.equal(entry.who, 'admin');
    assert.deepEqual(entry.from, { mode: 'legacy' });
    assert.deepEqual(entry.to, { mode: 'migrated' });
    assert.ok(!Number.isNaN(Date.parse(entry.at)));
    const state = JSON.parse(readFileSync(`${configPath}.state.json`, 'utf8'));
    assert.equal(state.overrides.book.to.mode, 'migrated');
  });

  test('a restart keeps the modes changed through the API', async () => {
    const again = await startProxy(parseConfig(rawConfig(monolith.url, candidate.url)), { configPath, port: 0, adminPort: 0, adminToken: ADMIN_TOKEN });
    try {
      assert.equal(again.config().routes.find((r) => r.id === 'book')?.mode, 'migrated');
      assert.equal(json((await request(again.url, { path: '/books/2' })).body).from, 'candidate');
      const audit = await supertest(again.adminUrl).get('/api/audit').set(auth).expect(200);
      assert.ok(audit.body.entries.length >= 2);
    } finally {
      await again.close();
    }
  });

  test('/metrics is Prometheus text with per-route counters', async () => {
    const r = await supertest(h.proxy.adminUrl).get('/metrics').set(auth).expect(200);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    const lines = r.text.split('\n').filter((l) => l !== '');
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? -?[0-9.e+-]+|NaN$/;
    for (const line of lines) {
      if (line.startsWith('#')) assert.match(line, /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      else assert.match(line, sample, line);
    }
    assert.match(r.text, /# TYPE strangler_requests_total counter/);
    assert.match(r.text, /strangler_requests_total\{route="review",service="catalog"\} [1-9]/);
    assert.match(r.text, /strangler_route_mode\{route="book",mode="migrated"\} 1/);
    assert.match(r.text, /strangler_latency_ms\{route="review",side="monolith",quantile="0.99"\} [0-9.]+/);
  });
});

describe('admin API security', () => {
  const base = testConfig('http://127.0.0.1:9', 'http://127.0.0.1:9');

  test('no token configured: refuses to start, naming the variable to set', async () => {
    delete process.env.STRANGLER_TEST_NO_SUCH_TOKEN;
    const config = { ...base, admin: { ...base.admin, token: 'env:STRANGLER_TEST_NO_SUCH_TOKEN' } };
    await assert.rejects(
      startProxy(config, { port: 0, adminPort: 0 }),
      (e: unknown) => e instanceof UserError && e.message.includes('STRANGLER_TEST_NO_SUCH_TOKEN') && e.message.includes('--admin-insecure-local'),
    );
  });

  test('--admin-insecure-local: no auth, loopback only', async () => {
    const config = { ...base, admin: { host: '0.0.0.0', port: 0, token: 'env:STRANGLER_TEST_NO_SUCH_TOKEN' } };
    const p = await startProxy(config, { port: 0, adminPort: 0, adminInsecureLocal: true });
    try {
      assert.match(p.adminUrl, /^http:\/\/127\.0\.0\.1:/);
      await supertest(p.adminUrl).get('/api/routes').expect(200);
    } finally {
      await p.close();
    }
  });

  test('--admin-insecure-local with a token set changes nothing: the token is still asked for, and --help says so', async () => {
    process.env.STRANGLER_TEST_SET_TOKEN = 'set-secret';
    const config = { ...base, admin: { host: '127.0.0.1', port: 0, token: 'env:STRANGLER_TEST_SET_TOKEN' } };
    const p = await startProxy(config, { port: 0, adminPort: 0, adminInsecureLocal: true });
    try {
      await supertest(p.adminUrl).get('/api/routes').expect(401);
      await supertest(p.adminUrl).get('/api/routes').set('Authorization', 'Bearer set-secret').expect(200);
    } finally {
      await p.close();
      delete process.env.STRANGLER_TEST_SET_TOKEN;
    }
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'proxy', '--help'], { encoding: 'utf8', timeout: 30_000 }).stdout.replace(/\s+/g, ' ');
    assert.match(help, /--admin-insecure-local when no admin token is set, run the admin API without one, on 127\.0\.0\.1 only/);
  });

  test('named tokens from the environment: the audit says who', async () => {
    process.env.STRANGLER_TEST_OPS_TOKEN = 'ops-secret';
    const config = { ...base, routes: [{ id: 'r', method: 'GET' as const, path: '/r', service: 'catalog' }], admin: { host: '127.0.0.1', port: 0, token: { ops: 'env:STRANGLER_TEST_OPS_TOKEN', ci: 'literal-ci-token' } } };
    const p = await startProxy(config, { port: 0, adminPort: 0 });
    try {
      const admin = supertest(p.adminUrl);
      await admin.patch('/api/routes/r').set('Authorization', 'Bearer ops-secret').send({ mode: 'shadow' }).expect(200);
      await admin.patch('/api/routes/r').set('Authorization', 'Bearer literal-ci-token').send({ mode: 'legacy' }).expect(200);
      const audit = await admin.get('/api/audit').set('Authorization', 'Bearer ops-secret').expect(200);
      assert.deepEqual(audit.body.entries.map((e: { who: string }) => e.who), ['ops', 'ci']);
      const cfg = await admin.get('/api/config').set('Authorization', 'Bearer ops-secret').expect(200);
      assert.doesNotMatch(JSON.stringify(cfg.body), /ops-secret|literal-ci-token/);
    } finally {
      await p.close();
      delete process.env.STRANGLER_TEST_OPS_TOKEN;
    }
  });

  test('a named token whose variable is unset: the proxy starts with the others and warns, naming it and the variable, never a token', async () => {
    process.env.STRANGLER_TEST_OPS_TOKEN = 'ops-secret';
    delete process.env.STRANGLER_TEST_CI_TOKEN;
    const log = captureLogger();
    const config = { ...base, admin: { host: '127.0.0.1', port: 0, token: { ops: 'env:STRANGLER_TEST_OPS_TOKEN', ci: 'env:STRANGLER_TEST_CI_TOKEN', bot: 'literal-bot-token' } } };
    const p = await startProxy(config, { port: 0, adminPort: 0, logger: log.logger });
    try {
      await supertest(p.adminUrl).get('/api/routes').set('Authorization', 'Bearer ops-secret').expect(200);
      await supertest(p.adminUrl).get('/api/routes').set('Authorization', 'Bearer literal-bot-token').expect(200);
      const warnings = log.lines.filter((l) => l.level === 40 && String(l.msg).includes('admin token'));
      assert.deepEqual(warnings.map((l) => [l.token, l.variable]), [['ci', 'STRANGLER_TEST_CI_TOKEN']]);
      assert.match(String(warnings[0].msg), /"ci".*STRANGLER_TEST_CI_TOKEN/);
      assert.doesNotMatch(JSON.stringify(log.lines), /ops-secret|literal-bot-token/);
    } finally {
      await p.close();
      delete process.env.STRANGLER_TEST_OPS_TOKEN;
    }
  });

  test('named tokens all found: no warning', async () => {
    process.env.STRANGLER_TEST_OPS_TOKEN = 'ops-secret';
    const log = captureLogger();
    const config = { ...base, admin: { host: '127.0.0.1', port: 0, token: { ops: 'env:STRANGLER_TEST_OPS_TOKEN', bot: 'literal-bot-token' } } };
    try {
      await (await startProxy(config, { port: 0, adminPort: 0, logger: log.logger })).close();
    } finally {
      delete process.env.STRANGLER_TEST_OPS_TOKEN;
    }
    assert.deepEqual(log.lines.filter((l) => l.level === 40), []);
  });
});

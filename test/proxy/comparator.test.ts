import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import express from 'express';
import supertest from 'supertest';
import { createComparator, createDiffPipeline, diffAdminRoutes, type ProxyRouteCounters } from '../../proxy/comparator.ts';
import { openStore, type DiffStore } from '../../proxy/store.ts';
import { queryReport } from '../../proxy/report/index.ts';
import { createProxyLogger } from '../../proxy/request-log.ts';
import type { Pair } from '../../proxy/types.ts';
import { REPORT_CSP } from '../../proxy/report/html.ts';
import { ADMIN_TOKEN, captureLogger, request, startTestProxy, startUpstream, testConfig, until, type Harness, type Upstream } from './helpers.ts';
import { configErrors, type ProxyConfigInput } from '../../proxy/config.ts';
import { response } from './store-fixtures.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'strangler-comparator-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function pair(monolith: unknown, candidate: unknown, extra: Partial<Pair> = {}): Pair {
  seq++;
  return {
    routeId: 'catalog.getBook',
    service: 'catalog',
    request: { id: `r${seq}`, method: 'GET', path: `/books/${seq}`, query: '', headers: {}, receivedAt: 1_700_000_000_000 + seq },
    monolith: response(monolith),
    candidate: candidate === undefined ? undefined : response(candidate),
    ...extra,
  };
}

const info = { service: 'catalog', owner: 'team-catalog', mode: 'shadow' };

describe('comparator', () => {
  let store: DiffStore;
  before(() => {
    store = openStore(join(dir, 'cmp.sqlite'));
  });
  after(() => store.close());

  test('onPair defers the work; diffs, fingerprints and noise land in the store', async () => {
    const cmp = createComparator({ store, rulesFor: () => ({ ignore: ['$.requestId'] }), routeInfo: () => info });
    cmp.onPair(pair({ id: 1, price: 10, servedAt: 'a', requestId: 'x' }, { id: 1, price: 10, servedAt: 'b', requestId: 'y' }, { monolithAgain: response({ id: 1, price: 10, servedAt: 'c', requestId: 'z' }) }));
    cmp.onPair(pair({ items: [{ price: 1 }, { price: 2 }] }, { items: [{ price: 1 }, { price: 3 }] }));
    cmp.onPair(pair({ items: [{ price: 5 }, { price: 2 }] }, { items: [{ price: 6 }, { price: 2 }] }));
    cmp.onPair(pair({ id: 2 }, undefined, { candidateError: 'timeout' }));
    assert.equal(cmp.stats().queued, 4);
    assert.equal(store.stats().enqueued, 0, 'nothing was compared on the caller');
    await cmp.close();

    const [route] = store.readRoutes();
    assert.equal(route.owner, 'team-catalog');
    assert.equal(route.compared, 3);
    assert.equal(route.errors.timeout, 1);
    assert.equal(route.noiseSampled, 1);
    const fields = store.readFields('catalog.getBook').map((f) => [f.path, f.kind, f.raw, f.noise]);
    assert.deepEqual(fields, [
      ['$.items[*].price', 'changed', 2, 0],
      ['$.servedAt', 'changed', 1, 1],
    ]);
    const groups = store.readGroups('catalog.getBook');
    assert.equal(groups.length, 2);
    assert.equal(groups[0].count, 2, 'different indices fold into one group');
    assert.equal(groups[0].fingerprint.length, 16);
    cmp.onPair(pair({}, {}));
    assert.equal(cmp.stats().dropped, 1, 'pairs after close are dropped, not thrown');
  });

  test('onPair never throws, a bad pair is skipped and the rest are compared', async () => {
    const s = openStore(join(dir, 'bad.sqlite'));
    const cmp = createComparator({ store: s, rulesFor: () => ({}), routeInfo: () => info });
    assert.doesNotThrow(() => cmp.onPair(null as unknown as Pair));
    assert.doesNotThrow(() => cmp.onPair({ routeId: 'x' } as unknown as Pair));
    cmp.onPair(pair({ a: 1 }, { a: 1 }));
    await cmp.close();
    assert.equal(cmp.stats().failed, 2);
    assert.equal(s.readRoutes().find((r) => r.routeId === 'catalog.getBook')?.matchedRaw, 1);
    s.close();
  });

  test('a full queue drops and counts; batches yield to the event loop', async () => {
    const s = openStore(join(dir, 'full.sqlite'));
    const cmp = createComparator({ store: s, rulesFor: () => ({}), routeInfo: () => info, maxQueue: 100, batchSize: 10 });
    for (let i = 0; i < 150; i++) cmp.onPair(pair({ a: i }, { a: i }));
    assert.equal(cmp.stats().dropped, 50);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(cmp.stats().compared, 10, 'one batch per turn');
    await cmp.close();
    assert.equal(s.readRoutes()[0].compared, 100);
    s.close();
  });

  test('a turn also ends after batchMs of comparing (large answers must not hold the event loop)', async () => {
    const s = openStore(join(dir, 'batchms.sqlite'));
    const cmp = createComparator({ store: s, rulesFor: () => ({}), routeInfo: () => info, batchSize: 64, batchMs: 0 });
    for (let i = 0; i < 5; i++) cmp.onPair(pair({ a: i }, { a: i + 1 }));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(cmp.stats().compared, 1, 'batchMs 0: one pair per turn, never zero');
    await cmp.close();
    assert.equal(cmp.stats().compared, 5);
    s.close();
  });

  test('the queue is bounded by body bytes too: large answers are dropped and counted, not held', async () => {
    const s = openStore(join(dir, 'bytes.sqlite'));
    const cmp = createComparator({ store: s, rulesFor: () => ({}), routeInfo: () => info, maxQueueBytes: 50_000 });
    const big = { text: 'x'.repeat(10_000) }; // ~10 KB per side, ~20 KB per pair
    for (let i = 0; i < 5; i++) cmp.onPair(pair(big, big));
    assert.equal(cmp.stats().queued, 2);
    assert.equal(cmp.stats().dropped, 3);
    assert.ok(cmp.stats().queuedBytes > 40_000 && cmp.stats().queuedBytes <= 50_000);
    await cmp.close();
    assert.equal(cmp.stats().queuedBytes, 0, 'compared pairs release their bytes');
    assert.equal(s.readRoutes()[0].compared, 2);
    s.close();
  });

  test('route metadata follows mode changes; proxy counters are copied on close', async () => {
    const s = openStore(join(dir, 'meta.sqlite'));
    let mode = 'shadow';
    const counters: ProxyRouteCounters[] = [
      { routeId: 'catalog.getBook', dropped: 9, skippedUnsafe: 4, fallbacks: 0 },
      { routeId: 'legacy.untouched', dropped: 0, skippedUnsafe: 0, fallbacks: 0 },
      { routeId: 'catalog.dropsOnly', dropped: 3, skippedUnsafe: 0, fallbacks: 0 },
    ];
    const cmp = createComparator({ store: s, rulesFor: () => ({}), routeInfo: () => ({ ...info, mode }), proxyStats: () => counters });
    cmp.onPair(pair({ a: 1 }, { a: 1 }));
    await new Promise<void>((resolve) => setImmediate(resolve));
    mode = 'canary';
    cmp.onPair(pair({ a: 1 }, { a: 1 }));
    await cmp.close();
    const routes = s.readRoutes();
    assert.deepEqual(routes.map((r) => r.routeId), ['catalog.dropsOnly', 'catalog.getBook'], 'a route with nothing to report is left out');
    const [dropsOnly, route] = routes;
    assert.equal(route.mode, 'canary');
    assert.deepEqual(route.counters, { dropped: 9, skippedUnsafe: 4, fallbacks: 0 });
    assert.equal(dropsOnly.owner, 'team-catalog', 'a route known only from proxy counters still gets its owner');
    s.close();
  });

  test('syncRoutes writes the live mode of a route that is no longer compared', async () => {
    const s = openStore(join(dir, 'sync.sqlite'));
    let mode = 'shadow';
    const cmp = createComparator({ store: s, rulesFor: () => ({}), routeInfo: () => ({ ...info, mode }) });
    cmp.onPair(pair({ a: 1 }, { a: 1 }));
    await new Promise<void>((resolve) => setImmediate(resolve));
    mode = 'migrated'; // no more pairs for a migrated route
    assert.equal(s.readRoutes()[0].mode, 'shadow');
    cmp.syncRoutes();
    assert.equal(s.readRoutes()[0].mode, 'migrated');
    await cmp.close();
    s.close();
  });
});

describe('diff pipeline logging', () => {
  test('the pipeline logs through children of the logger it is given: the comparator\'s warning, tagged by component', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createProxyLogger({ write: (s: string) => void lines.push(...s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)) });
    const config = testConfig('http://127.0.0.1:9', 'http://127.0.0.1:9', { store: { path: join(dir, 'logged', 'diffs.sqlite') } });
    const pipeline = createDiffPipeline(() => config, { logger });
    pipeline.comparator.onPair({ routeId: 'x' } as unknown as Pair); // no monolith answer: compared later, fails, logged
    await pipeline.close();
    const warn = lines.find((l) => l.msg === 'pair could not be compared; skipped');
    assert.ok(warn, `the comparator's warning reached the given logger (got ${JSON.stringify(lines)})`);
    assert.equal(warn.component, 'comparator');
    assert.equal(warn.name, 'proxy', "it is a child of the proxy's logger, not a logger of its own");
    assert.equal(warn.route, 'x');
  });
});

describe('diff pipeline reload', () => {
  test('a reload that adds a redaction rule applies to the next stored sample; the earlier one stays as stored', async () => {
    const file = join(dir, 'reload-redact', 'diffs.sqlite');
    let config = testConfig('http://127.0.0.1:9', 'http://127.0.0.1:9', { store: { path: file }, redact: { headers: [], fields: [] } });
    const pipeline = createDiffPipeline(() => config);
    pipeline.comparator.onPair(pair({ apiKey: 'KEY-ONE', price: 1 }, { apiKey: 'KEY-ONE', price: 2 }));
    await tick(); // compared on its own turn, with the rules in force then
    config = testConfig('http://127.0.0.1:9', 'http://127.0.0.1:9', { store: { path: file }, redact: { headers: [], fields: ['$..apiKey'] } });
    pipeline.comparator.onPair(pair({ apiKey: 'KEY-TWO', price: 1 }, { apiKey: 'KEY-TWO', price: 2 }));
    await pipeline.close();

    const store = openStore(file, { readonly: true });
    const [group] = store.readGroups('catalog.getBook');
    const bodies = store.readSamples('catalog.getBook', group.fingerprint).map((s) => s.monolith.body).sort();
    store.close();
    assert.deepEqual(bodies, ['{"apiKey":"KEY-ONE","price":1}', '{"apiKey":"[redacted]","price":1}']);
  });
});

describe('bodies nested too deep to redact', () => {
  test('a pair of 50,000-level JSON bodies is compared, counted and sampled; the stored sample says what the bodies were, never what they held', async () => {
    const s = openStore(join(dir, 'deep.sqlite'), { redact: { headers: [], fields: ['$..password'] } });
    const cmp = createComparator({ store: s, rulesFor: () => ({}), routeInfo: () => info });
    const deep = (n: number, leaf: string): string => '['.repeat(n) + JSON.stringify({ password: leaf }) + ']'.repeat(n);
    const m = response(deep(50_000, 'hunter2'));
    const c = response(deep(50_000, 'hunter3'));
    cmp.onPair(pair({}, {}, { monolith: m, candidate: c, request: { id: 'deep', method: 'POST', path: '/books', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from(deep(50_000, 'swordfish')), receivedAt: 1_700_000_000_000 } }));
    await cmp.close();
    assert.equal(cmp.stats().failed, 0);
    assert.equal(cmp.stats().compared, 1);
    const route = s.readRoutes().find((r) => r.routeId === 'catalog.getBook');
    assert.equal(route?.compared, 1);
    const [group] = s.readGroups('catalog.getBook');
    assert.equal(group.count, 1);
    const [sample] = s.readSamples('catalog.getBook', group.fingerprint);
    assert.equal(sample.monolith.body, `[JSON body nested deeper than 1000 levels, not stored: ${m.size} bytes, sha256 ${m.hash}]`);
    assert.equal(sample.candidate.body, `[JSON body nested deeper than 1000 levels, not stored: ${c.size} bytes, sha256 ${c.hash}]`);
    assert.match(sample.requestBody, /^\[JSON body nested deeper than 1000 levels, not stored: \d+ bytes, sha256 [0-9a-f]{64}\]$/);
    assert.deepEqual(sample.entries, [{ path: '$', kind: 'hash', monolith: { hash: m.hash, size: m.size }, candidate: { hash: c.hash, size: c.size } }]);
    s.close();
  });
});

describe("the live report's readiness bar", () => {
  test("comes from the config's report section, read at each request (a reload changes it at once)", async () => {
    const file = join(dir, 'report-bar', 'diffs.sqlite');
    let config = testConfig('http://127.0.0.1:9', 'http://127.0.0.1:9', { store: { path: file }, report: { minSamples: 2 } });
    const pipeline = createDiffPipeline(() => config);
    for (let i = 0; i < 2; i++) pipeline.comparator.onPair(pair({ price: 1 }, { price: 1 }));
    const app = express();
    const router = express.Router();
    pipeline.adminRoutes(router);
    app.use(router);
    try {
      await until(async () => pipeline.store.readRoutes()[0]?.compared === 2, 'both pairs compared');
      const verdict = async () => {
        const { totals } = (await supertest(app).get('/report?format=json&samples=0').expect(200)).body as { totals: Record<string, number> };
        return [totals.ready, totals.notEnoughData];
      };
      assert.deepEqual(await verdict(), [1, 0]);
      config = testConfig('http://127.0.0.1:9', 'http://127.0.0.1:9', { store: { path: file }, report: { minSamples: 10 } });
      assert.deepEqual(await verdict(), [0, 1]);
      // no section: the defaults (500 compared)
      config = testConfig('http://127.0.0.1:9', 'http://127.0.0.1:9', { store: { path: file } });
      assert.deepEqual(await verdict(), [0, 1]);
    } finally {
      await pipeline.close();
    }
    assert.deepEqual(
      configErrors({ version: 1, legacy: { url: 'http://x' }, services: {}, report: { maxP99Ratio: 0.5, typo: 1 } } as unknown as ProxyConfigInput),
      ['report.maxP99Ratio: expected a ratio of at least 1 (the candidate p99 over the monolith p99)', 'report: Unrecognized key: "typo"'],
    );
  });
});

describe('diff admin routes', () => {
  let store: DiffStore;
  let app: express.Express;
  before(async () => {
    store = openStore(join(dir, 'admin.sqlite'));
    const cmp = createComparator({ store, rulesFor: () => ({}), routeInfo: () => info });
    for (let i = 0; i < 3; i++) cmp.onPair(pair({ price: 1, title: 'a' }, { price: 2, title: '<b>bold</b>' }));
    await cmp.close();
    app = express();
    const router = express.Router();
    diffAdminRoutes(store, { minSamples: 1 })(router);
    app.use(router);
  });
  after(() => store.close());

  test('GET /report serves the live HTML report with a strict CSP', async () => {
    const res = await supertest(app).get('/report').expect(200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.equal(res.headers['content-security-policy'], REPORT_CSP);
    assert.match(res.text, /catalog\.getBook/);
    assert.equal(res.text.includes('<b>bold</b>'), false);
    const junit = await supertest(app).get('/report?format=junit').expect(200);
    assert.match(junit.text, /<testcase classname="team-catalog\.catalog" name="catalog\.getBook">/);
    await supertest(app).get('/report?format=pdf').expect(400);
  });

  test('GET /report?format=json&samples=0 leaves the sample bodies out (what the dashboard polls)', async () => {
    const full = await supertest(app).get('/report?format=json').expect(200);
    const light = await supertest(app).get('/report?format=json&samples=0').expect(200);
    const samplesOf = (body: string): number => (body.match(/"requestId"/g) ?? []).length;
    assert.ok(samplesOf(full.text) > 0, 'the full report carries samples');
    assert.equal(samplesOf(light.text), 0);
    assert.match(light.text, /catalog\.getBook/);
  });

  test('GET /api/diffs lists groups, and with a fingerprint its samples', async () => {
    const list = await supertest(app).get('/api/diffs?route=catalog.getBook').expect(200);
    assert.equal(list.body.groups.length, 1);
    const fp = list.body.groups[0].fingerprint as string;
    assert.equal(list.body.groups[0].count, 3);
    const one = await supertest(app).get(`/api/diffs?route=catalog.getBook&fingerprint=${fp}&limit=2`).expect(200);
    assert.equal(one.body.samples.length, 2);
    assert.deepEqual(one.body.samples[0].entries.map((e: { path: string }) => e.path).sort(), ['$.price', '$.title']);
    await supertest(app).get('/api/diffs?route=catalog.getBook&fingerprint=nope').expect(404);
    await supertest(app).get(`/api/diffs?fingerprint=${fp}`).expect(400);
  });
});

describe('diff pipeline behind the real proxy', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let h: Harness;
  let pipeline: ReturnType<typeof createDiffPipeline>;
  let served = 0;
  const log = captureLogger('info');

  before(async () => {
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    monolith.handler = (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: req.url, price: 10, servedAt: served++, password: 'MONO-SECRET-1' }));
    };
    candidate.handler = (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: req.url, price: req.url === '/books/3' ? 12 : 10, servedAt: -1, password: 'CAND-SECRET-2' }));
    };
    const config = testConfig(monolith.url, candidate.url, {
      defaults: { noise: { learn: true, sample: 1 } },
      routes: [{ id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow', compare: { ignore: ['$.password'] } }],
      store: { path: join(dir, 'e2e', 'diffs.sqlite') },
    });
    let proxyRef: Harness['proxy'] | undefined;
    pipeline = createDiffPipeline(() => proxyRef?.config() ?? config, { proxyStats: () => proxyRef?.stats() ?? [], logger: log.logger });
    h = await startTestProxy(config, { adminRoutes: pipeline.adminRoutes });
    proxyRef = h.proxy;
  });
  after(async () => {
    await h.proxy.close();
    await pipeline.close();
    await monolith.close();
    await candidate.close();
  });

  test('shadowed requests end up in the report: noise learned, the real difference found, counters copied', async () => {
    for (let i = 1; i <= 6; i++) await request(h.proxy.url, { path: `/books/${i}` });
    const pairs = await h.waitPairs(6);
    for (const p of pairs) pipeline.comparator.onPair(p);
    await pipeline.comparator.close();

    const data = queryReport(pipeline.store, { minSamples: 1 });
    const route = data.teams[0].services[0].routes[0];
    assert.equal(route.owner, 'team-catalog');
    assert.equal(route.compared, 6);
    assert.equal(route.noiseSampled, 6);
    assert.deepEqual(route.noise.map((n) => n.path), ['$.servedAt']);
    const real = route.groups.filter((g) => g.real);
    assert.deepEqual(real.map((g) => g.fields.map((f) => f.path)), [['$.price', '$.servedAt']]);
    assert.equal(route.verdict, 'NOT READY');
    assert.equal(route.matching, 5, 'the servedAt-only group is noise and counts as matching');
    const text = JSON.stringify(data);
    assert.ok(text.includes('[redacted]'));
    assert.equal(text.includes('MONO-SECRET-1') || text.includes('CAND-SECRET-2'), false, 'config redaction applies to samples');

    const res = await fetch(`${h.proxy.adminUrl}/api/diffs?route=catalog.getBook`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { groups: unknown[] }).groups.length, 2);
    const unauth = await fetch(`${h.proxy.adminUrl}/report`);
    assert.equal(unauth.status, 401, 'the report sits behind the admin token');
  });

  test('a route started over through the admin API: its comparisons go, the noise it learned stays, the log says who', async () => {
    const res = await fetch(`${h.proxy.adminUrl}/api/routes/catalog.getBook/reset-diffs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { route: 'catalog.getBook', cleared: { compared: 6, errors: 0, groups: 2, samples: 6 } });
    const route = queryReport(pipeline.store, { minSamples: 1 }).teams[0].services[0].routes[0];
    assert.deepEqual([route.compared, route.groups.length, route.verdict], [0, 0, 'NOT ENOUGH DATA']);
    assert.deepEqual([route.noiseSampled, route.noise.map((n) => n.path)], [6, ['$.servedAt']], 'what the monolith showed of its own noise is kept');
    const line = log.lines.find((l) => String(l.msg).startsWith('diffs of catalog.getBook started over'));
    assert.match(String(line?.msg), /^diffs of catalog\.getBook started over by \S+: 6 compared, 0 candidate errors, 2 groups, 6 samples cleared$/);
  });

  test('after a start over the route\'s live stats count from then; the metrics keep counting since the start', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    type View = { id: string; countedSince?: string; stats: { requests: number; shadowed: number; latency: { monolith: { count: number }; candidate: { count: number } } } };
    const view = async () => ((await (await fetch(`${h.proxy.adminUrl}/api/routes`, { headers: auth })).json()) as { routes: View[] }).routes.find((r) => r.id === 'catalog.getBook')!;
    const started = await view();
    assert.ok(started.countedSince && Date.parse(started.countedSince) <= Date.now(), `countedSince: ${started.countedSince}`);
    assert.deepEqual([started.stats.requests, started.stats.shadowed, started.stats.latency.monolith.count, started.stats.latency.candidate.count], [0, 0, 0, 0]);

    for (let i = 1; i <= 2; i++) await request(h.proxy.url, { path: `/books/${i}` });
    await h.waitPairs(8);
    const after = await view();
    assert.deepEqual([after.stats.requests, after.stats.shadowed, after.stats.latency.monolith.count], [2, 2, 2]);
    assert.equal(after.countedSince, started.countedSince);

    const metrics = await (await fetch(`${h.proxy.adminUrl}/metrics`, { headers: auth })).text();
    assert.match(metrics, /^strangler_requests_total\{route="catalog\.getBook"[^}]*\} 8$/m, 'Prometheus counters only go up');
  });
});

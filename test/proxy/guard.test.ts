// The canary guard: a route in canary whose candidate answers too many 5xx (or fails) is moved back, persisted and
// audited as the guard's change; unit tests on a fake control plane and clock, then through a running proxy.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RoutePatch, RouteView } from '../../proxy/admin.ts';
import { configErrors, guardOf, parseConfig, type ProxyConfigInput } from '../../proxy/config.ts';
import { CanaryGuard } from '../../proxy/guard.ts';
import { LatencyHistogram, quantileBetween } from '../../proxy/stats.ts';
import { inCanary } from '../../proxy/canary.ts';
import type { Logger } from '../../common/log.ts';
import { captureLogger, json, request, startStack, testConfig, until, type Harness, type Stack, ADMIN_TOKEN } from './helpers.ts';

const ROUTE = { id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog' } as const;

type GuardInput = NonNullable<ProxyConfigInput['defaults']>['guard'];

function config(guard: GuardInput, extra: Partial<ProxyConfigInput> = {}) {
  return parseConfig({
    version: 1,
    legacy: { url: 'http://127.0.0.1:1' },
    services: { catalog: { url: 'http://127.0.0.1:2' } },
    defaults: { guard },
    routes: [{ ...ROUTE, mode: 'canary', canary: { percent: 50 } }],
    ...extra,
  });
}

/** A control plane with one route whose candidate counters the test sets. */
function fakeControl(cfg: ReturnType<typeof parseConfig>) {
  const counts = { answered: 0, failed5xx: 0, fallbacks: 0 };
  const patches: { id: string; patch: RoutePatch; who: string; source: string; reason?: string }[] = [];
  let mode = cfg.routes[0].mode ?? 'legacy';
  let fail = false;
  const view = (): RouteView => ({
    id: ROUTE.id, method: ROUTE.method, path: ROUTE.path, service: ROUTE.service, owner: undefined, mode, canary: cfg.routes[0].canary, fallback: false,
    stats: {
      routeId: ROUTE.id, mode, requests: counts.answered, shadowed: 0, dropped: 0, droppedSlow: 0, skippedUnsafe: 0, fallbacks: counts.fallbacks, candidateErrors: counts.fallbacks, candidateAnswers: counts.answered, candidate5xx: counts.failed5xx,
      // shadow copies of the monolith-served share land in the candidate's latency: they are not answers
      latency: { monolith: { count: 0, p50: 0, p99: 0 }, candidate: { count: counts.answered * 20, p50: 1, p99: 1 } },
    },
  });
  // the route's latency histograms (the guard's latency limits read windows of them)
  const latency = { monolith: new LatencyHistogram(), candidate: new LatencyHistogram() };
  const control = {
    effective: () => ({ ...cfg, routes: [{ ...cfg.routes[0], mode }] }),
    latency: () => ({ monolith: latency.monolith.snapshot(), candidate: latency.candidate.snapshot() }),
    views: () => [view()],
    patch(id: string, patch: RoutePatch, who: string, source: string, reason?: string) {
      if (fail) throw new Error('state file not writable');
      patches.push({ id, patch, who, source, ...(reason !== undefined && { reason }) });
      mode = patch.mode as typeof mode;
      return view();
    },
  };
  return { control, counts, latency, patches, mode: () => mode, failPatches: () => void (fail = true) };
}

/** n answers of ms each in a latency histogram */
const record = (h: LatencyHistogram, n: number, ms: number) => {
  for (let i = 0; i < n; i++) h.record(ms);
};

/** The guard of the config's (only) route. */
const guardIn = (cfg: ReturnType<typeof parseConfig>) => guardOf(cfg, cfg.routes[0]);

describe('canary guard (unit)', () => {
  test('config: off unless set; defaults fill what is left out; a route can turn it off or override it', () => {
    assert.equal(guardIn(config(undefined)), undefined);
    assert.equal(guardIn(config(false)), undefined);
    assert.deepEqual(guardIn(config({})), { maxErrorRate: 0.05, minRequests: 20, windowSeconds: 60, rollbackTo: 'shadow' });
    const own = config({ maxErrorRate: 0.1 }, { routes: [{ ...ROUTE, mode: 'canary', canary: { percent: 5 }, guard: { rollbackTo: 'legacy', minRequests: 3 } }] });
    assert.deepEqual(guardIn(own), { maxErrorRate: 0.1, minRequests: 3, windowSeconds: 60, rollbackTo: 'legacy' });
    const off = config({}, { routes: [{ ...ROUTE, mode: 'canary', canary: { percent: 5 }, guard: false }] });
    assert.equal(guardIn(off), undefined);
    assert.deepEqual(
      configErrors({ version: 1, legacy: { url: 'http://x' }, services: {}, defaults: { guard: { maxErrorRate: 2, rollbackTo: 'migrated', typo: 1 } } }).map((e) => e.split(':')[0]),
      ['defaults.guard'],
    );
  });

  test('moves the route to shadow once the 5xx share of at least minRequests answers is over the limit, as the guard', () => {
    let now = 0;
    const { log } = { log: captureLogger('warn') };
    const f = fakeControl(config({ minRequests: 10, maxErrorRate: 0.2 }));
    const guard = new CanaryGuard(f.control, log.logger, () => now);
    assert.deepEqual(guard.check(), []); // first look: the window starts here
    f.counts.answered = 8;
    f.counts.failed5xx = 8;
    now += 1000;
    assert.deepEqual(guard.check(), [], 'under minRequests: no verdict yet');
    f.counts.answered = 20;
    f.counts.failed5xx = 8; // 8 of 20 = 40%
    now += 1000;
    assert.deepEqual(guard.check(), [ROUTE.id]);
    assert.deepEqual(f.patches, [
      { id: ROUTE.id, patch: { mode: 'shadow' }, who: 'guard', source: 'guard', reason: "8 of the candidate's last 20 answers were 5xx or failures (40%, over 20%)" },
    ]);
    const line = log.lines.find((l) => l.route === ROUTE.id);
    assert.match(String(line?.msg), /catalog\.getBook moved to shadow: 8 of the candidate's last 20 answers were 5xx or failures \(40%, over 20%\)/);
    now += 1000;
    f.counts.failed5xx = 20;
    f.counts.answered = 40;
    assert.deepEqual(guard.check(), [], 'out of canary: nothing more to do');
  });

  test('at or under the limit it stays; fallbacks count as failures; failures older than the window are forgotten', () => {
    let now = 0;
    const f = fakeControl(config({ minRequests: 10, maxErrorRate: 0.1, windowSeconds: 10 }));
    const guard = new CanaryGuard(f.control, captureLogger().logger, () => now);
    guard.check();
    f.counts.answered = 5;
    f.counts.failed5xx = 5; // all failed, but too few to judge
    now += 1000;
    assert.deepEqual(guard.check(), []);
    // 11 s later, 20 clean answers: counted from the start it would be 5 of 25 (20%); the window holds 0 of 20
    now += 11_000;
    f.counts.answered = 25;
    assert.deepEqual(guard.check(), []);
    now += 1000;
    f.counts.answered = 34;
    f.counts.failed5xx = 6; // 1 of the 9 since: 1 of 29 in the window
    f.counts.fallbacks = 0;
    assert.deepEqual(guard.check(), []);
    now += 1000;
    f.counts.answered = 35;
    f.counts.fallbacks = 3; // 1 + 3 fallbacks of 33 in the window: 12%
    assert.deepEqual(guard.check(), [ROUTE.id]);
    assert.equal(f.mode(), 'shadow');
  });

  test("the first look counts from the process's start: a canary that failed before it is judged at once", () => {
    const f = fakeControl(config({ minRequests: 5, maxErrorRate: 0.5 }));
    f.counts.answered = f.counts.failed5xx = 6;
    assert.deepEqual(new CanaryGuard(f.control, captureLogger().logger, () => 0).check(), [ROUTE.id]);
  });

  test('a route entering canary is counted from the last look before (what it failed in canary before the next look counts)', () => {
    let now = 0;
    const f = fakeControl(config({ minRequests: 5, maxErrorRate: 0.5 }, { routes: [{ ...ROUTE, mode: 'migrated' }] }));
    const guard = new CanaryGuard(f.control, captureLogger().logger, () => now);
    f.counts.answered = f.counts.failed5xx = 100; // migrated, failing: not the guard's business
    assert.deepEqual(guard.check(), []);
    f.control.patch(ROUTE.id, { mode: 'canary', percent: 10 }, 'ops', 'admin');
    f.counts.answered = f.counts.failed5xx = 106; // six failures in canary before the guard looks again
    now += 1000;
    assert.deepEqual(guard.check(), [ROUTE.id]);
  });

  test('counters that go down (a worker replaced) start the window again instead of a negative count', () => {
    let now = 0;
    const f = fakeControl(config({ minRequests: 5, maxErrorRate: 0.5 }));
    const guard = new CanaryGuard(f.control, captureLogger().logger, () => now);
    f.counts.answered = 100;
    f.counts.failed5xx = 0;
    guard.check();
    now += 1000;
    f.counts.answered = 10;
    f.counts.failed5xx = 10;
    assert.deepEqual(guard.check(), [], 'the first look after the drop is the new start');
    now += 1000;
    f.counts.answered = 16;
    f.counts.failed5xx = 16;
    assert.deepEqual(guard.check(), [ROUTE.id]);
  });

  test('rollbackTo legacy; a change that cannot be saved is logged and the route stays in canary', () => {
    let now = 0;
    const f = fakeControl(config({ minRequests: 1, maxErrorRate: 0, rollbackTo: 'legacy' }));
    const log = captureLogger('warn');
    const guard = new CanaryGuard(f.control, log.logger, () => now);
    guard.check();
    f.failPatches();
    f.counts.answered = f.counts.failed5xx = 3;
    now += 1000;
    assert.deepEqual(guard.check(), []);
    assert.equal(f.mode(), 'canary');
    assert.match(String(log.lines.at(-1)?.msg), /could not be moved to legacy; it stays in canary/);
  });

  test('latency limits: config; off unless set; the bounds are checked', () => {
    assert.deepEqual(guardIn(config({ maxP99Ms: 250, maxP99Ratio: 3 })), {
      maxErrorRate: 0.05, minRequests: 20, windowSeconds: 60, rollbackTo: 'shadow', maxP99Ms: 250, maxP99Ratio: 3,
    });
    const errors = (guard: unknown) =>
      configErrors({ version: 1, legacy: { url: 'http://x' }, services: {}, defaults: { guard } } as ProxyConfigInput);
    assert.match(errors({ maxP99Ratio: 0.5 }).join('\n'), /defaults\.guard.*maxP99Ratio.*at least 1/s);
    assert.deepEqual(errors({ maxP99Ms: 0 }).map((e) => e.split(':')[0]), ['defaults.guard.maxP99Ms']);
  });

  test('maxP99Ms: a candidate whose p99 over the window is above it is moved back once it has minRequests answers', () => {
    let now = 0;
    const log = captureLogger('warn');
    const f = fakeControl(config({ minRequests: 20, maxErrorRate: 0.5, maxP99Ms: 100 }));
    const guard = new CanaryGuard(f.control, log.logger, () => now);
    record(f.latency.candidate, 19, 300);
    now += 1000;
    assert.deepEqual(guard.check(), [], '19 answers: under minRequests');
    f.latency.candidate.record(300);
    now += 1000;
    assert.deepEqual(guard.check(), [ROUTE.id]);
    assert.deepEqual(f.patches.map((p) => [p.patch.mode, p.who, p.source]), [['shadow', 'guard', 'guard']]);
    const line = log.lines.find((l) => l.route === ROUTE.id);
    assert.match(String(line?.msg), /catalog\.getBook moved to shadow: the candidate's p99 over its last 20 answers was 300 ms \(over 100 ms\)/);
    assert.deepEqual([line?.p99Ms, line?.maxP99Ms, line?.requests], [300, 100, 20]);
  });

  test('maxP99Ms: one slow answer in a hundred is the p99 bound; slow answers older than the window are forgotten', () => {
    let now = 0;
    const f = fakeControl(config({ minRequests: 20, maxP99Ms: 100, windowSeconds: 10 }));
    const guard = new CanaryGuard(f.control, captureLogger().logger, () => now);
    guard.check();
    record(f.latency.candidate, 99, 5);
    f.latency.candidate.record(400); // the 100th of 100: above the p99 rank (99), not at it
    now += 1000;
    assert.deepEqual(guard.check(), []);
    record(f.latency.candidate, 30, 400);
    now += 1000;
    assert.deepEqual(guard.check(), [ROUTE.id], '31 of 130 slow');
    // a fresh guard on a route that was slow before its window: the slow answers are all older than it
    const g = fakeControl(config({ minRequests: 20, maxP99Ms: 100, windowSeconds: 10 }));
    const fresh = new CanaryGuard(g.control, captureLogger().logger, () => now);
    fresh.check();
    record(g.latency.candidate, 50, 400);
    now += 1000;
    fresh.check(); // counted from the start: 50 slow ones, moved
    assert.equal(g.mode(), 'shadow');
    g.control.patch(ROUTE.id, { mode: 'canary', percent: 50 }, 'ops', 'admin');
    now += 1000;
    assert.deepEqual(fresh.check(), [], 'back in canary, counted from the look before: nothing new yet');
    record(g.latency.candidate, 50, 8);
    now += 1000;
    assert.deepEqual(fresh.check(), [], 'the 50 slow answers of the first canary are not in this one');
  });

  test('maxP99Ratio: the candidate p99 against the monolith p99 over the same window, each side with minRequests', () => {
    let now = 0;
    const log = captureLogger('warn');
    const f = fakeControl(config({ minRequests: 20, maxP99Ratio: 2 }));
    const guard = new CanaryGuard(f.control, log.logger, () => now);
    guard.check();
    record(f.latency.candidate, 30, 50);
    record(f.latency.monolith, 10, 10);
    now += 1000;
    assert.deepEqual(guard.check(), [], 'the monolith side has 10 answers: no ratio yet');
    record(f.latency.monolith, 40, 30);
    record(f.latency.candidate, 30, 50);
    now += 1000;
    assert.deepEqual(guard.check(), [], '50 ms is under 2 × 30 ms');
    record(f.latency.candidate, 60, 90);
    now += 1000;
    assert.deepEqual(guard.check(), [ROUTE.id]);
    const line = log.lines.find((l) => l.route === ROUTE.id);
    assert.match(String(line?.msg), /p99 over its last 120 answers was 90 ms, 3× the monolith's 30 ms over its last 50 \(over 2×\)/);
  });

  test('latency counts that go down (a worker replaced) start the window again', () => {
    let now = 0;
    const f = fakeControl(config({ minRequests: 5, maxP99Ms: 100 }));
    const guard = new CanaryGuard(f.control, captureLogger().logger, () => now);
    record(f.latency.candidate, 40, 10);
    guard.check();
    f.latency.candidate.reset();
    record(f.latency.candidate, 10, 500);
    now += 1000;
    assert.deepEqual(guard.check(), [], 'the first look after the drop is the new start');
    record(f.latency.candidate, 5, 500);
    now += 1000;
    assert.deepEqual(guard.check(), [ROUTE.id]);
  });

  test('quantileBetween: the quantile of what was recorded between two snapshots', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 100; i++) h.record(1000);
    const before = h.snapshot();
    for (let i = 1; i <= 100; i++) h.record(i);
    const between = quantileBetween(h.snapshot(), before, 0.99);
    assert.equal(between.count, 100);
    assert.ok(between.ms >= 99 && between.ms < 99 * 1.05, `p99 ${between.ms}`);
    assert.deepEqual(quantileBetween(h.snapshot(), h.snapshot(), 0.99), { count: 0, ms: 0 });
    assert.equal(quantileBetween(h.snapshot(), undefined, 0.5).count, 200);
  });

  test('routes without a guard, or not in canary, are not watched', () => {
    let now = 0;
    for (const cfg of [config(undefined), config({ minRequests: 1, maxErrorRate: 0 }, { routes: [{ ...ROUTE, mode: 'migrated' }] })]) {
      const f = fakeControl(cfg);
      const guard = new CanaryGuard(f.control, captureLogger().logger, () => now);
      guard.check();
      f.counts.answered = f.counts.failed5xx = 50;
      now += 1000;
      assert.deepEqual(guard.check(), []);
      assert.deepEqual(f.patches, []);
    }
  });
});

/** The monolith, a candidate answering with candidateStatus(url), and a proxy whose guard looks every 10 ms. */
async function guardedProxy(candidateStatus: (url: string) => number, extra: Partial<ProxyConfigInput>, logger?: Logger): Promise<Stack> {
  const stack = await startStack((monolith, candidate) => testConfig(monolith, candidate, extra), { guardIntervalMs: 10, ...(logger && { logger }) });
  stack.candidate.handler = (req, res) => {
    res.statusCode = candidateStatus(req.url ?? '/');
    res.end(JSON.stringify({ from: 'candidate' }));
  };
  return stack;
}

describe('canary guard through the proxy', () => {
  let h: Harness;
  let close: () => Promise<void>;
  const log = captureLogger('info');
  before(async () => {
    ({ h, close } = await guardedProxy((url) => (url.startsWith('/books/') ? 503 : 200), {
      defaults: { noise: { learn: false }, guard: { minRequests: 5, maxErrorRate: 0.2, windowSeconds: 30 } },
      routes: [
        { ...ROUTE, mode: 'canary', canary: { percent: 100 } },
        { id: 'catalog.listAuthors', method: 'GET', path: '/authors', service: 'catalog', mode: 'canary', canary: { percent: 100 } },
      ],
    }, log.logger));
  });
  after(() => close());

  test('a candidate answering 503 is taken out of canary: the route goes to shadow, audited, and clients get the monolith again', async () => {
    for (let i = 0; i < 6; i++) assert.equal((await request(h.proxy.url, { path: '/authors' })).status, 200);
    // minRequests is 5: the guard has no verdict before the fifth answer, so all five reach the client
    for (let i = 0; i < 5; i++) assert.equal((await request(h.proxy.url, { path: `/books/${i}` })).status, 503);
    const modeOf = (id: string) => h.proxy.config().routes.find((r) => r.id === id)?.mode;
    await until(() => modeOf(ROUTE.id) === 'shadow', 'the guard to move the route');
    const after = await request(h.proxy.url, { path: '/books/1' });
    assert.equal(after.status, 200);
    assert.equal(json(after.body).from, 'monolith');
    assert.equal(modeOf('catalog.listAuthors'), 'canary', 'a healthy candidate stays in canary');

    const audit = await request(h.proxy.adminUrl, { path: '/api/audit', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const entries = json(audit.body).entries as { who: string; source: string; routeId: string; from: { mode: string }; to: { mode: string }; reason?: string }[];
    const why = "5 of the candidate's last 5 answers were 5xx or failures (100%, over 20%)";
    assert.deepEqual(entries.map((e) => [e.routeId, e.who, e.source, e.from.mode, e.to.mode, e.reason]), [[ROUTE.id, 'guard', 'guard', 'canary', 'shadow', why]]);
    assert.ok(log.lines.some((l) => l.level === 40 && String(l.msg).startsWith('canary guard: catalog.getBook moved to shadow')));
    const view = json((await request(h.proxy.adminUrl, { path: `/api/routes/${ROUTE.id}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body);
    assert.deepEqual({ ...(view.lastChange as object), at: undefined }, { at: undefined, who: 'guard', source: 'guard', from: 'canary', to: 'shadow', reason: why });

    const metrics = await request(h.proxy.adminUrl, { path: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.match(metrics.body.toString(), /strangler_candidate_5xx_total\{route="catalog\.getBook",service="catalog"\} 5/);
    // what an alert on a canary that stepped back watches
    assert.match(metrics.body.toString(), /\nstrangler_guard_rollbacks_total\{route="catalog\.getBook",to="shadow"\} 1\n/);
    assert.doesNotMatch(metrics.body.toString(), /strangler_guard_rollbacks_total\{route="catalog\.listAuthors"/);
  });
});

describe('canary guard with the monolith-served share shadowed', () => {
  let h: Harness;
  let close: () => Promise<void>;
  before(async () => {
    ({ h, close } = await guardedProxy(() => 503, {
      defaults: { noise: { learn: false }, guard: { minRequests: 4, maxErrorRate: 0.2 } },
      routes: [{ ...ROUTE, mode: 'canary', canary: { percent: 20, stickyBy: 'header:x-customer-id' } }],
    }));
  });
  after(() => close());

  test('the copies of the 80% the monolith serves do not water the failures down: 4 failed canary answers of 4 move it', async () => {
    const customers = Array.from({ length: 400 }, (_, i) => `customer-${i}`);
    const served = customers.filter((c) => inCanary(c, 20));
    const shadowed = customers.filter((c) => !inCanary(c, 20));
    // the monolith's customers first: their copies reach the candidate (and fail) but answer no client
    for (const c of shadowed.slice(0, 20)) assert.equal((await request(h.proxy.url, { path: '/books/1', headers: { 'x-customer-id': c } })).status, 200);
    await h.waitPairs(20);
    for (const c of served.slice(0, 4)) assert.equal((await request(h.proxy.url, { path: '/books/1', headers: { 'x-customer-id': c } })).status, 503);
    await until(() => h.proxy.config().routes[0].mode === 'shadow', 'the guard to move the route');
    const stats = h.proxy.stats()[0];
    assert.deepEqual([stats.candidateAnswers, stats.candidate5xx], [4, 4]);
    assert.ok(stats.latency.candidate.count >= 24, 'the copies are in the candidate latency, not in its answers');
  });
});

describe('canary guard on latency, through the proxy', () => {
  let h: Harness;
  let close: () => Promise<void>;
  const log = captureLogger('info');
  before(async () => {
    const stack = await guardedProxy(() => 200, {
      defaults: { noise: { learn: false }, guard: { minRequests: 5, maxP99Ms: 40 } },
      routes: [
        { ...ROUTE, mode: 'canary', canary: { percent: 100 } },
        { id: 'catalog.listAuthors', method: 'GET', path: '/authors', service: 'catalog', mode: 'canary', canary: { percent: 100 } },
      ],
    }, log.logger);
    ({ h, close } = stack);
    // the candidate answers the book route 80 ms late, the author list at once
    stack.candidate.handler = (req, res) => {
      const answer = () => res.end(JSON.stringify({ from: 'candidate' }));
      if (req.url?.startsWith('/books/')) setTimeout(answer, 80);
      else answer();
    };
  });
  after(() => close());

  test('a candidate answering slower than maxP99Ms goes back to shadow; a fast one stays in canary', async () => {
    for (let i = 0; i < 6; i++) assert.equal(json((await request(h.proxy.url, { path: '/authors' })).body).from, 'candidate');
    for (let i = 0; i < 5; i++) assert.equal(json((await request(h.proxy.url, { path: `/books/${i}` })).body).from, 'candidate');
    const modeOf = (id: string) => h.proxy.config().routes.find((r) => r.id === id)?.mode;
    await until(() => modeOf(ROUTE.id) === 'shadow', 'the guard to move the slow route');
    assert.equal(json((await request(h.proxy.url, { path: '/books/1' })).body).from, 'monolith');
    assert.equal(modeOf('catalog.listAuthors'), 'canary');
    const line = log.lines.find((l) => l.level === 40 && String(l.msg).startsWith('canary guard: catalog.getBook moved to shadow'));
    assert.match(String(line?.msg), /the candidate's p99 over its last 5 answers was \d+(\.\d)? ms \(over 40 ms\)/);
    assert.ok(Number(line?.p99Ms) >= 80, `p99 ${line?.p99Ms}`);
  });
});

describe('canary guard on latency, with the monolith-served share shadowed', () => {
  let h: Harness;
  let close: () => Promise<void>;
  let answersLate = false;
  before(async () => {
    const stack = await guardedProxy(() => 200, {
      defaults: { noise: { learn: false }, guard: { minRequests: 4, maxP99Ms: 40 } },
      routes: [{ ...ROUTE, mode: 'canary', canary: { percent: 20, stickyBy: 'header:x-customer-id' } }],
    });
    ({ h, close } = stack);
    // the candidate is slow on the copies (the proxy marks them) and, later, on the answers clients wait for
    stack.candidate.handler = (req, res) => {
      const answer = () => res.end(JSON.stringify({ from: 'candidate' }));
      if (req.headers['x-strangler-shadow'] || answersLate) setTimeout(answer, 80);
      else answer();
    };
  });
  after(() => close());

  test('slow shadow copies do not move it (they answer no client); slow answers to its canary clients do', async () => {
    const customers = Array.from({ length: 400 }, (_, i) => `customer-${i}`);
    const served = customers.filter((c) => inCanary(c, 20));
    const shadowed = customers.filter((c) => !inCanary(c, 20));
    for (const c of shadowed.slice(0, 8)) assert.equal((await request(h.proxy.url, { path: '/books/1', headers: { 'x-customer-id': c } })).status, 200);
    // the pairs complete 80 ms on: meanwhile the guard (every 10 ms) has looked at 8 slow copies many times
    await h.waitPairs(8);
    assert.ok(h.proxy.stats()[0].latency.candidate.p99 >= 80, 'the copies are slow in the route stats');
    // still in canary: the canary's customers get the candidate's (fast) answers
    for (const c of served.slice(0, 6)) assert.equal(json((await request(h.proxy.url, { path: '/books/1', headers: { 'x-customer-id': c } })).body).from, 'candidate');
    answersLate = true;
    for (const c of served.slice(6, 10)) await request(h.proxy.url, { path: '/books/1', headers: { 'x-customer-id': c } });
    await until(() => h.proxy.config().routes[0].mode === 'shadow', 'the guard to move the route once its clients wait');
    const audit = json((await request(h.proxy.adminUrl, { path: '/api/audit', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body);
    // judged on its answers only: at most the 10 canary answers, none of the 8 copies
    const counted = Number(/over its last (\d+) answers/.exec(String((audit.entries as { reason?: string }[]).at(-1)?.reason))?.[1]);
    assert.ok(counted >= 7 && counted <= 10, `answers judged: ${counted}`);
  });
});


// The canary guard: a route in canary whose candidate answers too many 5xx (or fails) is moved back, persisted and
// audited as the guard's change; unit tests on a fake control plane and clock, then through a running proxy.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RoutePatch, RouteView } from '../../proxy/admin.ts';
import { configErrors, guardOf, parseConfig, type ProxyConfigInput } from '../../proxy/config.ts';
import { CanaryGuard } from '../../proxy/guard.ts';
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
  const patches: { id: string; patch: RoutePatch; who: string; source: string }[] = [];
  let mode = cfg.routes[0].mode ?? 'legacy';
  let fail = false;
  const view = (): RouteView => ({
    id: ROUTE.id, method: ROUTE.method, path: ROUTE.path, service: ROUTE.service, owner: undefined, mode, canary: cfg.routes[0].canary, fallback: false,
    stats: {
      routeId: ROUTE.id, mode, requests: counts.answered, shadowed: 0, dropped: 0, skippedUnsafe: 0, fallbacks: counts.fallbacks, candidateErrors: counts.fallbacks, candidateAnswers: counts.answered, candidate5xx: counts.failed5xx,
      // shadow copies of the monolith-served share land in the candidate's latency: they are not answers
      latency: { monolith: { count: 0, p50: 0, p99: 0 }, candidate: { count: counts.answered * 20, p50: 1, p99: 1 } },
    },
  });
  const control = {
    effective: () => ({ ...cfg, routes: [{ ...cfg.routes[0], mode }] }),
    views: () => [view()],
    patch(id: string, patch: RoutePatch, who: string, source: string) {
      if (fail) throw new Error('state file not writable');
      patches.push({ id, patch, who, source });
      mode = patch.mode as typeof mode;
      return view();
    },
  };
  return { control, counts, patches, mode: () => mode, failPatches: () => void (fail = true) };
}

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
    assert.deepEqual(f.patches, [{ id: ROUTE.id, patch: { mode: 'shadow' }, who: 'guard', source: 'guard' }]);
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
    const entries = json(audit.body).entries as { who: string; source: string; routeId: string; from: { mode: string }; to: { mode: string } }[];
    assert.deepEqual(entries.map((e) => [e.routeId, e.who, e.source, e.from.mode, e.to.mode]), [[ROUTE.id, 'guard', 'guard', 'canary', 'shadow']]);
    assert.ok(log.lines.some((l) => l.level === 40 && String(l.msg).startsWith('canary guard: catalog.getBook moved to shadow')));
    const view = json((await request(h.proxy.adminUrl, { path: `/api/routes/${ROUTE.id}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body);
    assert.deepEqual({ ...(view.lastChange as object), at: undefined }, { at: undefined, who: 'guard', source: 'guard', from: 'canary', to: 'shadow' });

    const metrics = await request(h.proxy.adminUrl, { path: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.match(metrics.body.toString(), /strangler_candidate_5xx_total\{route="catalog\.getBook",service="catalog"\} 5/);
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

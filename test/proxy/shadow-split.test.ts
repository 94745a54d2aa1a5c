// shadowThread "slow": copies are made on the request thread until a service's copy limit is lowered
// (its candidate much slower than the monolith); from then on that service's copies go through the shadow thread,
// started then, while the other services' stay where they were; once no candidate is slow the thread ends. Both sides
// write the one diff store.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { createDiffPipeline, type DiffPipeline } from '../../proxy/comparator.ts';
import { CopySlots } from '../../proxy/copy-slots.ts';
import { startProxy, type RunningProxy } from '../../proxy/server.ts';
import { SplitEngine } from '../../proxy/shadow-split.ts';
import { ADMIN_TOKEN, captureLogger, request, startUpstream, testConfig, until, type Upstream } from './helpers.ts';

const CAP = 8;

describe('shadowThread "slow": a slow candidate\'s copies through the shadow thread, the others on the request thread', () => {
  let monolith: Upstream;
  let catalog: Upstream;
  let reviews: Upstream;
  let dir: string;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-split-'));
    monolith = await startUpstream('monolith');
    catalog = await startUpstream('catalog');
    reviews = await startUpstream('reviews');
    const answer = (differ: boolean) => (req: { url?: string }, res: import('node:http').ServerResponse) => {
      res.setHeader('content-type', 'application/json');
      const id = Number(/\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
      res.end(JSON.stringify({ id, price: differ && id === 2 ? 9.99 : 10 }));
    };
    monolith.handler = answer(false);
    catalog.handler = answer(true);
    reviews.handler = answer(true);
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await monolith.close();
    await catalog.close();
    await reviews.close();
    rmSync(dir, { recursive: true, force: true });
  });

  interface Split {
    proxy: RunningProxy;
    engine: SplitEngine;
    pipeline: DiffPipeline;
    slots: CopySlots;
    lines: Record<string, unknown>[];
    /** the slots' clock: seconds pass only when a test says so */
    advance(ms: number): void;
    /** a second in which all eight copies of the service ended slow: its limit halves (to 4) */
    slowSecond(service: string): void;
    /** GET path through the proxy, then until its copy's slot is back (so each copy is admitted under the limit) */
    get(path: string, service: string): Promise<void>;
    /**
     * k seconds in which two review copies end, neither slow, on the paths `next` gives (with one copy a second, a
     * second under a lowered limit would find no copy in flight and count as calm for want of copies: copy-slots.ts
     * idle, which raises the limit but says nothing of the candidate)
     */
    fastSeconds(k: number, next: () => string): Promise<void>;
    /** until the request thread's pipeline compared n pairs */
    compared(n: number): Promise<void>;
  }

  async function start(name: string, noise: object = { learn: false }): Promise<Split> {
    const path = join(dir, `${name}.sqlite`);
    const config = testConfig(monolith.url, catalog.url, {
      store: { path },
      shadowThread: 'slow',
      services: { catalog: { url: catalog.url }, reviews: { url: reviews.url } },
      defaults: { noise, shadow: { concurrency: CAP, timeoutMs: 10_000 } },
      routes: [
        { id: 'book', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' },
        { id: 'review', method: 'GET', path: '/reviews/:id', service: 'reviews', mode: 'shadow' },
        { id: 'rating', method: 'GET', path: '/ratings/:id', service: 'reviews', mode: 'shadow', shadow: { adaptive: false } },
      ],
    });
    let now = 0;
    const slots = new CopySlots(() => now);
    const { logger, lines } = captureLogger();
    let proxy: RunningProxy | undefined;
    const pipeline = createDiffPipeline(() => proxy?.config() ?? config, { logger, proxyStats: () => proxy?.stats() ?? [] });
    const engine = new SplitEngine(config, { logger, onPair: (pair) => pipeline.comparator.onPair(pair), slots });
    proxy = await startProxy(config, { port: 0, host: '127.0.0.1', adminPort: 0, adminToken: ADMIN_TOKEN, logger, shadowEngine: engine, adminRoutes: pipeline.adminRoutes });
    const running = proxy;
    let closed = false;
    cleanups.push(async () => {
      if (closed) return;
      closed = true;
      await running.close();
      await engine.end();
      await pipeline.close();
    });
    const get = async (p: string, service: string) => {
      const r = await request(running.url, { path: p });
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body.toString()).price, 10, 'the client gets the monolith');
      await until(() => slots.inFlight(service) === 0, `the copy of ${p} ended`);
    };
    return {
      proxy: running,
      engine,
      pipeline,
      slots,
      lines,
      advance: (ms) => void (now += ms),
      slowSecond(service) {
        for (let i = 0; i < CAP; i++) assert.ok(slots.acquire(service, CAP));
        for (let i = 0; i < CAP - 1; i++) slots.ended(service, true, CAP, true);
        now += 1_000;
        slots.ended(service, true, CAP, true);
        assert.equal(slots.limit(service, CAP), CAP / 2);
      },
      get,
      async fastSeconds(k, next) {
        for (let i = 0; i < 2 * k; i++) {
          now += 500;
          await get(next(), 'reviews');
        }
      },
      compared: (n) => until(() => pipeline.comparator.stats().compared === n, `${n} pairs compared on the request thread`),
    };
  }

  const route = (s: Split, id: string) => s.proxy.stats().find((r) => r.routeId === id)!;
  const stored = (s: Split, id: string) => s.pipeline.store.readRoutes().find((r) => r.routeId === id);

  test('no limit lowered: no thread, every copy on the request thread', async () => {
    const s = await start('none');
    for (let i = 1; i <= 3; i++) {
      await s.get(`/books/${i}`, 'catalog');
      await s.get(`/reviews/${i}`, 'reviews');
    }
    await s.compared(6);
    assert.deepEqual(s.engine.stats(), { local: 6, thread: 0, threadState: 'idle' });
    assert.equal(await s.engine.settle(), undefined, 'nothing to settle in a thread that never started');
  });

  test('a lowered limit starts the thread; that service\'s copies go through it, the other\'s stay; one store has both', async () => {
    const s = await start('lowered');
    await s.get('/reviews/1', 'reviews');
    await s.compared(1);
    s.slowSecond('reviews');
    assert.equal(s.engine.stats().threadState, 'starting');
    await s.engine.threadReady();
    assert.equal(s.engine.stats().threadState, 'running');
    assert.ok(s.lines.some((l) => /^shadow thread started/.test(String(l.msg))), 'said once it runs');
    for (let i = 1; i <= 4; i++) {
      await s.get(`/reviews/${i}`, 'reviews');
      await s.get(`/books/${i}`, 'catalog');
    }
    assert.deepEqual(s.engine.stats(), { local: 5, thread: 4, threadState: 'running' });
    const threadStats = await s.engine.settle();
    assert.equal(threadStats?.compared, 4, 'the thread compared the four review copies');
    await s.compared(5);
    // counts made in the thread come back into the route's counters
    await until(() => route(s, 'review').shadowed === 5, 'review copies counted on the proxy');
    assert.equal(route(s, 'book').shadowed, 4);
    // one store, written from both sides: /reviews/2 (thread) and /books/2 (request thread) differ in price
    s.pipeline.store.flush();
    assert.equal(stored(s, 'review')?.compared, 5);
    assert.equal(stored(s, 'book')?.compared, 4);
    const reviewGroups = s.pipeline.store.readGroups('review');
    assert.equal(reviewGroups.length, 1);
    assert.equal(reviewGroups[0].count, 1, '/reviews/2, compared in the thread');
    assert.equal(s.pipeline.store.readGroups('book')[0]?.count, 1);
    // the admin API reads the limit both sides admit under
    const r = await request(s.proxy.adminUrl, { path: '/api/routes', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const views = JSON.parse(r.body.toString()).routes as { id: string; copyLimit?: unknown }[];
    assert.deepEqual(views.find((v) => v.id === 'review')?.copyLimit, { limit: CAP / 2, cap: CAP, thread: true }, 'its copies go through the thread');
    assert.equal(views.find((v) => v.id === 'book')?.copyLimit, undefined);
  });

  test('quiet seconds raise the limit but leave the copies in the thread; a second of fast copies brings them back', async () => {
    const s = await start('back');
    s.slowSecond('reviews');
    await s.engine.threadReady();
    // eight seconds without a copy: the limit goes back to the cap for want of evidence (on the next admission), but
    // the candidate was slow when last seen: its copies stay in the thread
    s.advance(8_000);
    await s.get('/reviews/1', 'reviews');
    assert.equal(s.slots.limit('reviews', CAP), CAP);
    assert.ok(s.lines.some((l) => /no copy in flight or ended for 8 s: copies in flight back to the cap/.test(String(l.msg))));
    await s.get('/reviews/2', 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 0, thread: 2, threadState: 'running' });
    // the next second's copies answer like the monolith: the candidate keeps up, its copies come back here
    s.advance(1_000);
    await s.get('/reviews/3', 'reviews');
    await s.get('/reviews/4', 'reviews');
    await s.get('/reviews/5', 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 2, thread: 3, threadState: 'running' }, 'the thread stays a while');
    let n = 5;
    const next = () => `/reviews/${++n}`;
    const fastSeconds = (k: number) => s.fastSeconds(k, next);
    await fastSeconds(8);
    assert.deepEqual(s.engine.stats(), { local: 18, thread: 3, threadState: 'running' }, 'nine seconds with no candidate slow');
    // slow again before the tenth: the copies go back to the same thread, and the count starts over
    s.slowSecond('reviews');
    await s.get(next(), 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 18, thread: 4, threadState: 'running' });
    await fastSeconds(9);
    assert.deepEqual(s.engine.stats(), { local: 34, thread: 6, threadState: 'running' });
    await fastSeconds(1);
    assert.deepEqual(s.engine.stats(), { local: 36, thread: 6, threadState: 'idle' }, 'ten seconds with no candidate slow: the thread ended');
    assert.equal(s.lines.filter((l) => /^shadow thread started/.test(String(l.msg))).length, 1, 'one thread all along');
    assert.ok(s.lines.some((l) => /^shadow thread ended: every candidate whose copies went through it keeps up/.test(String(l.msg))));
    await s.engine.end();
    await s.compared(36);
    await until(() => route(s, 'review').shadowed === 42, 'every copy counted');
    // slow again: a new thread takes its copies
    s.slowSecond('reviews');
    await s.get(next(), 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 36, thread: 7, threadState: 'running' });
    assert.equal((await s.engine.settle())?.compared, 1, 'the new thread compared the copy');
  });

  test('a route with shadow.adaptive off keeps its copies on the request thread', async () => {
    const s = await start('fixed');
    s.slowSecond('reviews');
    await s.engine.threadReady();
    await s.get('/reviews/1', 'reviews');
    await s.get('/ratings/1', 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 1, thread: 1, threadState: 'running' });
    await s.compared(1);
    s.pipeline.store.flush();
    assert.equal(stored(s, 'rating')?.compared, 1, 'compared on the request thread');
  });

  test('if the thread dies with copies at the candidate, their slots come back and the copies go on here', async () => {
    const s = await start('dies');
    const held: (() => void)[] = [];
    const answer = reviews.handler;
    reviews.handler = (req, res, body) => void held.push(() => answer(req, res, body));
    try {
      s.slowSecond('reviews');
      await s.engine.threadReady();
      for (let i = 1; i <= 2; i++) assert.equal((await request(s.proxy.url, { path: `/reviews/${i}` })).status, 200);
      await until(() => held.length === 2, 'two copies held at the candidate');
      assert.equal(s.slots.inFlight('reviews'), 2);
      const worker = (s.engine as unknown as { thread: { worker: Worker } }).thread.worker;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await worker.terminate();
      await exited;
      assert.equal(s.slots.inFlight('reviews'), 0, 'the dead thread\'s copies gave their slots back');
      assert.ok(s.lines.some((l) => /shadow thread exited; slow candidates' copies go back to the request thread/.test(String(l.msg))));
    } finally {
      reviews.handler = answer;
      for (const release of held.splice(0)) release();
    }
    await s.get('/reviews/3', 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 1, thread: 2, threadState: 'exited' });
    await s.compared(1);
    assert.equal(s.pipeline.comparator.stats().compared, 1, 'the copy made after the thread died is compared here');
  });

  test('a thread that dies while no candidate is slow is not started again', async () => {
    const s = await start('dies-calm');
    s.slowSecond('reviews');
    await s.get('/reviews/1', 'reviews');
    let n = 1;
    const fastSeconds = (k: number) => s.fastSeconds(k, () => `/reviews/${++n}`);
    await fastSeconds(1); // the candidate keeps up: its copies come back here, the thread waits for calm seconds
    assert.equal(s.engine.stats().threadState, 'running');
    const worker = (s.engine as unknown as { thread: { worker: Worker } }).thread.worker;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await worker.terminate();
    await exited;
    await fastSeconds(9);
    assert.equal(s.engine.stats().threadState, 'exited', 'left as it died, not ended');
    assert.ok(!s.lines.some((l) => /^shadow thread ended/.test(String(l.msg))));
    s.slowSecond('reviews');
    await s.get(`/reviews/${++n}`, 'reviews');
    assert.equal(s.engine.stats().threadState, 'exited');
    assert.equal(s.lines.filter((l) => /^shadow thread started/.test(String(l.msg))).length, 1, 'no second thread');
  });

  test('noise samples taken on the request thread count toward settleAfter in the thread', async () => {
    // every copy also asks the monolith a second time until the route has two noise samples, then none does
    const s = await start('noise', { learn: true, sample: 1, settleAfter: 2, settledSample: 0 });
    const asked = () => monolith.seen.filter((r) => r.url.startsWith('/reviews/')).length;
    const before = asked();
    for (let i = 1; i <= 3; i++) await s.get(`/reviews/${i}`, 'reviews');
    await s.compared(3);
    assert.equal(asked() - before, 3 + 2, 'three clients, two noise samples');
    s.slowSecond('reviews');
    await s.engine.threadReady();
    const then = asked();
    for (let i = 1; i <= 3; i++) await s.get(`/reviews/${i}`, 'reviews');
    const stats = await s.engine.settle();
    assert.equal(s.engine.stats().thread, 3);
    assert.equal(stats?.noiseSamples, 0, 'the thread took none: the route had settled');
    assert.equal(asked() - then, 3, 'the monolith was asked once per client');
  });

  test('noise samples taken in the thread count toward settleAfter on the request thread', async () => {
    const s = await start('noise-back', { learn: true, sample: 1, settleAfter: 2, settledSample: 0 });
    const asked = () => monolith.seen.filter((r) => r.url.startsWith('/reviews/')).length;
    s.slowSecond('reviews');
    const before = asked();
    await s.get('/reviews/1', 'reviews');
    s.advance(1_000);
    await s.get('/reviews/2', 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 0, thread: 2, threadState: 'running' }, 'found keeping up');
    await s.engine.settle(); // the thread's counter deltas, its noise samples among them, are merged before it answers
    assert.equal(asked() - before, 2 + 2, 'two clients, two noise samples, in the thread');
    for (let i = 3; i <= 4; i++) await s.get(`/reviews/${i}`, 'reviews');
    await s.compared(2);
    assert.equal(s.pipeline.comparator.stats().noiseSamples, 0, 'the request thread took none: the route had settled');
    assert.equal(asked() - before, 2 + 2 + 2, 'the monolith was asked once per client');
  });

  test('a mode changed while the thread starts reaches it; a copy made meanwhile waits for it', async () => {
    const s = await start('starting');
    s.slowSecond('reviews');
    assert.equal(s.engine.stats().threadState, 'starting');
    assert.equal((await request(s.proxy.url, { path: '/reviews/1' })).status, 200);
    assert.equal(s.engine.stats().threadState, 'starting', 'the client\'s answer came before the thread had loaded');
    // canary at 0%: every client still gets the monolith, and the monolith-served share keeps shadowing
    const r = await request(s.proxy.adminUrl, { method: 'PATCH', path: '/api/routes/review', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: '{"mode":"canary","percent":0}' });
    assert.equal(r.status, 200);
    await s.get('/reviews/2', 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 0, thread: 2, threadState: 'running' });
    assert.equal((await s.engine.settle())?.compared, 2);
    assert.equal(stored(s, 'review')?.mode, 'canary', 'the thread recorded the route in its new mode');
  });
});


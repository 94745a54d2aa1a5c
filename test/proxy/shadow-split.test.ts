// shadowThread "slow": a service's copies go through the shadow thread (started for them) until a second of them
// finds its candidate keeping up with the monolith; from then on they are made on the request thread, and once no
// service's copies need the thread it ends. A candidate found much slower later goes back through a thread. Both sides
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
      async get(p, service) {
        const r = await request(running.url, { path: p });
        assert.equal(r.status, 200);
        assert.equal(JSON.parse(r.body.toString()).price, 10, 'the client gets the monolith');
        await until(() => slots.inFlight(service) === 0, `the copy of ${p} ended`);
      },
      compared: (n) => until(() => pipeline.comparator.stats().compared === n, `${n} pairs compared on the request thread`),
    };
  }

  const route = (s: Split, id: string) => s.proxy.stats().find((r) => r.routeId === id)!;
  const stored = (s: Split, id: string) => s.pipeline.store.readRoutes().find((r) => r.routeId === id);

  test('a service\'s first copies go through the thread; a second of fast copies brings them here, and the thread ends', async () => {
    const s = await start('first');
    await s.get('/books/1', 'catalog');
    assert.equal(s.engine.stats().threadState, 'running');
    assert.ok(s.lines.some((l) => /^shadow thread started/.test(String(l.msg))), 'said once it runs');
    // a second later a copy ends: two copies, neither slow, the candidate keeps up
    s.advance(1_000);
    await s.get('/books/3', 'catalog');
    assert.deepEqual(s.engine.stats(), { local: 0, thread: 2, threadState: 'idle' });
    assert.ok(s.lines.some((l) => /^shadow thread ended: every candidate/.test(String(l.msg))));
    await s.get('/books/2', 'catalog');
    assert.deepEqual(s.engine.stats(), { local: 1, thread: 2, threadState: 'idle' });
    await s.engine.end();
    await s.compared(1);
    s.pipeline.store.flush();
    assert.equal(stored(s, 'book')?.compared, 3, 'both sides wrote the one store');
    assert.equal(s.pipeline.store.readGroups('book')[0]?.count, 1, '/books/2, compared on the request thread');
    assert.equal(route(s, 'book').shadowed, 3, 'the thread\'s counts came back into the route\'s');
  });

  test('a slow candidate\'s copies stay in the thread while a fast one\'s come back; one store has both', async () => {
    const s = await start('slow');
    // the second that finds the review candidate slow (the slots' clock) is the book candidate's first
    await s.get('/books/1', 'catalog');
    s.slowSecond('reviews');
    await s.get('/reviews/1', 'reviews');
    await s.get('/books/3', 'catalog');
    assert.deepEqual(s.engine.stats(), { local: 0, thread: 3, threadState: 'running' }, 'reviews still needs the thread');
    for (let i = 2; i <= 4; i++) {
      await s.get(`/reviews/${i}`, 'reviews');
      await s.get(`/books/${i}`, 'catalog');
    }
    assert.deepEqual(s.engine.stats(), { local: 3, thread: 6, threadState: 'running' });
    const threadStats = await s.engine.settle();
    assert.equal(threadStats?.compared, 6, 'the thread compared two book and four review copies');
    await s.compared(3);
    await until(() => route(s, 'review').shadowed === 4, 'review copies counted on the proxy');
    assert.equal(route(s, 'book').shadowed, 5);
    s.pipeline.store.flush();
    assert.equal(stored(s, 'review')?.compared, 4);
    assert.equal(stored(s, 'book')?.compared, 5);
    assert.equal(s.pipeline.store.readGroups('review')[0]?.count, 1, '/reviews/2, compared in the thread');
    assert.equal(s.pipeline.store.readGroups('book')[0]?.count, 1, '/books/2, compared on the request thread');
    // the admin API reads the limit both sides admit under
    const r = await request(s.proxy.adminUrl, { path: '/api/routes', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const views = JSON.parse(r.body.toString()).routes as { id: string; copyLimit?: unknown }[];
    assert.deepEqual(views.find((v) => v.id === 'review')?.copyLimit, { limit: CAP / 2, cap: CAP, thread: true }, 'its copies go through the thread');
    assert.equal(views.find((v) => v.id === 'book')?.copyLimit, undefined);
  });

  test('quiet seconds raise the limit but leave the copies in the thread; a second of fast copies brings them back', async () => {
    const s = await start('back');
    s.slowSecond('reviews');
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
    assert.deepEqual(s.engine.stats(), { local: 2, thread: 3, threadState: 'idle' });
    await s.engine.end();
    await s.compared(2);
    await until(() => route(s, 'review').shadowed === 5, 'every copy counted');
  });

  test('a route with shadow.adaptive off keeps its copies on the request thread, and starts no thread', async () => {
    const s = await start('fixed');
    await s.get('/ratings/1', 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 1, thread: 0, threadState: 'idle' });
    await s.get('/reviews/1', 'reviews');
    await s.get('/ratings/2', 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 2, thread: 1, threadState: 'running' });
    await s.compared(2);
    s.pipeline.store.flush();
    assert.equal(stored(s, 'rating')?.compared, 2, 'compared on the request thread');
  });

  test('if the thread dies with copies at the candidate, their slots come back and the copies go on here', async () => {
    const s = await start('dies');
    const held: (() => void)[] = [];
    const answer = reviews.handler;
    reviews.handler = (req, res, body) => void held.push(() => answer(req, res, body));
    try {
      for (let i = 1; i <= 2; i++) assert.equal((await request(s.proxy.url, { path: `/reviews/${i}` })).status, 200);
      await until(() => held.length === 2, 'two copies held at the candidate');
      assert.equal(s.slots.inFlight('reviews'), 2);
      const worker = (s.engine as unknown as { thread: { worker: Worker } }).thread.worker;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await worker.terminate();
      await exited;
      assert.equal(s.slots.inFlight('reviews'), 0, 'the dead thread\'s copies gave their slots back');
      assert.ok(s.lines.some((l) => /shadow thread exited; copies go on on the request thread/.test(String(l.msg))));
    } finally {
      reviews.handler = answer;
      for (const release of held.splice(0)) release();
    }
    await s.get('/reviews/3', 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 1, thread: 2, threadState: 'exited' });
    await s.compared(1);
    assert.equal(s.pipeline.comparator.stats().compared, 1, 'the copy made after the thread died is compared here');
  });

  test('noise samples count toward settleAfter on whichever side takes them', async () => {
    // every copy also asks the monolith a second time until the route has two noise samples, then none does
    const s = await start('noise', { learn: true, sample: 1, settleAfter: 2, settledSample: 0 });
    const asked = () => monolith.seen.filter((r) => r.url.startsWith('/reviews/')).length;
    const before = asked();
    await s.get('/reviews/1', 'reviews');
    s.advance(1_000);
    await s.get('/reviews/3', 'reviews');
    assert.deepEqual(s.engine.stats(), { local: 0, thread: 2, threadState: 'idle' }, 'two copies in the thread, then found fast');
    await s.engine.end();
    assert.equal(asked() - before, 2 + 2, 'two clients, two noise samples in the thread');
    await s.get('/reviews/4', 'reviews');
    await s.compared(1);
    assert.equal(asked() - before, 2 + 2 + 1, 'the request thread took none: the route had settled');
    // found slow again: a new thread takes the copies, and it takes no sample either
    s.slowSecond('reviews');
    const then = asked();
    for (let i = 5; i <= 7; i++) await s.get(`/reviews/${i}`, 'reviews');
    const stats = await s.engine.settle();
    assert.equal(s.engine.stats().thread, 5);
    assert.equal(stats?.noiseSamples, 0, 'the new thread took none');
    assert.equal(asked() - then, 3, 'the monolith was asked once per client');
  });

  test('a mode changed while the thread starts reaches it', async () => {
    const s = await start('starting');
    // the client's answer comes long before the thread has loaded
    assert.equal((await request(s.proxy.url, { path: '/reviews/1' })).status, 200);
    assert.equal(s.engine.stats().threadState, 'starting');
    // canary at 0%: every client still gets the monolith, and the monolith-served share keeps shadowing
    const r = await request(s.proxy.adminUrl, { method: 'PATCH', path: '/api/routes/review', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: '{"mode":"canary","percent":0}' });
    assert.equal(r.status, 200);
    await s.get('/reviews/2', 'reviews');
    assert.equal(s.engine.stats().thread, 2);
    await s.engine.settle();
    assert.equal(stored(s, 'review')?.mode, 'canary', 'the thread recorded the route in its new mode');
  });
});


import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import supertest from 'supertest';
import type { RouteView } from '../../proxy/admin.ts';
import type { ProxyConfigInput } from '../../proxy/config.ts';
import { startProxy, type RunningProxy } from '../../proxy/server.ts';
import { startShadowThread, type ShadowThread } from '../../proxy/shadow-thread.ts';
import { openStore } from '../../proxy/store.ts';
import { ADMIN_TOKEN, request, startUpstream, testConfig, until, type Upstream } from './helpers.ts';

const silent = pino({ level: 'silent' });

describe('shadow thread: copies, comparison and store off the request thread', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let dir: string;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-thread-'));
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    const answer = (differ: boolean) => (req: { url?: string }, res: import('node:http').ServerResponse, body: Buffer) => {
      res.setHeader('content-type', 'application/json');
      const id = Number(/\/books\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
      res.end(JSON.stringify({ id, title: `Book ${id}`, price: differ && id === 2 ? 9.99 : 10, echo: body.toString('utf8') }));
    };
    monolith.handler = answer(false);
    candidate.handler = answer(true);
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await monolith.close();
    await candidate.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(name: string, extra: Partial<ProxyConfigInput> = {}, candidateUrl = candidate.url): Promise<{ proxy: RunningProxy; thread: ShadowThread; path: string }> {
    const path = join(dir, `${name}.sqlite`);
    const config = testConfig(monolith.url, candidateUrl, {
      shadowThread: true,
      store: { path },
      routes: [
        { id: 'book', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' },
        { id: 'review', method: 'POST', path: '/books/:id/reviews', service: 'catalog', mode: 'shadow', writes: true },
      ],
      ...extra,
    });
    let proxy: RunningProxy | undefined;
    const thread = await startShadowThread(config, { logger: silent, proxyStats: () => proxy?.stats() ?? [] });
    proxy = await startProxy(config, { port: 0, host: '127.0.0.1', adminPort: 0, adminToken: ADMIN_TOKEN, logger: silent, shadowEngine: thread.engine, adminRoutes: thread.adminRoutes });
    const running = proxy;
    let closed = false;
    cleanups.push(async () => {
      if (closed) return;
      closed = true;
      await running.close();
      await thread.close();
    });
    return { proxy: running, thread, path };
  }

  test('pairs are compared and stored by the thread; counts come back to the proxy', async () => {
    const { proxy, thread } = await start('basic');
    for (let i = 1; i <= 10; i++) {
      const r = await request(proxy.url, { path: `/books/${(i % 3) + 1}` });
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body.toString()).price, 10, 'the client gets the monolith');
    }
    const body = '{"stars": 5,  "text":"caf\\u00e9"}';
    const r = await request(proxy.url, { method: 'POST', path: '/books/1/reviews', body, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 200);
    const stats = await thread.settle();
    assert.equal(stats.compared, 11);
    await until(() => proxy.stats().find((s) => s.routeId === 'book')!.shadowed === 10, 'shadowed count from the thread');
    const book = proxy.stats().find((s) => s.routeId === 'book')!;
    assert.equal(book.latency.candidate.count, 10, 'candidate latencies come back too');
    assert.equal(book.dropped, 0);
    // the copy of the POST carried the exact body bytes
    const copy = candidate.seen.find((s) => s.method === 'POST');
    assert.ok(copy);
    assert.equal(copy.body.toString('utf8'), body);
    assert.equal(copy.headers['x-strangler-shadow'], '1');
    // the read connection sees what the thread wrote: /books/2 differs in price, the rest match
    const routes = thread.store.readRoutes();
    const row = routes.find((x) => x.routeId === 'book')!;
    assert.equal(row.compared, 10);
    const groups = thread.store.readGroups('book');
    assert.equal(groups.length, 1);
    assert.equal(groups[0].count, 4, 'four of the ten were /books/2');
    const report = await request(proxy.adminUrl, { path: '/report?format=json', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(report.status, 200);
    assert.match(report.body.toString(), /"book"/);
  });

  test('the cap holds while the candidate is slow, and its slots come back when the calls end', async () => {
    const slow = await startUpstream('slow');
    const held: (() => void)[] = [];
    slow.handler = (_req, res) => void held.push(() => res.end('{}'));
    cleanups.push(() => slow.close());
    const { proxy, thread } = await start('cap', { defaults: { noise: { learn: false }, shadow: { concurrency: 2, timeoutMs: 10_000 } } }, slow.url);
    for (let i = 0; i < 5; i++) assert.equal((await request(proxy.url, { path: '/books/1' })).status, 200);
    await until(() => held.length === 2, 'two copies at the candidate');
    let book = proxy.stats().find((s) => s.routeId === 'book')!;
    assert.equal(book.dropped, 3, 'three copies found the cap full');
    // the monolith answers of the two copies stay charged to the request thread's budget while the thread has them
    await until(() => thread.engine.admitted.used > 0, 'monolith answers charged');
    const answerBytes = (await request(monolith.url, { path: '/books/1' })).body.length;
    assert.equal(thread.engine.admitted.used, 2 * answerBytes);
    for (const answer of held.splice(0)) answer();
    await thread.settle();
    await until(() => thread.engine.admitted.used === 0, 'bytes given back once the copies ended');
    await until(() => proxy.stats().find((s) => s.routeId === 'book')!.shadowed === 2, 'shadowed count');
    // the two slots are free again: the next two requests are copied
    for (let i = 0; i < 2; i++) await request(proxy.url, { path: '/books/1' });
    await until(() => held.length === 2, 'two more copies at the candidate');
    book = proxy.stats().find((s) => s.routeId === 'book')!;
    assert.equal(book.dropped, 3);
    for (const answer of held.splice(0)) answer();
    const stats = await thread.settle();
    assert.equal(stats.compared, 4);
  });

  test('a candidate much slower than the monolith gets half the copies in flight after a second (the thread says which were slow)', async () => {
    const slow = await startUpstream('slow80');
    slow.handler = (_req, res) => void setTimeout(() => res.end('{}'), 80);
    cleanups.push(() => slow.close());
    const { proxy, thread } = await start('adaptive', { defaults: { noise: { learn: false }, shadow: { concurrency: 8, timeoutMs: 10_000 } } }, slow.url);
    let compared = 0;
    for (let round = 0; round < 40 && thread.engine.slots.limit('catalog', 8) === 8; round++) {
      const rs = await Promise.all(Array.from({ length: 8 }, () => request(proxy.url, { path: '/books/1' })));
      assert.deepEqual(new Set(rs.map((r) => r.status)), new Set([200]));
      compared += 8;
      assert.equal((await thread.settle()).compared, compared);
    }
    assert.equal(thread.engine.slots.limit('catalog', 8), 4, 'the limit moved within 40 rounds');
    const routes = await supertest(proxy.adminUrl).get('/api/routes').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    const views = (routes.body as { routes: RouteView[] }).routes;
    assert.deepEqual(views.find((r) => r.id === 'book')!.copyLimit, { limit: 4, cap: 8 }, 'the admin API reads the limit the request thread holds');
    assert.deepEqual(views.find((r) => r.id === 'review')!.copyLimit, { limit: 4, cap: 8 }, 'the same service, the same limit');
    const held: (() => void)[] = [];
    slow.handler = (_req, res) => void held.push(() => res.end('{}'));
    const before = proxy.stats().find((s) => s.routeId === 'book')!.dropped;
    const beforeSlow = proxy.stats().find((s) => s.routeId === 'book')!.droppedSlow;
    await Promise.all(Array.from({ length: 8 }, () => request(proxy.url, { path: '/books/1' })));
    await until(() => held.length === 4, 'four copies at the candidate');
    assert.equal(proxy.stats().find((s) => s.routeId === 'book')!.dropped - before, 4);
    assert.equal(proxy.stats().find((s) => s.routeId === 'book')!.droppedSlow - beforeSlow, 4, 'turned away by the limit, not the cap');
    for (const answer of held) answer();
    await thread.settle();
  });

  test('a monolith answer the byte budget cannot hold is shed: no pair, counted as dropped', async () => {
    const { proxy, thread } = await start('budget', { memory: { shadowBytes: 60 } });
    const r = await request(proxy.url, { path: '/books/1' });
    assert.equal(r.status, 200);
    assert.ok(r.body.length > 30, 'the answer is larger than half the budget');
    await until(() => proxy.stats().find((s) => s.routeId === 'book')!.dropped === 1, 'the shed copy counted');
    const stats = await thread.settle();
    assert.equal(stats.compared, 0);
  });

  test('a streamed request body past maxBodyBytes is not copied (counted as dropped); the monolith gets all of it', async () => {
    const { proxy, thread } = await start('overflow', { defaults: { noise: { learn: false }, shadow: { maxBodyBytes: 10 } } });
    const seen = candidate.seen.length;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${proxy.url}/books/1/reviews`, { method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write('0123456789'); // chunked: no length announced, the tee finds out as it reads
      req.end('abcdef');
    });
    assert.equal(status, 200);
    assert.equal(monolith.seen.at(-1)?.body.toString(), '0123456789abcdef');
    await until(() => proxy.stats().find((s) => s.routeId === 'review')!.dropped === 1, 'the overflow counted as dropped');
    await thread.settle();
    assert.equal(candidate.seen.length, seen, 'no copy');
    assert.equal(thread.engine.admitted.used, 0, 'nothing held');
  });

  test('a mode changed through the admin API reaches the thread: the store shows the route in its new mode', async () => {
    const { proxy, thread } = await start('modes');
    await request(proxy.url, { path: '/books/1' });
    await thread.settle();
    assert.equal(thread.store.readRoutes().find((r) => r.routeId === 'book')?.mode, 'shadow');
    await supertest(proxy.adminUrl).patch('/api/routes/book').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send({ mode: 'legacy' }).expect(200);
    await until(() => thread.store.readRoutes().find((r) => r.routeId === 'book')?.mode === 'legacy', 'the new mode in the store');
    const seen = candidate.seen.length;
    await request(proxy.url, { path: '/books/1' });
    await thread.settle();
    assert.equal(candidate.seen.length, seen, 'legacy mode: no copy');
  });

  test('a new route table makes the thread forget the old plans; a copy begun under one still completes', async () => {
    const slow = await startUpstream('held');
    const held: (() => void)[] = [];
    slow.handler = (_req, res) => void held.push(() => res.end('{"id":1}'));
    cleanups.push(() => slow.close());
    const { proxy, thread } = await start('forget', { defaults: { noise: { learn: false }, shadow: { timeoutMs: 10_000 } } }, slow.url);
    const sent: import('../../proxy/shadow-thread.ts').ToThread[] = [];
    const engine = thread.engine as unknown as { post(m: unknown): void };
    const post = engine.post.bind(engine);
    engine.post = (m) => {
      sent.push(m as (typeof sent)[number]);
      post(m);
    };
    const begins = () => sent.filter((m) => m.t === 'begin');
    assert.equal((await request(proxy.url, { path: '/books/1' })).status, 200);
    await until(() => held.length === 1, 'the first copy at the candidate');
    const first = begins()[0];
    assert.ok(first && first.t === 'begin');
    // another route's mode changes: a new table, so the plans sent so far are forgotten
    await supertest(proxy.adminUrl).patch('/api/routes/review').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send({ mode: 'legacy' }).expect(200);
    await until(() => sent.some((m) => m.t === 'forget'), 'a forget message');
    const forget = sent.find((m) => m.t === 'forget');
    assert.ok(forget && forget.t === 'forget');
    assert.ok(forget.pids.includes(first.pid), 'the first copy\'s plan is forgotten');
    // the copy begun under the forgotten plan still pairs, compares and is stored
    held.shift()!();
    await thread.settle();
    assert.equal(thread.store.readRoutes().find((r) => r.routeId === 'book')?.compared, 1);
    // the next copy names its plan again, under a new id the thread is told about first
    assert.equal((await request(proxy.url, { path: '/books/1' })).status, 200);
    await until(() => held.length === 1, 'the second copy at the candidate');
    held.shift()!();
    const stats = await thread.settle();
    assert.equal(stats.compared, 2);
    const second = begins()[1];
    assert.ok(second && second.t === 'begin');
    assert.notEqual(second.pid, first.pid);
    const announced = sent.findIndex((m) => m.t === 'plan' && m.pid === second.pid);
    assert.ok(announced >= 0 && announced < sent.indexOf(second), 'the new plan is sent before the copy naming it');
  });

  test('if the thread dies, copies stop and clients are served as before', async () => {
    const { proxy, thread } = await start('dies');
    assert.equal((await request(proxy.url, { path: '/books/1' })).status, 200);
    await thread.settle();
    const worker = (thread.engine as unknown as { worker: import('node:worker_threads').Worker }).worker;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await worker.terminate();
    await exited;
    const copiesBefore = candidate.seen.length;
    for (let i = 0; i < 5; i++) {
      const r = await request(proxy.url, { path: '/books/2' });
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body.toString()).price, 10);
    }
    assert.equal(candidate.seen.length, copiesBefore, 'no copies once the thread is gone');
    assert.equal(proxy.stats().find((s) => s.routeId === 'book')!.requests, 6);
  });

  test('close compares what is queued and leaves it in the store', async () => {
    const { proxy, thread, path } = await start('close');
    for (let i = 1; i <= 4; i++) await request(proxy.url, { path: `/books/${i}` });
    await proxy.close();
    await thread.close();
    const store = openStore(path, { logger: silent });
    try {
      assert.equal(store.readRoutes().find((x) => x.routeId === 'book')?.compared, 4);
    } finally {
      store.close();
    }
  });
});

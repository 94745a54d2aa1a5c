import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, json, testConfig, until, type Harness, type Upstream, startStack } from './helpers.ts';

describe('proxy modes and routing', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let h: Harness;
  let close: () => Promise<void>;

  before(async () => {
    ({ monolith, candidate, h, close } = await startStack((monolithUrl, candidateUrl) =>
      testConfig(monolithUrl, candidateUrl, {
        routes: [
          { id: 'legacyRoute', method: 'GET', path: '/legacy/:id', service: 'catalog', mode: 'legacy' },
          { id: 'special', method: 'GET', path: '/books/special', service: 'catalog', mode: 'migrated' },
          { id: 'book', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' },
          { id: 'shadowedLater', method: 'GET', path: '/books/special', service: 'catalog', mode: 'shadow' },
          { id: 'migrated', method: '*', path: '/inventory/*', service: 'catalog', mode: 'migrated' },
          { id: 'everyone', method: 'GET', path: '/reviews/:id', service: 'catalog', mode: 'canary', canary: { percent: 100 } },
          { id: 'nobody', method: 'GET', path: '/ratings/:id', service: 'catalog', mode: 'canary', canary: { percent: 0 } },
          { id: 'searchItems', method: 'SEARCH', path: '/items/:collection', service: 'catalog', mode: 'migrated' },
          { id: 'searchShadowed', method: 'SEARCH', path: '/shadowed/:collection', service: 'catalog', mode: 'shadow' },
        ],
      }),
    ));
  });
  after(() => close());

  test('a request matching no route goes to the monolith (the default route)', async () => {
    const r = await request(h.proxy.url, { path: '/nothing/here?x=1' });
    assert.equal(r.status, 200);
    assert.equal(json(r.body).from, 'monolith');
    assert.equal(json(r.body).url, '/nothing/here?x=1');
  });

  test('a SEARCH route: the request goes on with its method and body; in shadow mode it is not copied without writes', async () => {
    const body = JSON.stringify({ query: { filter: { title: { _contains: 'dune' } } } });
    const r = await request(h.proxy.url, { method: 'SEARCH', path: '/items/books', body, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 200);
    assert.deepEqual(json(r.body), { from: 'candidate', method: 'SEARCH', url: '/items/books' });
    const seen = candidate.seen.at(-1)!;
    assert.equal(seen.method, 'SEARCH');
    assert.equal(seen.body.toString(), body);
    // a GET to the same path is no SEARCH route: the monolith's
    assert.equal(json((await request(h.proxy.url, { path: '/items/books' })).body).from, 'monolith');

    const copies = candidate.seen.length;
    const s = await request(h.proxy.url, { method: 'SEARCH', path: '/shadowed/books', body, headers: { 'content-type': 'application/json' } });
    assert.deepEqual(json(s.body), { from: 'monolith', method: 'SEARCH', url: '/shadowed/books' });
    assert.equal(monolith.seen.at(-1)!.body.toString(), body);
    assert.equal(h.proxy.stats().find((x) => x.routeId === 'searchShadowed')?.skippedUnsafe, 1);
    assert.equal(candidate.seen.length, copies);
  });

  test('legacy mode forwards to the monolith only', async () => {
    const before = candidate.seen.length;
    const r = await request(h.proxy.url, { path: '/legacy/7' });
    assert.equal(json(r.body).from, 'monolith');
    assert.equal(candidate.seen.length, before);
  });

  test('first declared match wins: /books/special is the migrated route, not the :id one', async () => {
    const r = await request(h.proxy.url, { path: '/books/special' });
    assert.equal(json(r.body).from, 'candidate');
    const stats = h.proxy.stats().find((s) => s.routeId === 'special');
    assert.equal(stats?.requests, 1);
    assert.equal(h.proxy.stats().find((s) => s.routeId === 'shadowedLater')?.requests, 0);
  });

  test('params match one segment: /books/42/reviews is not /books/:id', async () => {
    const before = h.proxy.stats().find((s) => s.routeId === 'book')!.requests;
    await request(h.proxy.url, { path: '/books/42/reviews' });
    assert.equal(h.proxy.stats().find((s) => s.routeId === 'book')!.requests, before);
  });

  test('shadow mode: client gets the monolith, the candidate gets a marked copy, the pair is captured', async () => {
    const n = h.pairs.length;
    const r = await request(h.proxy.url, { path: '/books/42?lang=en', headers: { 'x-request-id': 'req-abc' } });
    assert.equal(json(r.body).from, 'monolith');
    assert.equal(r.headers['x-request-id'], 'req-abc');
    const [pair] = (await h.waitPairs(n + 1)).slice(n);
    assert.equal(pair.routeId, 'book');
    assert.equal(pair.service, 'catalog');
    assert.equal(pair.request.id, 'req-abc');
    assert.equal(pair.request.path, '/books/42');
    assert.equal(pair.request.query, 'lang=en');
    assert.equal(json(pair.monolith.body!).from, 'monolith');
    assert.equal(json(pair.candidate!.body!).from, 'candidate');
    assert.equal(pair.monolith.status, 200);
    assert.equal(pair.monolith.hash, '', 'a kept body is compared by its bytes, not hashed');
    assert.equal(pair.monolith.truncated, false);
    const copy = candidate.seen.at(-1)!;
    assert.equal(copy.url, '/books/42?lang=en');
    assert.equal(copy.headers['x-strangler-shadow'], '1');
    assert.equal(copy.headers['x-request-id'], 'req-abc');
    assert.equal(monolith.seen.at(-1)!.headers['x-strangler-shadow'], undefined);
  });

  test('an x-request-id is generated when absent and passed to the upstream', async () => {
    const r = await request(h.proxy.url, { path: '/legacy/1' });
    const id = r.headers['x-request-id'];
    assert.ok(typeof id === 'string' && id.length > 8);
    assert.equal(monolith.seen.at(-1)!.headers['x-request-id'], id);
    assert.equal(monolith.seen.at(-1)!.headers['x-forwarded-for'], '127.0.0.1');
  });

  test('migrated mode: the candidate serves, any method under a wildcard path', async () => {
    const r = await request(h.proxy.url, { method: 'POST', path: '/inventory/centers/3', body: '{}' });
    assert.equal(json(r.body).from, 'candidate');
    assert.equal(json(r.body).method, 'POST');
  });

  test('canary at 100% serves the candidate and 0% the monolith (which keeps shadowing)', async () => {
    assert.equal(json((await request(h.proxy.url, { path: '/reviews/1' })).body).from, 'candidate');
    const n = h.pairs.length;
    assert.equal(json((await request(h.proxy.url, { path: '/ratings/1' })).body).from, 'monolith');
    const pairs = await h.waitPairs(n + 1);
    assert.equal(pairs.at(-1)!.routeId, 'nobody');
  });

  test('stats count requests and shadow copies per route', async () => {
    await until(() => h.proxy.stats().find((s) => s.routeId === 'book')!.latency.candidate.count >= 1, 'candidate latency');
    const book = h.proxy.stats().find((s) => s.routeId === 'book')!;
    assert.ok(book.requests >= 1);
    assert.equal(book.shadowed, 1);
    assert.ok(book.latency.monolith.count >= 1);
    assert.ok(book.latency.monolith.p99 >= book.latency.monolith.p50);
  });
});

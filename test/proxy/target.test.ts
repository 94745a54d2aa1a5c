// The request target is read one way: the path a request is routed on is the path its upstream receives, and a
// shadow copy asks the candidate for the same path the monolith got (proxy/target.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { json, request, startStack, testConfig, type Harness, type Upstream } from './helpers.ts';

describe('request targets: routed as forwarded', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let h: Harness;
  let close: () => Promise<void>;

  before(async () => {
    ({ monolith, candidate, h, close } = await startStack((monolithUrl, candidateUrl) =>
      testConfig(monolithUrl, candidateUrl, {
        routes: [
          { id: 'books', method: 'GET', path: '/books/*', service: 'catalog', mode: 'migrated' },
          { id: 'reviews', method: 'GET', path: '/reviews/:id', service: 'catalog', mode: 'shadow' },
        ],
      }),
    ));
  });
  after(() => close());

  test('dot segments cannot carry a request past its route: it is routed on the path the upstream gets', async () => {
    for (const path of ['/books/x/%2e%2e/%2e%2e/orders/secret', '/books/x/../../orders/secret']) {
      const r = json((await request(h.proxy.url, { path })).body);
      assert.deepEqual([r.from, r.url], ['monolith', '/orders/secret'], path);
    }
    // and the other way round: a path that resolves into a migrated route goes to its service
    const r = json((await request(h.proxy.url, { path: '/inventory/%2e%2e/books/1' })).body);
    assert.deepEqual([r.from, r.url], ['candidate', '/books/1']);
  });

  test('literal segments are matched whatever their case, as the Express monolith matches them', async () => {
    const r = json((await request(h.proxy.url, { path: '/BOOKS/1' })).body);
    assert.equal(r.from, 'candidate');
  });

  test('a shadow copy asks the candidate for what the monolith got (dot segments, absolute form)', async () => {
    const before = h.pairs.length;
    await request(h.proxy.url, { path: '/reviews/x/%2e%2e/7?q=1' });
    // absolute form, as a forward-proxy client would send it
    const port = new URL(h.proxy.url).port;
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write('GET http://other.example/reviews/8?q=2 HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n');
      });
      socket.on('data', () => {});
      socket.on('end', resolve);
      socket.on('error', reject);
    });
    const pairs = (await h.waitPairs(before + 2)).slice(before);
    assert.deepEqual(pairs.map((p) => `${p.request.path}?${p.request.query}`).sort(), ['/reviews/7?q=1', '/reviews/8?q=2']);
    const copies = candidate.seen.filter((s) => s.url.startsWith('/reviews') || s.url.includes('other.example')).map((s) => s.url);
    assert.deepEqual(copies.sort(), ['/reviews/7?q=1', '/reviews/8?q=2'], 'the candidate got paths, not the raw targets');
    assert.ok(monolith.seen.some((s) => s.url === '/reviews/8?q=2'));
  });
});

describe('the Host header an upstream gets', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let h: Harness;
  let close: () => Promise<void>;

  before(async () => {
    ({ monolith, candidate, h, close } = await startStack((monolithUrl, candidateUrl) =>
      testConfig(monolithUrl, candidateUrl, {
        legacy: { url: monolithUrl, hostHeader: 'upstream' },
        services: { catalog: { url: candidateUrl, hostHeader: 'upstream' }, other: { url: candidateUrl } },
        routes: [
          { id: 'shadowed', method: '*', path: '/shadowed', service: 'catalog', mode: 'shadow', shadow: { writes: true } },
          { id: 'client-host', method: 'GET', path: '/client-host', service: 'other', mode: 'migrated' },
        ],
      }),
    ));
  });
  after(() => close());

  test('hostHeader "upstream": the upstream and its shadow copies get its own host; x-forwarded-host keeps the client\'s', async () => {
    const before = h.pairs.length;
    await request(h.proxy.url, { path: '/shadowed', headers: { host: 'shop.example' } });
    const atMonolith = monolith.seen.at(-1)!;
    assert.equal(atMonolith.headers.host, new URL(monolith.url).host);
    assert.equal(atMonolith.headers['x-forwarded-host'], 'shop.example');
    await h.waitPairs(before + 1);
    assert.equal(candidate.seen.at(-1)!.headers.host, new URL(candidate.url).host, 'the shadow copy too');
  });

  test('with Expect: 100-continue as well (the headers are written at once)', async () => {
    const before = h.pairs.length;
    await request(h.proxy.url, { method: 'POST', path: '/shadowed', headers: { host: 'shop.example', expect: '100-continue', 'content-type': 'text/plain' }, body: 'hello' });
    assert.equal(monolith.seen.at(-1)!.headers.host, new URL(monolith.url).host);
    assert.equal(monolith.seen.at(-1)!.body.toString(), 'hello');
    await h.waitPairs(before + 1);
  });

  test('by default ("client") the client\'s Host goes upstream as it came', async () => {
    await request(h.proxy.url, { path: '/client-host', headers: { host: 'shop.example' } });
    assert.equal(candidate.seen.at(-1)!.headers.host, 'shop.example');
  });
});

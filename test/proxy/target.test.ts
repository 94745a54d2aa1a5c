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

  test('hostHeader "upstream": a WebSocket upgrade gets its own host too', async () => {
    let host: string | undefined;
    monolith.server.once('upgrade', (req, socket: net.Socket) => {
      host = req.headers.host;
      socket.end('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
    });
    const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1', () => socket.write('GET /shadowed HTTP/1.1\r\nHost: shop.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    socket.resume();
    await new Promise((r) => socket.on('close', r));
    assert.equal(host, new URL(monolith.url).host);
  });

  test('by default ("client") the client\'s Host goes upstream as it came', async () => {
    await request(h.proxy.url, { path: '/client-host', headers: { host: 'shop.example' } });
    assert.equal(candidate.seen.at(-1)!.headers.host, 'shop.example');
  });
});

describe('absolute-form targets (RFC 9112 §3.2.2): the authority is the Host', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let h: Harness;
  let close: () => Promise<void>;

  before(async () => {
    ({ monolith, candidate, h, close } = await startStack((monolithUrl, candidateUrl) =>
      testConfig(monolithUrl, candidateUrl, {
        services: { catalog: { url: candidateUrl }, own: { url: candidateUrl, hostHeader: 'upstream' } },
        routes: [
          { id: 'reviews', method: 'GET', path: '/reviews/:id', service: 'catalog', mode: 'shadow' },
          { id: 'own-host', method: 'GET', path: '/own/:id', service: 'own', mode: 'migrated' },
        ],
      }),
    ));
    monolith.server.on('upgrade', (req, socket: net.Socket) => {
      monolith.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.alloc(0) });
      socket.end('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
    });
  });
  after(() => close());

  /** Writes `bytes` on a new connection; resolves with what was read until the proxy or the upstream closed it. */
  async function raw(bytes: string): Promise<string> {
    const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    socket.write(bytes);
    await new Promise((r) => socket.on('close', r));
    return text;
  }

  test('routed on its path, sent upstream (and copied) in origin form with the Host of its authority, not the header\'s', async () => {
    const before = h.pairs.length;
    const text = await raw('GET HTTP://Shop.example:8080/reviews/9?q=3 HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200/);
    const got = monolith.seen.at(-1)!;
    assert.deepEqual([got.url, got.headers.host, got.headers['x-forwarded-host']], ['/reviews/9?q=3', 'Shop.example:8080', 'Shop.example:8080']);
    const [pair] = (await h.waitPairs(before + 1)).slice(before);
    assert.equal(pair.routeId, 'reviews');
    const copy = candidate.seen.at(-1)!;
    assert.deepEqual([copy.url, copy.headers.host], ['/reviews/9?q=3', 'Shop.example:8080'], 'the shadow copy the same');
    // a target without a path asks for /; an upstream with hostHeader "upstream" still gets its own host
    await raw('GET http://shop.example?x=1 HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n');
    assert.equal(monolith.seen.at(-1)!.url, '/?x=1');
    await raw('GET http://shop.example/own/1 HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n');
    assert.deepEqual([candidate.seen.at(-1)!.url, candidate.seen.at(-1)!.headers.host], ['/own/1', new URL(candidate.url).host]);
  });

  test('a WebSocket upgrade too', async () => {
    const text = await raw('GET http://shop.example/ws HTTP/1.1\r\nHost: other.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 101/);
    const got = monolith.seen.at(-1)!;
    assert.deepEqual([got.url, got.headers.host], ['/ws', 'shop.example']);
  });

  test('a scheme other than http/https, user info, an empty or invalid host: 400, never forwarded', async () => {
    const seen = monolith.seen.length + candidate.seen.length;
    for (const target of ['ftp://shop.example/reviews/1', 'ws://shop.example/ws', 'http://user:pw@shop.example/reviews/1', 'http:///reviews/1', 'http://:80/reviews/1', 'http://a,b%zz/reviews/1', 'https://a:b:c/reviews/1', 'file:///etc/passwd']) {
      const text = await raw(`GET ${target} HTTP/1.1\r\nHost: shop.example\r\n\r\n`);
      assert.match(text, /^HTTP\/1\.1 400/, target);
      assert.match(text, /"error":"invalid request target: /, target);
    }
    const upgrade = await raw('GET ws://shop.example/ws HTTP/1.1\r\nHost: shop.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    assert.match(upgrade, /^HTTP\/1\.1 400/);
    assert.equal(monolith.seen.length + candidate.seen.length, seen);
  });
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { diffResponses } from '../../proxy/compare/index.ts';
import type { RouteView } from '../../proxy/admin.ts';
import { ADMIN_TOKEN, captureLogger, closedPortUrl, request, startTestProxy, startUpstream, testConfig, until, type Harness, type Upstream, startStack } from './helpers.ts';

/** The monolith's answer, with bytes a re-serialisation would change (spacing, key order, unicode escapes). */
const MONOLITH_BODY = Buffer.from('{"b": 2,  "a":"caf\\u00e9", "n": 1.50}\n');

/** A TCP server speaking just enough HTTP to misbehave in a chosen way. */
async function rawServer(onRequest: (socket: net.Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => onRequest(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('shadow: a broken candidate never changes what the client gets', () => {
  let monolith: Upstream;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    monolith = await startUpstream('monolith');
    monolith.handler = (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(MONOLITH_BODY);
    };
  });
  after(async () => {
    for (const c of cleanups) await c();
    await monolith.close();
  });

  async function shadowAgainst(candidateUrl: string, shadow: Record<string, unknown> = {}): Promise<Harness> {
    const h = await startTestProxy(
      testConfig(monolith.url, candidateUrl, {
        defaults: { noise: { learn: false }, shadow: { timeoutMs: 300, ...shadow } },
        routes: [{ id: 'book', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' }],
      }),
    );
    cleanups.push(() => h.proxy.close());
    return h;
  }

  async function assertClientGetsMonolith(h: Harness, expectError: string) {
    const r = await request(h.proxy.url, { path: '/books/1' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, MONOLITH_BODY);
    const [pair] = await h.waitPairs(1);
    assert.equal(pair.candidate, undefined);
    assert.equal(pair.candidateError, expectError);
    assert.deepEqual(pair.monolith.body, MONOLITH_BODY);
    assert.equal(h.proxy.stats()[0].candidateErrors, 1);
  }

  test('candidate down (connection refused)', async () => {
    await assertClientGetsMonolith(await shadowAgainst(await closedPortUrl()), 'refused');
  });

  test('candidate slower than the timeout', async () => {
    const slow = await startUpstream('slow');
    cleanups.push(() => slow.close());
    let answered = false;
    slow.handler = (_req, res) =>
      void setTimeout(() => {
        answered = true;
        res.end('late');
      }, 5000).unref();
    const h = await shadowAgainst(slow.url);
    await assertClientGetsMonolith(h, 'timeout');
    // the copy gave up at its own timeout, not when the candidate finally answered
    assert.equal(answered, false);
  });

  test('candidate resets the connection mid-body', async () => {
    const resetter = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"partial":');
      setImmediate(() => socket.resetAndDestroy());
    });
    cleanups.push(resetter.close);
    await assertClientGetsMonolith(await shadowAgainst(resetter.url), 'reset');
  });

  test('candidate answers garbage instead of HTTP', async () => {
    const garbage = await rawServer((socket) => socket.end('\x00\x01 this is not http at all\r\n\r\n'));
    cleanups.push(garbage.close);
    const h = await shadowAgainst(garbage.url);
    const r = await request(h.proxy.url, { path: '/books/1' });
    assert.deepEqual(r.body, MONOLITH_BODY);
    const [pair] = await h.waitPairs(1);
    assert.equal(pair.candidate, undefined);
    assert.ok(pair.candidateError === 'error' || pair.candidateError === 'reset', String(pair.candidateError));
  });

  test('candidate answers 500 with an HTML body: compared, client unaffected', async () => {
    const broken = await startUpstream('broken');
    cleanups.push(() => broken.close());
    broken.handler = (_req, res) => {
      res.statusCode = 500;
      res.end('<html>oops</html>');
    };
    const h = await shadowAgainst(broken.url);
    const r = await request(h.proxy.url, { path: '/books/1' });
    assert.deepEqual(r.body, MONOLITH_BODY);
    const [pair] = await h.waitPairs(1);
    assert.equal(pair.candidate?.status, 500);
    assert.equal(pair.candidate?.body?.toString(), '<html>oops</html>');
  });

  test('bodies over maxBodyBytes keep only hash and size; the client still gets every byte', async () => {
    const big = randomBytes(64 * 1024);
    const bigMonolith = await startUpstream('big');
    cleanups.push(() => bigMonolith.close());
    bigMonolith.handler = (_req, res) => res.end(big);
    const candidate = await startUpstream('candidate');
    cleanups.push(() => candidate.close());
    candidate.handler = (_req, res) => res.end(big);
    const h = await startTestProxy(
      testConfig(bigMonolith.url, candidate.url, {
        defaults: { noise: { learn: false }, shadow: { maxBodyBytes: 1024 } },
        routes: [{ id: 'blob', method: 'GET', path: '/blob', service: 'catalog', mode: 'shadow' }],
      }),
    );
    cleanups.push(() => h.proxy.close());
    const r = await request(h.proxy.url, { path: '/blob' });
    assert.deepEqual(r.body, big);
    const [pair] = await h.waitPairs(1);
    for (const side of [pair.monolith, pair.candidate!]) {
      assert.equal(side.truncated, true);
      assert.equal(side.body, undefined);
      assert.equal(side.size, big.length);
    }
    assert.equal(pair.monolith.hash, pair.candidate!.hash);
  });

  test('a HEAD announcing a length over maxBodyBytes has no body to hash: the same as a HEAD announcing none', async () => {
    // the monolith states the size of its 5 MB file, the candidate streams it and cannot: no body either way
    const monolith = await startUpstream('monolith');
    cleanups.push(() => monolith.close());
    monolith.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '5000000' }).end();
    const candidate = await startUpstream('candidate');
    cleanups.push(() => candidate.close());
    candidate.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end();
    const h = await startTestProxy(
      testConfig(monolith.url, candidate.url, {
        defaults: { noise: { learn: false }, shadow: { maxBodyBytes: 1024 } },
        routes: [{ id: 'file', method: 'HEAD', path: '/files/:name', service: 'catalog', mode: 'shadow' }],
      }),
    );
    cleanups.push(() => h.proxy.close());
    const r = await request(h.proxy.url, { method: 'HEAD', path: '/files/a.pdf' });
    assert.equal(r.headers['content-length'], '5000000');
    const [pair] = await h.waitPairs(1);
    assert.equal(pair.monolith.truncated, false, 'no byte arrived: nothing was cut');
    assert.deepEqual(diffResponses(pair.monolith, pair.candidate!, {}), []);
  });
});

describe('shadow: what is copied', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let h: Harness;
  let close: () => Promise<void>;

  before(async () => {
    ({ monolith, candidate, h, close } = await startStack((monolithUrl, candidateUrl) =>
      testConfig(monolithUrl, candidateUrl, {
        defaults: { noise: { learn: true, sample: 1 } },
        routes: [
          { id: 'orders', method: '*', path: '/orders', service: 'catalog', mode: 'shadow' },
          { id: 'cart', method: '*', path: '/cart/*', service: 'catalog', mode: 'shadow', writes: true },
          { id: 'noisy', method: 'GET', path: '/noisy', service: 'catalog', mode: 'shadow' },
        ],
      }),
    ));
  });
  after(() => close());

  test('unsafe methods are not copied (the candidate sees zero POST/PUT/PATCH/DELETE) and are counted', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await request(h.proxy.url, { method, path: '/orders', body: '{"qty":1}', headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 200);
    }
    assert.equal(monolith.seen.filter((s) => s.url === '/orders').length, 4);
    assert.equal(candidate.seen.filter((s) => s.url === '/orders').length, 0);
    assert.equal(h.proxy.stats().find((s) => s.routeId === 'orders')!.skippedUnsafe, 4);
  });

  test('with writes: true the raw body reaches both sides byte-identical', async () => {
    // not valid JSON, odd spacing and non-UTF-8 bytes: any re-serialisation would change it
    const body = Buffer.concat([Buffer.from('{ "qty" :1,\n"note":"\u00e9" '), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('}')]);
    const n = h.pairs.length;
    await request(h.proxy.url, { method: 'POST', path: '/cart/items?x=1', body, headers: { 'content-type': 'application/json' } });
    const [pair] = (await h.waitPairs(n + 1)).slice(n);
    assert.deepEqual(monolith.seen.at(-1)!.body, body);
    const copy = candidate.seen.find((s) => s.url === '/cart/items?x=1' && s.method === 'POST');
    assert.ok(copy, 'the candidate got the POST');
    assert.deepEqual(copy.body, body);
    assert.equal(copy.headers['x-strangler-shadow'], '1');
    assert.deepEqual(pair.request.body, body);
    assert.equal(pair.monolithAgain, undefined, 'writes are never asked twice');
  });

  test('a chunked request body is copied whole', async () => {
    const n = h.pairs.length;
    const parts = ['{"a":', '1,"b":', '[1,2,3]}'];
    await new Promise<void>((resolve, reject) => {
      const url = new URL(`${h.proxy.url}/cart/chunked`);
      const req = net.connect(Number(url.port), '127.0.0.1', () => {
        req.write('PUT /cart/chunked HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n');
        for (const p of parts) req.write(`${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`);
        req.write('0\r\n\r\n');
      });
      req.on('data', () => {});
      req.on('end', () => resolve());
      req.on('error', reject);
    });
    await h.waitPairs(n + 1);
    assert.equal(candidate.seen.find((s) => s.url === '/cart/chunked')?.body.toString(), parts.join(''));
  });

  test('a request body over maxBodyBytes reaches the monolith whole but is not copied (counted as dropped)', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 10, 'x');
    const before = h.proxy.stats().find((s) => s.routeId === 'cart')!.dropped;
    const r = await request(h.proxy.url, { method: 'PUT', path: '/cart/big', body: big });
    assert.equal(r.status, 200);
    assert.equal(monolith.seen.find((s) => s.url === '/cart/big')?.body.length, big.length);
    await until(() => h.proxy.stats().find((s) => s.routeId === 'cart')!.dropped === before + 1, 'dropped counted');
    assert.equal(candidate.seen.some((s) => s.url === '/cart/big'), false);
  });

  test('noise learning: a sampled safe request is asked of the monolith a second time', async () => {
    let i = 0;
    const previous = monolith.handler;
    monolith.handler = (req, res) => (req.url === '/noisy' ? res.end(`{"servedAt":${++i}}`) : previous(req, res, Buffer.alloc(0)));
    const n = h.pairs.length;
    await request(h.proxy.url, { path: '/noisy' });
    const [pair] = (await h.waitPairs(n + 1)).slice(n);
    monolith.handler = previous;
    assert.ok(pair.monolithAgain, 'monolithAgain present with noise.sample = 1');
    assert.notEqual(pair.monolith.body?.toString(), pair.monolithAgain.body?.toString());
    assert.equal(monolith.seen.filter((s) => s.url === '/noisy' && s.headers['x-strangler-shadow'] === '1').length, 1);
  });
});

describe('shadow: the noise sample settles', () => {
  test('after settleAfter samples on a route the monolith is asked again at the settled share only', async () => {
    const monolith = await startUpstream('monolith');
    const candidate = await startUpstream('candidate');
    const h = await startTestProxy(
      testConfig(monolith.url, candidate.url, {
        // every request sampled until 3 samples, then none: the counts below are exact, not statistical
        defaults: { noise: { learn: true, sample: 1, settleAfter: 3, settledSample: 0 } },
        routes: [
          { id: 'a', method: 'GET', path: '/a', service: 'catalog', mode: 'shadow' },
          { id: 'b', method: 'GET', path: '/b', service: 'catalog', mode: 'shadow' },
        ],
      }),
    );
    try {
      const asked = (url: string) => monolith.seen.filter((s) => s.url === url && s.headers['x-strangler-shadow'] === '1').length;
      for (let i = 0; i < 5; i++) await request(h.proxy.url, { path: '/a' });
      await h.waitPairs(5);
      assert.equal(asked('/a'), 3, 'three noise samples, then none');
      assert.equal(h.pairs.filter((p) => p.monolithAgain !== undefined).length, 3);
      // the count is per route: another route still learns
      await request(h.proxy.url, { path: '/b' });
      const [pair] = (await h.waitPairs(6)).slice(5);
      assert.ok(pair.monolithAgain, 'route b is sampled');
      assert.equal(asked('/b'), 1);
    } finally {
      await h.proxy.close();
      await monolith.close();
      await candidate.close();
    }
  });
});

describe('shadow: concurrency cap', () => {
  test('copies beyond the cap are dropped and counted, never queued; clients are not delayed', async () => {
    const monolith = await startUpstream('monolith');
    const candidate = await startUpstream('candidate');
    const held: (() => void)[] = [];
    candidate.handler = (_req, res) => held.push(() => res.end('{}'));
    const h = await startTestProxy(
      testConfig(monolith.url, candidate.url, {
        defaults: { noise: { learn: false }, shadow: { concurrency: 2, timeoutMs: 10_000 } },
        routes: [{ id: 'book', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' }],
      }),
    );
    try {
      const responses = await Promise.all([1, 2, 3, 4, 5].map((i) => request(h.proxy.url, { path: `/books/${i}` })));
      // all five clients were answered while the candidate still holds both copies it received
      assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 200]);
      await until(() => held.length === 2, 'two copies at the candidate');
      const s = h.proxy.stats()[0];
      assert.equal(s.shadowed, 2);
      assert.equal(s.dropped, 3);
      assert.equal(s.droppedSlow, 0, 'the cap itself, not a slow candidate\'s limit');
      for (const release of held) release();
      await h.waitPairs(2);
      // slots are free again once the copies finished
      await request(h.proxy.url, { path: '/books/6' });
      await until(() => held.length === 3, 'a new copy after slots freed');
      held[2]();
      await h.waitPairs(3);
    } finally {
      await h.proxy.close();
      await monolith.close();
      await candidate.close();
    }
  });
});

describe('shadow: a candidate much slower than the monolith (shadow.adaptive)', () => {
  /** Rounds of 8 requests at once, each round's copies answered 80 ms after the monolith's, until done() or 40 rounds. */
  async function slowRounds(h: Harness, done: () => boolean): Promise<number> {
    let pairs = 0;
    for (let round = 0; round < 40 && !done(); round++) {
      const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => request(h.proxy.url, { path: `/books/${i}` })));
      assert.deepEqual(new Set(rs.map((r) => r.status)), new Set([200]));
      pairs += 8;
      await h.waitPairs(pairs);
    }
    return pairs;
  }

  async function slowStack(shadow: Record<string, unknown>) {
    const monolith = await startUpstream('monolith');
    const candidate = await startUpstream('candidate');
    candidate.handler = (_req, res) => void setTimeout(() => res.end('{}'), 80);
    const log = captureLogger();
    const upstreams = async () => {
      await monolith.close();
      await candidate.close();
    };
    const h = await startTestProxy(
      testConfig(monolith.url, candidate.url, {
        defaults: { noise: { learn: false }, shadow: { concurrency: 8, timeoutMs: 10_000, ...shadow } },
        routes: [{ id: 'book', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' }],
      }),
      { logger: log.logger },
    ).catch(async (err: unknown) => {
      await upstreams();
      throw err;
    });
    const close = async () => {
      await h.proxy.close();
      await upstreams();
    };
    return { candidate, h, log, close };
  }

  /** 8 requests at once with the candidate holding its answers: how many were copied, how many dropped. */
  async function burst(h: Harness, candidate: Upstream, expectCopies: number): Promise<{ copied: number; dropped: number; droppedSlow: number }> {
    const held: (() => void)[] = [];
    candidate.handler = (_req, res) => void held.push(() => res.end('{}'));
    const before = h.proxy.stats()[0];
    const rs = await Promise.all(Array.from({ length: 8 }, () => request(h.proxy.url, { path: '/books/1' })));
    assert.deepEqual(new Set(rs.map((r) => r.status)), new Set([200]), 'every client answered while the copies are held');
    await until(() => held.length === expectCopies, `${expectCopies} copies at the candidate`);
    const after = h.proxy.stats()[0];
    for (const answer of held) answer();
    return { copied: after.shadowed - before.shadowed, dropped: after.dropped - before.dropped, droppedSlow: after.droppedSlow - before.droppedSlow };
  }

  test('after a second of slow copies it gets half the copies in flight, and a warning says so', async () => {
    const { candidate, h, log, close } = await slowStack({});
    try {
      const limited = () => log.lines.find((l) => String(l.msg).includes('copies in flight limited to'));
      await slowRounds(h, () => limited() !== undefined);
      const line = limited();
      assert.ok(line, 'the limit moved within 40 rounds');
      assert.equal(line.level, 40, 'at warn');
      assert.equal(line.service, 'catalog');
      assert.equal(line.from, 8);
      assert.equal(line.to, 4);
      const routes = await request(h.proxy.adminUrl, { path: '/api/routes', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const view = (JSON.parse(routes.body.toString()) as { routes: RouteView[] }).routes[0];
      assert.deepEqual(view.copyLimit, { limit: 4, cap: 8 }, 'the admin API says the route\'s copies are limited');
      assert.deepEqual(await burst(h, candidate, 4), { copied: 4, dropped: 4, droppedSlow: 4 });
      const metrics = await request(h.proxy.adminUrl, { path: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.match(metrics.body.toString(), /^strangler_shadow_dropped_slow_total\{route="book",service="catalog"\} 4$/m);
      assert.match(metrics.body.toString(), /^strangler_shadow_copy_limit\{route="book",service="catalog"\} 4$/m);
    } finally {
      await close();
    }
  });

  test('with adaptive: false the cap alone applies', async () => {
    const { candidate, h, log, close } = await slowStack({ adaptive: false });
    try {
      const started = performance.now();
      await slowRounds(h, () => performance.now() - started > 1_300);
      assert.equal(log.lines.filter((l) => String(l.msg).includes('copies in flight')).length, 0);
      assert.deepEqual(await burst(h, candidate, 8), { copied: 8, dropped: 0, droppedSlow: 0 });
      const routes = await request(h.proxy.adminUrl, { path: '/api/routes', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal((JSON.parse(routes.body.toString()) as { routes: RouteView[] }).routes[0].copyLimit, undefined, 'no limit, nothing said');
      const metrics = await request(h.proxy.adminUrl, { path: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.doesNotMatch(metrics.body.toString(), /^strangler_shadow_copy_limit\{/m);
    } finally {
      await close();
    }
  });
});

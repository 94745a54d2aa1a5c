// Response trailers (a chunked answer's fields after its body) reach the client in every mode that serves an
// upstream's answer, and the Trailer header that announces them goes on where the client's answer is chunked.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { rawExchange, statusOf } from '../resilience/fixtures.ts';
import { startStack, testConfig, type Stack } from './helpers.ts';

/** A GET through node's client: status, headers, body and the trailers it read after the body. */
function get(url: string, path: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; trailers: NodeJS.Dict<string> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, trailers: res.trailers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('response trailers', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack((m, c) =>
      testConfig(m, c, {
        routes: [
          { id: 'legacy', method: 'GET', path: '/legacy', service: 'catalog', mode: 'legacy' },
          { id: 'shadow', method: 'GET', path: '/shadow', service: 'catalog', mode: 'shadow' },
          { id: 'canary', method: 'GET', path: '/canary', service: 'catalog', mode: 'canary', canary: { percent: 100 } },
          { id: 'migrated', method: 'GET', path: '/migrated', service: 'catalog', mode: 'migrated' },
          { id: 'fallback', method: 'GET', path: '/fallback', service: 'catalog', mode: 'migrated', fallback: true },
          { id: 'head', method: 'GET', path: '/head', service: 'catalog', mode: 'legacy' },
          { id: 'empty', method: 'GET', path: '/empty', service: 'catalog', mode: 'legacy' },
          { id: 'plain', method: 'GET', path: '/plain', service: 'catalog', mode: 'legacy' },
        ],
      }),
    );
    for (const [up, name] of [
      [stack.monolith, 'monolith'],
      [stack.candidate, 'candidate'],
    ] as const) {
      up.handler = (req, res) => {
        if (name === 'candidate' && req.url === '/fallback') {
          res.statusCode = 503;
          return void res.end('down');
        }
        if (req.url === '/empty') {
          // a 204 that still announces trailers: it has no body to carry them, and node refuses Trailer on it
          res.socket!.write('HTTP/1.1 204 No Content\r\ntrailer: x-checksum\r\n\r\n');
          return void res.socket!.end();
        }
        if (req.url === '/plain') {
          // Trailer announced on an answer with a length: nothing to carry trailers either
          res.socket!.write('HTTP/1.1 200 OK\r\ntrailer: x-checksum\r\ncontent-length: 2\r\n\r\nok');
          return void res.socket!.end();
        }
        if (req.method === 'HEAD') {
          res.socket!.write('HTTP/1.1 200 OK\r\ntrailer: x-checksum\r\ntransfer-encoding: chunked\r\n\r\n');
          return void res.socket!.end();
        }
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum, x-served-by' });
        res.write('part one, ');
        res.addTrailers({ 'x-checksum': `sum-of-${name}`, 'x-served-by': name });
        res.end('part two');
      };
    }
  });
  after(() => stack?.close());

  const served: [string, string][] = [
    ['legacy', 'monolith'],
    ['shadow', 'monolith'],
    ['canary', 'candidate'],
    ['migrated', 'candidate'],
    ['fallback', 'monolith'],
  ];
  for (const [mode, side] of served) {
    test(`${mode}: the ${side}'s trailers reach the client after the body, announced by its Trailer header`, async () => {
      const r = await get(stack.h.proxy.url, `/${mode}`);
      assert.equal(r.status, 200);
      assert.equal(r.body, 'part one, part two');
      assert.equal(r.headers['transfer-encoding'], 'chunked');
      assert.equal(r.headers.trailer, 'x-checksum, x-served-by');
      assert.deepEqual({ ...r.trailers }, { 'x-checksum': `sum-of-${side}`, 'x-served-by': side });
    });
  }

  test('the shadow pair still completes (trailers are not compared)', async () => {
    const before = stack.h.pairs.length;
    await get(stack.h.proxy.url, '/shadow');
    const [pair] = (await stack.h.waitPairs(before + 1)).slice(before);
    assert.equal(pair.monolith.body?.toString(), 'part one, part two');
    assert.equal(pair.candidate?.body?.toString(), 'part one, part two');
  });

  test('where the answer cannot carry trailers (a HEAD, a 204, a length, an HTTP/1.0 client) Trailer is dropped and the proxy keeps serving', async () => {
    const head = await get(stack.h.proxy.url, '/head', 'HEAD');
    assert.equal(head.status, 200);
    const empty = await get(stack.h.proxy.url, '/empty');
    assert.equal(empty.status, 204);
    assert.equal(empty.headers.trailer, undefined);
    const plain = await get(stack.h.proxy.url, '/plain');
    assert.equal(plain.status, 200);
    assert.equal(plain.body, 'ok');
    assert.equal(plain.headers.trailer, undefined);
    // HTTP/1.0 has no chunked answers: the body comes whole, closed by the end of the connection, without trailers
    const old = await rawExchange(stack.h.proxy.url, 'GET /legacy HTTP/1.0\r\n\r\n');
    assert.equal(statusOf(old), 200, old.slice(0, 200));
    assert.doesNotMatch(old, /^trailer:/im);
    assert.ok(old.endsWith('\r\n\r\npart one, part two'), old);
    const again = await get(stack.h.proxy.url, '/legacy');
    assert.equal(again.trailers['x-served-by'], 'monolith');
  });
});

// TE is hop-by-hop, but its `trailers` member is the client's word that it reads trailers (RFC 9110 §10.1.4): an upstream
// that sends them only when asked (gRPC-style) must hear it. The proxy says it upstream, with the TE connection option
// that must go with it, and nothing else of the client's TE; shadow copies never carry it.
describe('TE: trailers', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack((m, c) =>
      testConfig(m, c, {
        routes: [
          { id: 'legacy', method: 'GET', path: '/legacy', service: 'catalog', mode: 'legacy' },
          { id: 'shadow', method: 'GET', path: '/shadow', service: 'catalog', mode: 'shadow' },
          { id: 'migrated', method: 'GET', path: '/migrated', service: 'catalog', mode: 'migrated' },
        ],
      }),
    );
    for (const [up, name] of [
      [stack.monolith, 'monolith'],
      [stack.candidate, 'candidate'],
    ] as const) {
      up.handler = (req, res) => {
        // trailers only for a client that said it reads them
        const asked = req.headers.te === 'trailers';
        res.writeHead(200, asked ? { trailer: 'grpc-status' } : {});
        res.write('body');
        if (asked) res.addTrailers({ 'grpc-status': '0', 'x-served-by': name });
        res.end();
      };
    }
  });
  after(() => stack?.close());

  function send(path: string, headers: http.OutgoingHttpHeaders): Promise<{ status: number; headers: http.IncomingHttpHeaders; trailers: NodeJS.Dict<string> }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${stack.h.proxy.url}${path}`, { headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, trailers: res.trailers }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  for (const [mode, side] of [
    ['legacy', 'monolith'],
    ['shadow', 'monolith'],
    ['migrated', 'candidate'],
  ] as const) {
    test(`${mode}: a client's TE: trailers reaches the ${side} (with Connection: TE) and its trailers reach the client`, async () => {
      const up = side === 'monolith' ? stack.monolith : stack.candidate;
      const r = await send(`/${mode}`, { te: 'trailers', connection: 'TE' });
      assert.equal(r.status, 200);
      assert.deepEqual({ ...r.trailers }, { 'grpc-status': '0', 'x-served-by': side });
      const got = up.seen.at(-1)!;
      assert.equal(got.headers.te, 'trailers');
      assert.match(got.headers.connection ?? '', /(^|, )te$/i, 'the TE connection option goes with it (RFC 9110 §10.1.4)');
      assert.equal(r.headers.connection?.toLowerCase().includes('te'), false, 'the client\'s answer does not repeat it');
    });
  }

  test('only the trailers member goes on: other transfer codings are hop-by-hop, in any case and spacing', async () => {
    await send('/legacy', { te: 'gzip;q=0.5, Trailers ,deflate' });
    assert.equal(stack.monolith.seen.at(-1)!.headers.te, 'trailers');
    const r = await send('/legacy', { te: 'gzip, deflate;q=0.2' });
    assert.equal(stack.monolith.seen.at(-1)!.headers.te, undefined);
    assert.deepEqual({ ...r.trailers }, {});
    await send('/legacy', {});
    assert.equal(stack.monolith.seen.at(-1)!.headers.te, undefined);
    assert.doesNotMatch(stack.monolith.seen.at(-1)!.headers.connection ?? '', /te/i);
  });

  test('a shadow copy does not carry it (the pair still completes)', async () => {
    const before = stack.h.pairs.length;
    await send('/shadow', { te: 'trailers' });
    await stack.h.waitPairs(before + 1);
    const copy = stack.candidate.seen.at(-1)!;
    assert.equal(copy.headers['x-strangler-shadow'], '1');
    assert.equal(copy.headers.te, undefined);
    assert.equal(stack.monolith.seen.at(-1)!.headers.te, 'trailers');
  });

  test('an HTTP/1.0 client\'s TE: trailers does not go on: its answer cannot carry trailers', async () => {
    const text = await rawExchange(stack.h.proxy.url, 'GET /legacy HTTP/1.0\r\nTE: trailers\r\nConnection: TE\r\n\r\n');
    assert.equal(statusOf(text), 200);
    assert.equal(stack.monolith.seen.at(-1)!.headers.te, undefined);
  });
});

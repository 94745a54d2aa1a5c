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

// An upstream closes a kept-alive connection as the proxy sends the next request on it (its idle timeout ran out at
// that moment): the request goes again, once, on another connection, when it is idempotent and has no body; other
// requests get the 502 of the failure contract, as does a failure on a fresh connection.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { json, request, startStack, testConfig, type Stack } from './helpers.ts';

describe('a kept-alive upstream connection closed under a request', () => {
  let stack: Stack;
  /** requests served per upstream connection, and which of them the monolith drops (1: a fresh connection's first) */
  let served = new WeakMap<Socket, number>();
  let drop: (nth: number) => boolean = () => false;
  let attempts: string[] = [];

  before(async () => {
    stack = await startStack((m, c) =>
      testConfig(m, c, {
        routes: [
          { id: 'items', method: 'GET', path: '/items', service: 'catalog', mode: 'legacy' },
          { id: 'shadowed', method: 'GET', path: '/shadowed', service: 'catalog', mode: 'shadow' },
          { id: 'remove', method: 'DELETE', path: '/items/:id', service: 'catalog', mode: 'legacy' },
          { id: 'create', method: 'POST', path: '/items', service: 'catalog', mode: 'legacy' },
          { id: 'replace', method: 'PUT', path: '/items/:id', service: 'catalog', mode: 'legacy' },
        ],
      }),
    );
    stack.monolith.handler = (req, res) => {
      const socket = req.socket;
      const n = (served.get(socket) ?? 0) + 1;
      served.set(socket, n);
      attempts.push(`${req.method} ${req.url} #${n}`);
      // as a server whose keep-alive timer fired: the connection closes, nothing is answered
      if (drop(n)) return void socket.destroy();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, nth: n }));
    };
  });
  after(() => stack.close());
  beforeEach(async () => {
    served = new WeakMap();
    attempts = [];
    drop = () => false;
    // the proxy's pool starts each test with one kept-alive connection to the monolith
    const warm = await request(stack.h.proxy.url, { path: '/items' });
    assert.equal(warm.status, 200);
    attempts = [];
    drop = (n) => n === 2;
  });

  test('a GET goes again on another connection and the client gets the answer', async () => {
    const r = await request(stack.h.proxy.url, { path: '/items' });
    assert.equal(r.status, 200, r.body.toString());
    assert.deepEqual(json(r.body), { method: 'GET', nth: 1 });
    assert.deepEqual(attempts, ['GET /items #2', 'GET /items #1']);
  });

  test('in shadow mode the answer sent again is the one served and compared, once', async () => {
    const before = stack.h.pairs.length;
    const r = await request(stack.h.proxy.url, { path: '/shadowed' });
    assert.equal(r.status, 200);
    assert.deepEqual(json(r.body), { method: 'GET', nth: 1 });
    const pairs = await stack.h.waitPairs(before + 1);
    assert.equal(pairs.length, before + 1);
    assert.equal(pairs[before].monolith.status, 200);
    assert.deepEqual(attempts, ['GET /shadowed #2', 'GET /shadowed #1']);
  });

  test('a DELETE and a PUT without a body are idempotent: sent again', async () => {
    assert.equal((await request(stack.h.proxy.url, { method: 'DELETE', path: '/items/7' })).status, 200);
    assert.equal((await request(stack.h.proxy.url, { method: 'PUT', path: '/items/7' })).status, 200);
    assert.deepEqual(attempts, ['DELETE /items/7 #2', 'DELETE /items/7 #1', 'PUT /items/7 #2', 'PUT /items/7 #1']);
  });

  test('a POST is not sent twice: the client gets 502, the monolith saw it once', async () => {
    const r = await request(stack.h.proxy.url, { method: 'POST', path: '/items' });
    assert.equal(r.status, 502);
    assert.equal(json(r.body).reason, 'reset');
    assert.deepEqual(attempts, ['POST /items #2']);
  });

  test('a PUT with a body is not sent twice (its body went with the first attempt)', async () => {
    const r = await request(stack.h.proxy.url, { method: 'PUT', path: '/items/7', body: '{"title":"x"}', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 502);
    assert.deepEqual(attempts, ['PUT /items/7 #2']);
  });

  test('a fresh connection closed under a GET is a 502: nothing was kept alive, nothing is sent again', async () => {
    drop = (n) => n === 1;
    // two requests at once: one takes the kept-alive connection (served), the other opens a new one (dropped)
    const results = await Promise.all([request(stack.h.proxy.url, { path: '/items' }), request(stack.h.proxy.url, { path: '/items' })]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 502]);
    assert.equal(attempts.length, 2);
  });

  test('sent again once only: a second closed connection is a 502', async () => {
    drop = () => true; // the retry's fresh connection is closed under it too
    const r = await request(stack.h.proxy.url, { path: '/items' });
    assert.equal(r.status, 502);
    assert.deepEqual(attempts, ['GET /items #2', 'GET /items #1']);
  });
});

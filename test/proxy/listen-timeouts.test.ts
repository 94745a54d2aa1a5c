// The proxy's own listener takes its keep-alive and request timeouts from `listen`: behind a load balancer the idle
// timeout must outlast the balancer's, and a client that never finishes its headers gets node's 408.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { startStack, testConfig, type Stack } from './helpers.ts';
import { rawExchange, statusOf } from '../resilience/fixtures.ts';

describe('listen timeouts', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack((m, c) => {
      const config = testConfig(m, c, { routes: [{ id: 'books', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'legacy' }] });
      return { ...config, listen: { ...config.listen, keepAliveTimeoutMs: 200, headersTimeoutMs: 300, requestTimeoutMs: 1_000 } };
    });
  });
  after(() => stack.close());

  test('an idle client connection is closed after keepAliveTimeoutMs (node keeps it 5 s by default)', async () => {
    const socket = net.connect(Number(new URL(stack.h.proxy.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /books/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    const [head] = (await once(socket, 'data')) as [Buffer];
    assert.equal(statusOf(head.toString('latin1')), 200);
    const answered = performance.now();
    await once(socket, 'close');
    const idle = performance.now() - answered;
    assert.ok(idle >= 150 && idle < 2_000, `closed after ${Math.round(idle)} ms idle`);
  });

  test('headers not finished within headersTimeoutMs: 408, and the connection closes', async () => {
    const seen = stack.monolith.seen.length;
    const started = performance.now();
    const text = await rawExchange(stack.h.proxy.url, 'GET /books/1 HTTP/1.1\r\nHost: x\r\n', { idleMs: 10_000 });
    assert.equal(statusOf(text), 408);
    assert.ok(performance.now() - started >= 250, 'not before the timeout');
    assert.equal(stack.monolith.seen.length, seen, 'nothing reached the monolith');
  });
});

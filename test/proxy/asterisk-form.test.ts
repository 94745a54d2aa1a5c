// The asterisk-form request target (RFC 9112 §3.2.4): `OPTIONS * HTTP/1.1` asks about the server as a whole. It matches
// no route, goes to the monolith with its target `*` as it came (not `/*`), is never copied or sent to a service; any
// other method with the target `*` is the proxy's own 400 refusal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamPath } from '../../proxy/forward.ts';
import { headerOf, rawExchange, statusOf } from '../resilience/fixtures.ts';
import { captureLogger, startStack, testConfig, until, type Stack } from './helpers.ts';


for (const mode of ['migrated', 'shadow'] as const) {
  describe(`OPTIONS * with a catch-all route (* /*) in ${mode} mode`, () => {
    let stack: Stack;
    let lines: Record<string, unknown>[];

    before(async () => {
      const captured = captureLogger();
      lines = captured.lines;
      stack = await startStack(
        (m, c) => testConfig(m, c, { routes: [{ id: 'all', method: '*', path: '/*', service: 'catalog', mode, writes: true }] }),
        { logger: captured.logger },
      );
    });
    after(() => stack.close());

    test('reaches the monolith as OPTIONS * (not /*), its answer reaches the client; no copy, no service', async () => {
      const text = await rawExchange(stack.h.proxy.url, 'OPTIONS * HTTP/1.1\r\nHost: shop.example\r\nx-request-id: ask-1\r\nConnection: close\r\n\r\n');
      assert.equal(statusOf(text), 200, text);
      assert.equal(headerOf(text, 'x-request-id'), 'ask-1');
      assert.deepEqual(
        stack.monolith.seen.map((s) => [s.method, s.url, s.headers.host]),
        [['OPTIONS', '*', 'shop.example']],
      );
      assert.equal(stack.candidate.seen.length, 0, 'nothing reached the service');
      assert.equal(stack.h.pairs.length, 0);
      await until(() => lines.some((l) => l.reqId === 'ask-1' && l.status === 200), 'the access line');
      const line = lines.find((l) => l.reqId === 'ask-1')!;
      assert.deepEqual([line.route, line.upstream], ['(default)', 'legacy']);
      // the catch-all route was not matched: its requests are not counted and no copy was begun (copies are its)
      assert.deepEqual([stack.h.proxy.stats()[0].requests, stack.h.proxy.stats()[0].shadowed], [0, 0]);
    });

    test('any other method with the target *: 400 from the proxy (refused, counted, logged, with an id), never forwarded', async () => {
      const seen = stack.monolith.seen.length;
      for (const method of ['GET', 'POST', 'DELETE', 'HEAD']) {
        const refusedBefore = lines.filter((l) => l.msg === 'refused').length;
        const text = await rawExchange(stack.h.proxy.url, `${method} * HTTP/1.1\r\nHost: shop.example\r\nx-request-id: star-${method}\r\nConnection: close\r\n\r\n`);
        assert.equal(statusOf(text), 400, `${method}: ${text}`);
        assert.equal(headerOf(text, 'x-request-id'), `star-${method}`);
        if (method !== 'HEAD') assert.match(text, /"error":"invalid request target: the asterisk form \(\*\) is only for OPTIONS/);
        await until(() => lines.filter((l) => l.msg === 'refused').length === refusedBefore + 1, 'the refusal line');
        const line = lines.filter((l) => l.msg === 'refused').at(-1)!;
        assert.deepEqual([line.refused, line.method, line.target, line.status, line.reqId], ['target-invalid', method, '*', 400, `star-${method}`]);
      }
      // a WebSocket upgrade is a GET: the same refusal
      const upgrade = await rawExchange(stack.h.proxy.url, 'GET * HTTP/1.1\r\nHost: shop.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      assert.equal(statusOf(upgrade), 400, upgrade);
      assert.equal(stack.monolith.seen.length, seen, 'none reached the monolith');
      assert.equal(stack.candidate.seen.length, 0);
      assert.equal(stack.h.proxy.refused()['target-invalid'], 5);
    });
  });
}

describe('upstreamPath', () => {
  test('the asterisk form goes upstream as it came, whatever the upstream URL\'s own path', () => {
    assert.equal(upstreamPath('/', '*'), '*');
    assert.equal(upstreamPath('/app/', '*'), '*');
    assert.equal(upstreamPath('/app', '/books/1'), '/app/books/1');
  });
});

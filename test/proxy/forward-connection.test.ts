// The fields a client's Connection names are hop-by-hop and stay on its hop, but for those the request needs end to
// end: Host (required in HTTP/1.1; the upstream would get the proxy's) and the fields that frame the body
// (Content-Length, Transfer-Encoding: the body node's parser read must go on, framed as it was read).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawExchange, statusOf } from '../resilience/fixtures.ts';
import { startStack, testConfig, until, type Stack } from './helpers.ts';

describe("a client's Connection naming fields the request needs end to end", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack((m, c) =>
      testConfig(m, c, { routes: [{ id: 'copied', method: 'POST', path: '/copied', service: 'catalog', mode: 'shadow', writes: true }] }),
    );
  });
  after(() => stack.close());

  /** The statuses of every answer in a raw exchange (pipelined requests answer in order). */
  const statuses = (raw: string) => [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

  test('Host stays (and is the x-forwarded-host); the other names go', async () => {
    stack.monolith.seen.length = 0;
    const raw = await rawExchange(stack.h.proxy.url, 'GET /a HTTP/1.1\r\nHost: shop.example\r\nConnection: close, Host, X-Drop-Me\r\nX-Drop-Me: 1\r\n\r\n');
    assert.equal(statusOf(raw), 200);
    const seen = stack.monolith.seen.at(-1)!;
    assert.equal(seen.headers.host, 'shop.example', 'the client\'s Host, not the proxy\'s view of the upstream');
    assert.equal(seen.headers['x-forwarded-host'], 'shop.example');
    assert.equal(seen.headers['x-drop-me'], undefined);
  });

  test('Content-Length stays: the body goes on as read, and the connection after it', async () => {
    stack.monolith.seen.length = 0;
    const raw = await rawExchange(
      stack.h.proxy.url,
      'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: Content-Length\r\n\r\nhello' + 'GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    assert.deepEqual(statuses(raw), [200, 200]);
    assert.deepEqual(
      stack.monolith.seen.map((s) => [s.method, s.url, s.headers['content-length'], s.body.toString()]),
      [
        ['POST', '/a', '5', 'hello'],
        ['GET', '/b', undefined, ''],
      ],
    );
  });

  test('Transfer-Encoding stays: a chunked body goes on (re-chunked by the proxy), and the connection after it', async () => {
    stack.monolith.seen.length = 0;
    const raw = await rawExchange(
      stack.h.proxy.url,
      'POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: transfer-encoding\r\n\r\n5\r\nhello\r\n0\r\n\r\n' +
        'GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    assert.deepEqual(statuses(raw), [200, 200]);
    assert.deepEqual(
      stack.monolith.seen.map((s) => [s.method, s.url, s.headers['transfer-encoding'], s.body.toString()]),
      [
        ['POST', '/a', 'chunked', 'hello'],
        ['GET', '/b', undefined, ''],
      ],
    );
  });

  test('a shadow copy carries the body too', async () => {
    stack.candidate.seen.length = 0;
    const raw = await rawExchange(stack.h.proxy.url, 'POST /copied HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close, content-length\r\n\r\nhello');
    assert.equal(statusOf(raw), 200);
    await until(() => stack.candidate.seen.length > 0, 'the copy');
    assert.equal(stack.candidate.seen[0].body.toString(), 'hello');
    assert.equal(stack.monolith.seen.at(-1)!.body.toString(), 'hello');
  });
});

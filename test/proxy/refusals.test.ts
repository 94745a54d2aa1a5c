// The proxy's own refusals (a duplicate or invalid Host, an absolute-form target it does not take, a transfer coding it
// does not pass on): each one answered with an x-request-id, one log line and a count by reason in GET /api/routes and
// /metrics; a flood of them writes at most REFUSAL_LINES_PER_SECOND lines a second and one saying how many were held back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import http from 'node:http';
import { cutForLog, onClientError, packetForLog, Refusals } from '../../proxy/refusals.ts';
import { ADMIN_TOKEN, captureLogger, request, startStack, testConfig, until, type Stack } from './helpers.ts';
import { headerOf, rawExchange, statusOf } from '../resilience/fixtures.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('refusals: logged and counted', () => {
  let stack: Stack;
  let lines: Record<string, unknown>[];

  before(async () => {
    const captured = captureLogger();
    lines = captured.lines;
    stack = await startStack(
      (monolithUrl, candidateUrl) =>
        testConfig(monolithUrl, candidateUrl, {
          routes: [
            { id: 'books', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'legacy' },
            { id: 'upload', method: 'POST', path: '/upload', service: 'catalog', mode: 'legacy' },
          ],
        }),
      { logger: captured.logger },
    );
  });
  after(() => stack.close());

  const refusedLines = () => lines.filter((l) => l.msg === 'refused');
  const fieldsOf = (l: Record<string, unknown>) => ({ ...l, time: undefined, pid: undefined, hostname: undefined });

  test('a duplicate Host: one line at warn (method, path without its query, route, status, the client\'s id, why), the id on the answer', async () => {
    const before = refusedLines().length;
    const text = await rawExchange(stack.h.proxy.url, 'GET /books/1?secret=1 HTTP/1.1\r\nHost: a\r\nHost: b\r\nx-request-id: scan-1\r\n\r\n');
    assert.equal(statusOf(text), 400);
    assert.equal(headerOf(text, 'x-request-id'), 'scan-1');
    await until(() => refusedLines().length === before + 1, 'the refusal line');
    assert.deepEqual(fieldsOf(refusedLines().at(-1)!), {
      level: 40, time: undefined, pid: undefined, hostname: undefined,
      refused: 'host-duplicate', method: 'GET', path: '/books/1', route: 'books', status: 400, reqId: 'scan-1', client: '127.0.0.1', msg: 'refused',
    });
    assert.equal(stack.monolith.seen.length, 0);
  });

  test('an invalid Host on a path no route matches: no route field, a generated id (the same on the answer)', async () => {
    const before = refusedLines().length;
    const text = await rawExchange(stack.h.proxy.url, 'GET /elsewhere HTTP/1.1\r\nHost: a/b\r\n\r\n');
    assert.equal(statusOf(text), 400);
    await until(() => refusedLines().length === before + 1, 'the refusal line');
    const line = refusedLines().at(-1)!;
    assert.deepEqual([line.refused, line.path, 'route' in line, line.status], ['host-invalid', '/elsewhere', false, 400]);
    assert.match(String(line.reqId), UUID);
    assert.equal(headerOf(text, 'x-request-id'), line.reqId);
  });

  test('a transfer coding the proxy does not pass on: 501, its line', async () => {
    const before = refusedLines().length;
    const text = await rawExchange(stack.h.proxy.url, 'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    assert.equal(statusOf(text), 501);
    await until(() => refusedLines().length === before + 1, 'the refusal line');
    const line = refusedLines().at(-1)!;
    assert.deepEqual([line.refused, line.method, line.path, line.route, line.status], ['transfer-coding', 'POST', '/upload', 'upload', 501]);
  });

  test('a WebSocket upgrade with two Hosts: its line too', async () => {
    const before = refusedLines().length;
    const text = await rawExchange(stack.h.proxy.url, 'GET /books/2 HTTP/1.1\r\nHost: a\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    assert.equal(statusOf(text), 400);
    assert.match(headerOf(text, 'x-request-id') ?? '', UUID);
    await until(() => refusedLines().length === before + 1, 'the refusal line');
    assert.deepEqual([refusedLines().at(-1)!.refused, refusedLines().at(-1)!.route], ['host-duplicate', 'books']);
  });

  test('an absolute-form target the proxy does not take: 400, its line with the target as received (no path, no route)', async () => {
    const before = refusedLines().length;
    const text = await rawExchange(stack.h.proxy.url, 'GET ftp://files.example/books/1 HTTP/1.1\r\nHost: files.example\r\nx-request-id: scan-2\r\n\r\n');
    assert.equal(statusOf(text), 400);
    assert.equal(headerOf(text, 'x-request-id'), 'scan-2');
    await until(() => refusedLines().length === before + 1, 'the refusal line');
    const line = refusedLines().at(-1)!;
    assert.deepEqual([line.refused, line.target, line.status, line.reqId, 'path' in line, 'route' in line], ['target-invalid', 'ftp://files.example/books/1', 400, 'scan-2', false, false]);
  });

  test('counted by reason in GET /api/routes and /metrics, not in any route\'s requests', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const routes = JSON.parse((await request(stack.h.proxy.adminUrl, { path: '/api/routes', headers: auth })).body.toString()) as {
      refused: Record<string, number>;
      routes: { id: string; stats: { requests: number } }[];
    };
    assert.deepEqual(routes.refused, { 'host-duplicate': 2, 'host-invalid': 1, 'target-invalid': 1, 'transfer-coding': 1, parse: 0, 'headers-too-large': 0, timeout: 0 });
    assert.deepEqual(routes.routes.map((r) => r.stats.requests), [0, 0]);
    const metrics = (await request(stack.h.proxy.adminUrl, { path: '/metrics', headers: auth })).body.toString();
    assert.match(metrics, /^strangler_refused_total\{reason="host-duplicate"\} 2$/m);
    assert.match(metrics, /^strangler_refused_total\{reason="transfer-coding"\} 1$/m);
    assert.match(metrics, /^strangler_refused_total\{reason="target-invalid"\} 1$/m);
    assert.deepEqual(stack.h.proxy.refused(), routes.refused);
  });
});

describe('a flood of refusals: lines capped per second, every one counted', () => {
  function logged() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    return { log: pino({ level: 'info' }, stream), lines };
  }
  const request = { method: 'GET', path: '/x', status: 400, reqId: 'r' };

  test('past the cap nothing is written until the second ends; then one line says how many were held back, by reason', async () => {
    const { log, lines } = logged();
    let now = 1_000;
    const refusals = new Refusals(log, 3, () => now);
    for (let i = 0; i < 5; i++) refusals.refused('host-duplicate', request);
    refusals.refused('transfer-coding', request);
    await until(() => lines.length >= 3, 'lines');
    assert.equal(lines.length, 3, 'three lines in the first second');
    now += 1_000; // the next second: its first refusal says what the last one held back, then its own line
    refusals.refused('host-invalid', request);
    await until(() => lines.length >= 5, 'lines');
    assert.deepEqual([lines[3].suppressed, lines[3].byReason, lines[4].refused], [3, { 'host-duplicate': 2, 'transfer-coding': 1 }, 'host-invalid']);
    assert.deepEqual(refusals.counts, { 'host-duplicate': 5, 'host-invalid': 1, 'target-invalid': 0, 'transfer-coding': 1, parse: 0, 'headers-too-large': 0, timeout: 0 });
    refusals.flush();
  });

  test('when the flood stops, the held-back count is still said at the end of its second', async () => {
    const { log, lines } = logged();
    const refusals = new Refusals(log, 1);
    refusals.refused('host-invalid', request);
    refusals.refused('host-invalid', request);
    await until(() => lines.some((l) => l.suppressed === 1), 'the held-back line', 3000);
    assert.equal(lines.length, 2);
  });
});

describe("Node's parser refusals (clientError): answered as Node answered, logged and counted", () => {
  let stack: Stack;
  let lines: Record<string, unknown>[];

  before(async () => {
    const captured = captureLogger();
    lines = captured.lines;
    stack = await startStack(
      (monolithUrl, candidateUrl) =>
        testConfig(monolithUrl, candidateUrl, { routes: [{ id: 'upload', method: 'POST', path: '/upload', service: 'catalog', mode: 'legacy' }] }),
      { logger: captured.logger },
    );
  });
  after(() => stack.close());

  const refusedLines = () => lines.filter((l) => l.msg === 'refused');
  const answer = (status: number, text: string) => `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`;
  const CASES: { name: string; bytes: string; answer: string; reason: string; code: string; packet?: string }[] = [
    { name: 'a bad request line', bytes: 'THIS IS NOT HTTP\r\n\r\n', answer: answer(400, 'Bad Request'), reason: 'parse', code: 'HPE_INVALID_METHOD', packet: 'THIS IS NOT HTTP\\r\\n\\r\\n' },
    { name: 'Content-Length with Transfer-Encoding', bytes: 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', answer: answer(400, 'Bad Request'), reason: 'parse', code: 'HPE_INVALID_TRANSFER_ENCODING' },
    { name: 'a NUL byte in the path (escaped in the line, with the Authorization value left out)', bytes: 'GET /a\u0000b HTTP/1.1\r\nAuthorization: Bearer s3cret\r\n\r\n', answer: answer(400, 'Bad Request'), reason: 'parse', code: 'HPE_INVALID_URL', packet: 'GET /a\\x00b HTTP/1.1\\r\\nAuthorization: [redacted]\\r\\n\\r\\n' },
    { name: 'an invalid chunked body', bytes: 'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZZ\r\n\r\n', answer: answer(400, 'Bad Request'), reason: 'parse', code: 'HPE_INVALID_CHUNK_SIZE' },
    { name: 'headers over 16 KB', bytes: `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, answer: answer(431, 'Request Header Fields Too Large'), reason: 'headers-too-large', code: 'HPE_HEADER_OVERFLOW' },
  ];
  for (const c of CASES) {
    test(`${c.name}: Node's answer byte for byte, one line (${c.reason})`, async () => {
      const before = refusedLines().length;
      assert.equal(await rawExchange(stack.h.proxy.url, c.bytes), c.answer);
      await until(() => refusedLines().length === before + 1, 'the refusal line');
      const line = refusedLines().at(-1)!;
      assert.deepEqual([line.level, line.refused, line.code, line.status, line.client], [40, c.reason, c.code, Number(c.answer.slice(9, 12)), '127.0.0.1']);
      assert.equal(typeof line.packet, 'string');
      assert.ok((line.packet as string).length <= 201, 'the packet is cut');
      if (c.packet) assert.equal(line.packet, c.packet);
    });
  }

  test('a client that leaves mid-request: answered as Node did, not counted, no line', async () => {
    const before = refusedLines().length;
    const socket = net.connect(Number(new URL(stack.h.proxy.url).port), '127.0.0.1');
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.end('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
    await once(socket, 'close');
    assert.equal(text, answer(400, 'Bad Request'));
    // and one that resets its connection mid-request
    const reset = net.connect(Number(new URL(stack.h.proxy.url).port), '127.0.0.1');
    await once(reset, 'connect');
    reset.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
    const upload = () => stack.h.proxy.stats().find((r) => r.routeId === 'upload')!.requests;
    await until(() => upload() === 2, 'the request received (the one above was the first)');
    reset.resetAndDestroy();
    await once(reset, 'close');
    assert.equal(stack.h.proxy.refused().parse, 4, 'the four parse cases above only');
    assert.equal(refusedLines().length, before);
  });

  test('a bad request pipelined behind one whose answer has begun: no second status line, the connection closed (as Node did)', async () => {
    const handler = stack.monolith.handler;
    stack.monolith.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial'); // and never ends: the connection is cut by the proxy
    };
    try {
      const socket = net.connect(Number(new URL(stack.h.proxy.url).port), '127.0.0.1');
      await once(socket, 'connect');
      let text = '';
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.endsWith('partial\r\n')) socket.write('THIS IS NOT HTTP\r\n\r\n');
      });
      socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
      await once(socket, 'close');
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.equal(text.match(/HTTP\/1\.1/g)?.length, 1, text);
      assert.equal(stack.h.proxy.refused().parse, 5);
    } finally {
      stack.monolith.handler = handler;
    }
  });

  test('counted by reason in GET /api/routes and /metrics', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const routes = JSON.parse((await request(stack.h.proxy.adminUrl, { path: '/api/routes', headers: auth })).body.toString()) as { refused: Record<string, number> };
    assert.deepEqual([routes.refused.parse, routes.refused['headers-too-large'], routes.refused.timeout], [5, 1, 0]);
    const metrics = (await request(stack.h.proxy.adminUrl, { path: '/metrics', headers: auth })).body.toString();
    assert.match(metrics, /^strangler_refused_total\{reason="parse"\} 5$/m);
    assert.match(metrics, /^strangler_refused_total\{reason="headers-too-large"\} 1$/m);
  });

  test("a request that does not arrive in Node's headersTimeout: Node's 408, counted as timeout", async () => {
    const captured = captureLogger();
    const refusals = new Refusals(captured.logger);
    // the proxy's listener on a server whose timeouts are short (the proxy's own are Node's defaults: 60 s, 300 s)
    const server = http.createServer({ headersTimeout: 100, requestTimeout: 200, connectionsCheckingInterval: 20 }, (_req, res) => res.end());
    server.on('clientError', onClientError(refusals));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const text = await rawExchange(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, 'GET / HTTP/1.1\r\nHost: x\r\n');
      assert.equal(text, answer(408, 'Request Timeout'));
      assert.equal(refusals.counts.timeout, 1);
      await until(() => captured.lines.length === 1, 'the line');
      assert.deepEqual([captured.lines[0].refused, captured.lines[0].code, captured.lines[0].status, 'packet' in captured.lines[0]], ['timeout', 'ERR_HTTP_REQUEST_TIMEOUT', 408, false]);
    } finally {
      server.close();
      server.closeAllConnections();
      refusals.flush();
    }
  });

  test('a packet in the log: every byte outside printable ASCII escaped, cut at 200 characters', () => {
    assert.equal(packetForLog(Buffer.from([0x47, 0x0d, 0x0a, 0x09, 0x5c, 0xff, 0x7f, 0x20])), 'G\\r\\n\\t\\\\\\xff\\x7f ');
    const long = packetForLog(Buffer.alloc(5000, 0xfe));
    assert.equal(long, `${'\\xfe'.repeat(50)}…`);
    assert.equal(packetForLog(Buffer.from('Cookie: a=1\r\nX: y')), 'Cookie: [redacted]\\r\\nX: y');
  });

  test('a path or target in the log: cut at 200 characters, never in the middle of a surrogate pair', () => {
    assert.equal(cutForLog('/books/1'), '/books/1');
    assert.equal(cutForLog(`/${'a'.repeat(300)}`), `/${'a'.repeat(199)}…`);
    // an emoji across the cut: left out whole, no lone surrogate in the line
    assert.equal(cutForLog(`/${'a'.repeat(198)}😀tail`), `/${'a'.repeat(198)}…`);
  });
});

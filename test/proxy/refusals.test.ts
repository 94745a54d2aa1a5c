// The proxy's own refusals (a duplicate or invalid Host, an absolute-form target it does not take, a transfer coding it
// does not pass on): each one answered with an x-request-id, one log line and a count by reason in GET /api/routes and
// /metrics; a flood of them writes at most REFUSAL_LINES_PER_SECOND lines a second and one saying how many were held back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { Refusals } from '../../proxy/refusals.ts';
import { ADMIN_TOKEN, captureLogger, request, startStack, testConfig, until, type Stack } from './helpers.ts';

/** Writes `bytes` on a new connection; resolves with everything read until the proxy closed it. */
async function raw(url: string, bytes: string): Promise<string> {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (d) => (text += d.toString('latin1')));
  socket.write(bytes);
  await once(socket, 'close');
  return text;
}
const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
const headerOf = (text: string, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(text.slice(0, text.indexOf('\r\n\r\n')))?.[1]?.trim();
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
    const text = await raw(stack.h.proxy.url, 'GET /books/1?secret=1 HTTP/1.1\r\nHost: a\r\nHost: b\r\nx-request-id: scan-1\r\n\r\n');
    assert.equal(statusOf(text), 400);
    assert.equal(headerOf(text, 'x-request-id'), 'scan-1');
    await until(() => refusedLines().length === before + 1, 'the refusal line');
    assert.deepEqual(fieldsOf(refusedLines().at(-1)!), {
      level: 40, time: undefined, pid: undefined, hostname: undefined,
      refused: 'host-duplicate', method: 'GET', path: '/books/1', route: 'books', status: 400, reqId: 'scan-1', msg: 'refused',
    });
    assert.equal(stack.monolith.seen.length, 0);
  });

  test('an invalid Host on a path no route matches: no route field, a generated id (the same on the answer)', async () => {
    const before = refusedLines().length;
    const text = await raw(stack.h.proxy.url, 'GET /elsewhere HTTP/1.1\r\nHost: a/b\r\n\r\n');
    assert.equal(statusOf(text), 400);
    await until(() => refusedLines().length === before + 1, 'the refusal line');
    const line = refusedLines().at(-1)!;
    assert.deepEqual([line.refused, line.path, 'route' in line, line.status], ['host-invalid', '/elsewhere', false, 400]);
    assert.match(String(line.reqId), UUID);
    assert.equal(headerOf(text, 'x-request-id'), line.reqId);
  });

  test('a transfer coding the proxy does not pass on: 501, its line', async () => {
    const before = refusedLines().length;
    const text = await raw(stack.h.proxy.url, 'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    assert.equal(statusOf(text), 501);
    await until(() => refusedLines().length === before + 1, 'the refusal line');
    const line = refusedLines().at(-1)!;
    assert.deepEqual([line.refused, line.method, line.path, line.route, line.status], ['transfer-coding', 'POST', '/upload', 'upload', 501]);
  });

  test('a WebSocket upgrade with two Hosts: its line too', async () => {
    const before = refusedLines().length;
    const text = await raw(stack.h.proxy.url, 'GET /books/2 HTTP/1.1\r\nHost: a\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    assert.equal(statusOf(text), 400);
    assert.match(headerOf(text, 'x-request-id') ?? '', UUID);
    await until(() => refusedLines().length === before + 1, 'the refusal line');
    assert.deepEqual([refusedLines().at(-1)!.refused, refusedLines().at(-1)!.route], ['host-duplicate', 'books']);
  });

  test('an absolute-form target the proxy does not take: 400, its line with the target as received (no path, no route)', async () => {
    const before = refusedLines().length;
    const text = await raw(stack.h.proxy.url, 'GET ftp://files.example/books/1 HTTP/1.1\r\nHost: files.example\r\nx-request-id: scan-2\r\n\r\n');
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
    assert.deepEqual(routes.refused, { 'host-duplicate': 2, 'host-invalid': 1, 'target-invalid': 1, 'transfer-coding': 1 });
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
    assert.deepEqual(refusals.counts, { 'host-duplicate': 5, 'host-invalid': 1, 'target-invalid': 0, 'transfer-coding': 1 });
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

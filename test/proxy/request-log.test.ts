import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { accessLog, createProxyLogger } from '../../proxy/request-log.ts';

function collector() {
  const lines: string[] = [];
  return { lines, write: (s: string) => void lines.push(...s.split('\n').filter(Boolean)) };
}

const bindings = { route: 'catalog.getBook', mode: 'shadow', upstream: 'legacy' };

test('the access line written directly is the JSON pino writes for the same fields', () => {
  const out = collector();
  const log = createProxyLogger(out);
  for (const [reqId, aborted] of [
    ['0b6c6a8e-5f0e-4bde-9d36-0a2b2f3c4d5e', false],
    ['client "id" with\\escapes\n', true],
    ['', false],
  ] as const) {
    out.lines.length = 0;
    accessLog(log, bindings).request(200, 1.25, reqId, aborted);
    log.child(bindings).info({ status: 200, ms: 1.25, reqId, aborted: aborted || undefined }, 'request');
    assert.equal(out.lines.length, 2);
    const [fast, viaPino] = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(typeof fast.time, 'number');
    assert.deepEqual({ ...fast, time: 0 }, { ...viaPino, time: 0 });
    assert.deepEqual(Object.keys(fast), Object.keys(viaPino), 'same fields in the same order');
    assert.equal(fast.reqId, reqId);
  }
});

test('the access line follows the logger level, also when it changes at run time', () => {
  const out = collector();
  const log = createProxyLogger(out);
  const access = accessLog(log, bindings);
  log.level = 'warn';
  access.request(200, 1, 'a', false);
  assert.equal(out.lines.length, 0);
  log.level = 'info';
  access.request(200, 1, 'b', false);
  assert.equal(out.lines.length, 1);
});

test('without a direct destination (tests, a terminal) the line goes through pino', () => {
  const out = collector();
  const log = pino({ name: 'proxy' }, out);
  accessLog(log, bindings).request(503, 2, 'x', false);
  const line = JSON.parse(out.lines[0]) as Record<string, unknown>;
  assert.equal(line.status, 503);
  assert.equal(line.route, 'catalog.getBook');
  assert.equal(line.msg, 'request');
});

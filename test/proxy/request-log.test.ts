import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const REQUEST_LOG = JSON.stringify(new URL('../../proxy/request-log.ts', import.meta.url).href);
const parseLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** Runs `body` (ES module code with accessLog, createProxyLogger and FILE in scope) with stdout going to a file. */
function withStdoutToFile(body: string): { log: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-log-'));
  try {
    const file = join(dir, 'proxy.log');
    const fd = openSync(file, 'w');
    const script = `import { accessLog, createProxyLogger } from ${REQUEST_LOG};\nconst FILE = ${JSON.stringify(file)};\n${body}`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', fd, 'pipe'],
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' },
      encoding: 'utf8',
    });
    closeSync(fd);
    assert.equal(r.status, 0, r.stderr);
    return { log: readFileSync(file, 'utf8'), stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('logging to a file: lines buffered on the main thread are all written by the time the process exits', () => {
  const { log } = withStdoutToFile(`
    const access = accessLog(createProxyLogger(), { route: 'r', mode: 'legacy', upstream: 'legacy' });
    for (let i = 0; i < 3; i++) access.request(200, i, 'id-' + i, false);
    process.exit(0);`);
  assert.deepEqual(parseLines(log).map((l) => l.reqId), ['id-0', 'id-1', 'id-2']);
});

test('logging to a file: info lines wait for a chunk, a warning goes out at once with the lines before it', () => {
  // the child reads its own log file right after the warning, before any timer or exit could flush it
  const { stderr } = withStdoutToFile(`
    const { readFileSync } = await import('node:fs');
    const log = createProxyLogger();
    accessLog(log, { route: 'r', mode: 'legacy', upstream: 'legacy' }).request(200, 1, 'id-0', false);
    const before = readFileSync(FILE, 'utf8');
    log.warn({ route: 'r' }, 'upstream failed');
    const after = readFileSync(FILE, 'utf8');
    process.stderr.write(JSON.stringify({ before, after }));`);
  const { before, after } = JSON.parse(stderr.slice(stderr.indexOf('{"before"'))) as { before: string; after: string };
  assert.equal(before, '', 'an info line waits in the buffer');
  assert.deepEqual(parseLines(after).map((l) => l.msg), ['request', 'upstream failed'], 'the warning flushed the buffer, in order');
});

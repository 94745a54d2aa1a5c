import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { formatReplaySummary, replayTraffic, unreachableTarget } from '../../proxy/replay.ts';
import { writeTrafficLine, type TrafficRequest } from '../../proxy/traffic.ts';
import { UserError } from '../../common/user-error.ts';
import { closedPortUrl, until } from './helpers.ts';

const cli = fileURLToPath(new URL('../../bin/strangler.ts', import.meta.url));

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A tiny origin: records every request; /status/N answers N; a pluggable hold decides when to answer. */
class Origin {
  server: Server;
  seen: Seen[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** called with the response function; default answers at once */
  hold: (answer: () => void) => void = (answer) => answer();

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const status = /^\/status\/(\d{3})/.exec(req.url ?? '')?.[1];
      this.hold(() => {
        this.inFlight--;
        res.writeHead(status ? Number(status) : 200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
  }

  reset(): void {
    this.seen = [];
    this.inFlight = 0;
    this.maxInFlight = 0;
    this.hold = (answer) => answer();
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

const origin = new Origin();
let dir: string;

before(async () => {
  origin.server.listen(0, '127.0.0.1');
  await once(origin.server, 'listening');
  dir = await mkdtemp(join(tmpdir(), 'strangler-replay-'));
});
after(async () => {
  origin.server.closeAllConnections();
  origin.server.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => origin.reset());

function gets(n: number, prefix = '/r'): TrafficRequest[] {
  return Array.from({ length: n }, (_, i) => ({ method: 'GET', path: `${prefix}/${i}` }));
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, NODE_ENV: 'test' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('replayTraffic', () => {
  test('sends every request with its method, path, headers and exact body bytes', async () => {
    const binary = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]);
    const reqs: TrafficRequest[] = [
      { method: 'GET', path: '/books/1?fields=title', headers: { 'x-customer-id': '7', connection: 'close' } },
      { method: 'POST', path: '/cart/items', headers: { 'content-type': 'application/json' }, body: '{"bookId":1,"title":"Ærø"}' },
      { method: 'PUT', path: '/blob', body: binary.toString('base64'), bodyEncoding: 'base64' },
      { method: 'DELETE', path: '/cart/items/1' },
      { method: 'GET', path: '/status/404' },
      { method: 'GET', path: '/status/503' },
    ];
    const summary = await replayTraffic(reqs, { target: origin.url, concurrency: 1 });
    assert.equal(summary.sent, 6);
    assert.equal(summary.completed, 6);
    assert.equal(summary.errors, 0);
    assert.deepEqual(summary.byStatusClass, { '1xx': 0, '2xx': 4, '3xx': 0, '4xx': 1, '5xx': 1 });
    assert.equal(summary.bytesReceived, 6 * '{"ok":true}'.length);
    assert.deepEqual(
      origin.seen.map((s) => `${s.method} ${s.url}`),
      ['GET /books/1?fields=title', 'POST /cart/items', 'PUT /blob', 'DELETE /cart/items/1', 'GET /status/404', 'GET /status/503'],
    );
    assert.equal(origin.seen[0].headers['x-customer-id'], '7');
    assert.notEqual(origin.seen[0].headers.connection, 'close', 'hop-by-hop headers from the file are not replayed');
    assert.equal(origin.seen[1].body.toString('utf8'), '{"bookId":1,"title":"Ærø"}');
    assert.equal(origin.seen[1].headers['content-type'], 'application/json');
    assert.deepEqual(origin.seen[2].body, binary);
    assert.ok(summary.latencyMs.p50 > 0 && summary.latencyMs.p99 >= summary.latencyMs.p50 && summary.latencyMs.max >= summary.latencyMs.p99);
  });

  test('never has more requests in flight than the concurrency limit', async () => {
    // answer each request only on a later timer turn so that requests pile up to the limit
    origin.hold = (answer) => setTimeout(answer, 5);
    const summary = await replayTraffic(gets(40), { target: origin.url, concurrency: 4 });
    assert.equal(summary.completed, 40);
    assert.equal(summary.maxInFlight, 4);
    assert.ok(origin.maxInFlight <= 4, `origin saw ${origin.maxInFlight} at once`);
    assert.equal(new Set(origin.seen.map((s) => s.url)).size, 40);
  });

  test('rate mode is open loop: requests keep starting while earlier ones are unanswered', async () => {
    // the origin answers nobody until all 8 requests have arrived; a closed loop of 1 would hang
    const waiting: Array<() => void> = [];
    origin.hold = (answer) => {
      waiting.push(answer);
      if (waiting.length === 8) for (const a of waiting.splice(0)) a();
    };
    const t0 = performance.now();
    const summary = await replayTraffic(gets(8), { target: origin.url, rate: 200 });
    assert.equal(summary.completed, 8);
    assert.equal(summary.maxInFlight, 8);
    // request i is not sent before i/rate seconds: 7 gaps of 5 ms (a lower bound, so it cannot flake on a busy machine)
    assert.ok(performance.now() - t0 >= 7 * 5 - 1);
  });

  test('rate mode still honours an explicit concurrency cap', async () => {
    origin.hold = (answer) => setTimeout(answer, 5);
    const summary = await replayTraffic(gets(12), { target: origin.url, rate: 10_000, concurrency: 2 });
    assert.equal(summary.completed, 12);
    assert.ok(summary.maxInFlight <= 2);
  });

  test('--limit stops after n requests, reading from a file', async () => {
    const path = join(dir, 'many.ndjson');
    await writeFile(path, gets(100).map(writeTrafficLine).join(''));
    const summary = await replayTraffic(path, { target: origin.url, limit: 7 });
    assert.equal(summary.sent, 7);
    assert.equal(origin.seen.length, 7);
  });

  test('counts connection errors by code instead of failing', async () => {
    const summary = await replayTraffic(gets(3), { target: await closedPortUrl() });
    assert.equal(summary.sent, 3);
    assert.equal(summary.completed, 0);
    assert.equal(summary.errors, 3);
    assert.deepEqual(summary.errorsByCode, { ECONNREFUSED: 3 });
  });

  test('OPTIONS * goes as OPTIONS * (the server as a whole: not under the target\'s path), with its headers and body', async () => {
    const reqs: TrafficRequest[] = [
      { method: 'GET', path: '/a' },
      { method: 'OPTIONS', path: '*', headers: { 'x-probe': 'lb', 'x-multi': ['1', '2'], connection: 'close' }, body: 'hi' },
      { method: 'OPTIONS', path: '*' },
    ];
    const summary = await replayTraffic(reqs, { target: `${origin.url}/base/`, concurrency: 1 });
    assert.deepEqual(summary.errorsByCode, {});
    assert.equal(summary.completed, 3);
    assert.equal(summary.byStatusClass['2xx'], 3);
    assert.equal(summary.bytesReceived, 3 * '{"ok":true}'.length);
    assert.ok(summary.latencyMs.max > 0);
    assert.deepEqual(origin.seen.map((s) => `${s.method} ${s.url}`), ['GET /base/a', 'OPTIONS *', 'OPTIONS *']);
    const [, probe, bare] = origin.seen;
    assert.equal(probe.headers['x-probe'], 'lb');
    assert.equal(probe.headers['x-multi'], '1, 2');
    assert.notEqual(probe.headers.connection, 'close', 'hop-by-hop headers from the file are not replayed');
    assert.equal(probe.body.toString(), 'hi');
    assert.equal(probe.headers['content-length'], '2');
    assert.equal(bare.headers['content-length'], undefined, 'no body, no framing');
    assert.equal(bare.headers['transfer-encoding'], undefined);
  });

  test('OPTIONS * that gets no answer counts as an error by code: refused, or timed out', async () => {
    const target = await closedPortUrl();
    const asterisk: TrafficRequest = { method: 'OPTIONS', path: '*' };
    const refused = await replayTraffic([asterisk, ...gets(1)], { target });
    assert.deepEqual(refused.errorsByCode, { ECONNREFUSED: 2 });
    assert.equal(unreachableTarget(refused) !== undefined, true);

    const held: (() => void)[] = [];
    origin.hold = (answer) => void held.push(answer);
    const timedOut = await replayTraffic([asterisk], { target: origin.url, timeoutMs: 100 });
    held.splice(0).forEach((answer) => answer());
    assert.equal(timedOut.completed, 0);
    assert.deepEqual(timedOut.errorsByCode, { UND_ERR_HEADERS_TIMEOUT: 1 }, 'the code undici gives a request without an answer in time');

    // interrupted while in flight: cancelled, as any request is
    const controller = new AbortController();
    const run = replayTraffic([asterisk, ...gets(1)], { target: origin.url, concurrency: 2, signal: controller.signal });
    await until(() => origin.seen.length === 3, 'both at the origin');
    controller.abort();
    const interrupted = await run;
    held.splice(0).forEach((answer) => answer());
    assert.equal(interrupted.cancelled, 2);
    assert.equal(interrupted.errors, 0);
  });

  test('a file still being appended to (a proxy recording into it) is replayed as it was at the start', async () => {
    // the proxy replayed at records every request into the same file: the replay must not read its own echoes
    const path = join(dir, 'recording.ndjson');
    const pad = 'p'.repeat(80);
    await writeFile(path, gets(5000, `/r${pad}`).map(writeTrafficLine).join(''));
    let echoes = 0;
    origin.hold = (answer) => {
      // bounded, so a replay that does read its echoes ends (and fails) instead of running for ever
      if (echoes++ < 10_000) appendFileSync(path, writeTrafficLine({ method: 'GET', path: '/echo' }));
      answer();
    };
    const summary = await replayTraffic(path, { target: origin.url });
    assert.equal(summary.sent, 5000);
    assert.equal(origin.seen.filter((s) => s.url === '/echo').length, 0);
  });

  test('a bad line anywhere in the file stops the run before anything is sent', async () => {
    const path = join(dir, 'late-bad.ndjson');
    await writeFile(path, gets(5).map(writeTrafficLine).join('') + '{"method":"GET","path":"no-slash"}\n');
    await assert.rejects(replayTraffic(path, { target: origin.url }), (err: unknown) => err instanceof UserError && err.message.startsWith(`${path}:6: path:`));
    assert.equal(origin.seen.length, 0);
  });

  test('rejects a target that is not an http URL, saying what is missing', async () => {
    await assert.rejects(replayTraffic([], { target: 'localhost:8080' }), (err: unknown) => err instanceof UserError && err.message === '--target "localhost:8080" has no scheme; pass e.g. http://localhost:8080');
    await assert.rejects(replayTraffic([], { target: 'https://127.0.0.1:8443' }), (err: unknown) => err instanceof UserError && /only http:\/\/ targets/.test(err.message));
  });

  test('interrupted: stops sending at once and cancels what is in flight (counted apart from errors)', async () => {
    const held: Array<() => void> = [];
    origin.hold = (answer) => void held.push(answer);
    const controller = new AbortController();
    const run = replayTraffic(gets(10), { target: origin.url, concurrency: 2, signal: controller.signal });
    await until(() => origin.seen.length === 2, 'two requests at the origin');
    controller.abort();
    const summary = await run;
    assert.equal(summary.aborted, true);
    assert.equal(summary.sent, 2, 'nothing sent after the interruption');
    assert.equal(summary.cancelled, 2);
    assert.equal(summary.errors, 0);
    assert.equal(summary.completed, 0);
    assert.match(formatReplaySummary(summary), /\(interrupted\)[\s\S]*cancelled: 2 \(in flight when interrupted\)/);
    for (const answer of held) answer();
  });

  test('the summary says when the file was empty or nothing listened at the target', () => {
    const base = { target: 'http://127.0.0.1:9', completed: 0, byStatusClass: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, bytesReceived: 0, durationMs: 1, requestsPerSecond: 0, latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 }, maxInFlight: 0, aborted: false, cancelled: 0 };
    assert.match(formatReplaySummary({ ...base, sent: 0, errors: 0, errorsByCode: {} }), /\(the traffic file has no requests\)$/);
    assert.match(formatReplaySummary({ ...base, sent: 3, errors: 3, errorsByCode: { ECONNREFUSED: 3 } }), /\(nothing is listening at http:\/\/127\.0\.0\.1:9\)$/);
    assert.doesNotMatch(formatReplaySummary({ ...base, sent: 3, errors: 3, errorsByCode: { ECONNRESET: 3 } }), /nothing is listening/);
  });

  test('the target counts as unreachable only when every request failed to connect', () => {
    const base = { target: 'http://nohost.invalid:8080', completed: 0, byStatusClass: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, bytesReceived: 0, durationMs: 1, requestsPerSecond: 0, latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 }, maxInFlight: 0, aborted: false, cancelled: 0 };
    assert.equal(unreachableTarget({ ...base, sent: 1, errors: 1, errorsByCode: { ENOTFOUND: 1 } }), 'nothing answered at http://nohost.invalid:8080: all 1 request failed to connect (ENOTFOUND 1); start the proxy there or pass --target <url>');
    assert.equal(unreachableTarget({ ...base, sent: 3, errors: 3, errorsByCode: { ECONNRESET: 3 } }), undefined, 'reached, then cut: the proxy is there');
    assert.equal(unreachableTarget({ ...base, sent: 3, completed: 1, errors: 2, errorsByCode: { ECONNREFUSED: 2 } }), undefined);
    assert.equal(unreachableTarget({ ...base, sent: 0, errors: 0, errorsByCode: {} }), undefined, 'an empty file is not an unreachable target');
    assert.equal(unreachableTarget({ ...base, sent: 3, errors: 1, cancelled: 2, aborted: true, errorsByCode: { ECONNREFUSED: 1 } }), undefined);
  });
});

describe('strangler replay (CLI)', () => {
  test('replays a file and prints the summary', async () => {
    const path = join(dir, 'cli.ndjson');
    await writeFile(path, [...gets(3), { method: 'GET', path: '/status/500' }].map(writeTrafficLine).join(''));
    const { code, stdout } = await runCli(['replay', path, '--target', origin.url, '--concurrency', '2']);
    assert.equal(code, 0);
    assert.match(stdout, /replayed 4 requests/);
    assert.match(stdout, /2xx 3, 5xx 1/);
    assert.match(stdout, /p50 [\d.]+ ms, p99 [\d.]+ ms/);
    assert.equal(origin.seen.length, 4);
  });

  test('the default concurrency (16 in flight) prints no MaxListenersExceededWarning', async () => {
    // answers held until 16 requests are in flight: every slot of the default concurrency in use at once
    const held: Array<() => void> = [];
    let released = false;
    origin.hold = (answer) => {
      if (released) return answer();
      held.push(answer);
      if (held.length < 16) return;
      released = true;
      for (const a of held.splice(0)) a();
    };
    const path = join(dir, 'cli-full.ndjson');
    await writeFile(path, gets(40).map(writeTrafficLine).join(''));
    const { code, stdout, stderr } = await runCli(['replay', path, '--target', origin.url]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /max in flight 16/);
    assert.equal(stderr, '');
  });

  test('a bad line is one message naming file and line, exit 2', async () => {
    const path = join(dir, 'cli-bad.ndjson');
    await writeFile(path, '{"method":"GET","path":"/ok"}\n{not json\n');
    const { code, stdout, stderr } = await runCli(['replay', path, '--target', origin.url]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, new RegExp(`^strangler: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not valid JSON`));
    assert.equal(origin.seen.length, 0);
  });

  test('Ctrl-C: the summary of what was sent, the requests in flight cancelled, exit 130', async () => {
    const held: Array<() => void> = [];
    origin.hold = (answer) => void held.push(answer);
    const path = join(dir, 'cli-interrupt.ndjson');
    await writeFile(path, gets(20).map(writeTrafficLine).join(''));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'replay', path, '--target', origin.url, '--concurrency', '3'], { env: { ...process.env, NODE_ENV: 'test' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await until(() => origin.seen.length === 3, 'three requests at the origin', 30_000);
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    for (const answer of held) answer();
    assert.equal(code, 130, stderr);
    assert.match(stderr, /replay: interrupted; cancelling the requests in flight/);
    assert.match(stdout, /replayed 3 requests .*\(interrupted\)/);
    assert.match(stdout, /cancelled: 3/);
    assert.equal(origin.seen.length, 3);
  });

  test('a target where nothing listens: the summary, then one line naming the target, exit 2', async () => {
    const target = await closedPortUrl();
    const path = join(dir, 'cli-refused.ndjson');
    await writeFile(path, gets(3).map(writeTrafficLine).join(''));
    const { code, stdout, stderr } = await runCli(['replay', path, '--target', target]);
    assert.equal(code, 2, stderr);
    assert.match(stdout, /errors: {4}3 \(ECONNREFUSED 3\)/);
    assert.deepEqual(stderr.trim().split('\n'), [`strangler: nothing answered at ${target}: all 3 requests failed to connect (ECONNREFUSED 3); start the proxy there or pass --target <url>`]);
  });

  test('a bad flag exits 2', async () => {
    const { code, stderr } = await runCli(['replay', join(dir, 'cli.ndjson'), '--concurrency', '0']);
    assert.equal(code, 2);
    assert.match(stderr, /--concurrency expects a positive integer/);
  });
});

// --record's building block end to end: the strangler proxy's onRequest hook feeds a TrafficRecorder,
// and replaying the recording sends the origin the same requests again, bodies byte-identical.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { createLogger } from '../../common/log.ts';
import { parseConfig } from '../../proxy/config.ts';
import { startProxy, type RunningProxy } from '../../proxy/server.ts';
import { replayTraffic } from '../../proxy/replay.ts';
import { redactingRecorder, TrafficRecorder } from '../../proxy/traffic.ts';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: Buffer;
}

let origin: Server;
let proxy: RunningProxy;
let dir: string;
const seen: Seen[] = [];

function url(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strangler-record-'));
  origin = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body: Buffer.concat(chunks) });
      res.end('ok');
    });
  });
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
});

after(async () => {
  await proxy?.close();
  origin.closeAllConnections();
  origin.close();
  await rm(dir, { recursive: true, force: true });
});

test('requests recorded at the proxy replay byte-identical, with secrets redacted', async () => {
  const file = join(dir, 'traffic.ndjson');
  const recorder = new TrafficRecorder(file, { redactHeaders: ['authorization'], maxBodyBytes: 1024 });
  const config = parseConfig({ version: 1, legacy: { url: url(origin) }, services: {}, admin: { token: 'test-token' } });
  proxy = await startProxy(config, { port: 0, host: '127.0.0.1', adminPort: 0, onRequest: recorder.onRequest, logger: createLogger('proxy', { level: 'silent' }) });

  const binary = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
  const sent = [
    { method: 'GET', path: '/books/1?fields=title', body: undefined, headers: { authorization: 'Bearer s3cret' } },
    { method: 'POST', path: '/cart/items', body: Buffer.from('{"bookId":1}'), headers: { 'content-type': 'application/json' } },
    { method: 'PUT', path: '/blob', body: binary, headers: {} },
    { method: 'POST', path: '/upload', body: Buffer.alloc(2048, 0x61), headers: {} }, // over maxBodyBytes: not recorded
  ] as const;
  for (const r of sent) {
    const res = await request(proxy.url + r.path, { method: r.method, body: r.body, headers: r.headers });
    await res.body.text();
    assert.equal(res.statusCode, 200);
  }
  await recorder.close();
  assert.deepEqual(recorder.stats(), { recorded: 3, skippedLargeBody: 1, skippedUnredactable: 0, droppedBackpressure: 0 });
  const text = await readFile(file, 'utf8');
  assert.ok(!text.includes('s3cret'), 'the Authorization value never reaches the file');
  assert.ok(!text.includes('x-request-id'), 'the proxy-generated request id is not recorded');

  const live = seen.splice(0);
  const summary = await replayTraffic(file, { target: proxy.url, concurrency: 1 }); // one at a time: same order
  assert.equal(summary.completed, 3);
  const replayed = seen.splice(0);
  assert.deepEqual(
    replayed.map((s) => [s.method, s.url, s.body.toString('hex')]),
    live.slice(0, 3).map((s) => [s.method, s.url, s.body.toString('hex')]),
  );
  assert.equal(live[0].authorization, 'Bearer s3cret');
  assert.equal(replayed[0].authorization, '[redacted]');
});

test('a JSON body nested too deep to redact is forwarded and not recorded; the recording proxy keeps serving', async () => {
  const file = join(dir, 'deep.ndjson');
  const recorder = redactingRecorder(file, { headers: [], fields: ['$..password'] });
  const config = parseConfig({ version: 1, legacy: { url: url(origin) }, services: {}, admin: { token: 'test-token' } });
  const deepProxy = await startProxy(config, { port: 0, host: '127.0.0.1', adminPort: 0, onRequest: recorder.onRequest, logger: createLogger('proxy', { level: 'silent' }) });
  try {
    const deep = `${'['.repeat(50_000)}{"password":"hunter2"}${']'.repeat(50_000)}`;
    const json = { 'content-type': 'application/json' };
    // the recorder redacted in the request's 'end' listener: a stack overflow there was an uncaught exception
    const res = await request(`${deepProxy.url}/deep`, { method: 'POST', body: deep, headers: json });
    assert.equal(await res.body.text(), 'ok');
    const flat = await request(`${deepProxy.url}/flat`, { method: 'POST', body: '{"password":"hunter2"}', headers: json });
    assert.equal(flat.statusCode, 200);
    await flat.body.text();
  } finally {
    await deepProxy.close();
  }
  await recorder.close();
  assert.deepEqual(recorder.stats(), { recorded: 1, skippedLargeBody: 0, skippedUnredactable: 1, droppedBackpressure: 0 });
  const text = await readFile(file, 'utf8');
  assert.ok(!text.includes('hunter2'));
  assert.match(text, /"path":"\/flat"/);
});

test('OPTIONS * recorded at the proxy replays as OPTIONS * (undici refuses that target: it went as an error, and the file as a bad line)', async () => {
  const file = join(dir, 'asterisk.ndjson');
  const recorder = new TrafficRecorder(file);
  const config = parseConfig({ version: 1, legacy: { url: url(origin) }, services: {}, admin: { token: 'test-token' } });
  const asteriskProxy = await startProxy(config, { port: 0, host: '127.0.0.1', adminPort: 0, onRequest: recorder.onRequest, logger: createLogger('proxy', { level: 'silent' }) });
  seen.length = 0; // what the tests before sent
  try {
    const port = Number(new URL(asteriskProxy.url).port);
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.write('OPTIONS * HTTP/1.1\r\nHost: shop.example\r\nX-Probe: lb\r\nConnection: close\r\n\r\n');
    await once(socket, 'end');
    assert.match(answer, /^HTTP\/1\.1 200 /);
    const res = await request(`${asteriskProxy.url}/books/1`);
    await res.body.text();
    await recorder.close();
    const text = await readFile(file, 'utf8');
    assert.match(text, /"method":"OPTIONS","path":"\*"/);

    const live = seen.splice(0);
    assert.deepEqual(live.map((s) => `${s.method} ${s.url}`), ['OPTIONS *', 'GET /books/1']);
    const summary = await replayTraffic(file, { target: asteriskProxy.url, concurrency: 1 });
    assert.deepEqual(summary.errorsByCode, {});
    assert.equal(summary.completed, 2);
    assert.equal(summary.byStatusClass['2xx'], 2);
    assert.equal(summary.bytesReceived, 2 * 'ok'.length);
    const replayed = seen.splice(0);
    assert.deepEqual(replayed.map((s) => `${s.method} ${s.url}`), ['OPTIONS *', 'GET /books/1'], 'the monolith sees OPTIONS * again, through the proxy');
  } finally {
    await asteriskProxy.close();
  }
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { UserError } from '../../common/user-error.ts';
import {
  parseTrafficLine,
  readTrafficFile,
  toTrafficRequest,
  trafficBody,
  TrafficRecorder,
  redactingRecorder,
  writeTrafficLine,
  REDACTED,
  type TrafficRequest,
} from '../../proxy/traffic.ts';

/** assert.throws matches a RegExp against "Name: message"; this matches the message alone. */
function userError(re: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof UserError && err.exitCode === 2 && re.test(err.message);
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strangler-traffic-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(path: string): Promise<TrafficRequest[]> {
  const out: TrafficRequest[] = [];
  for await (const r of readTrafficFile(path)) out.push(r);
  return out;
}

describe('parseTrafficLine', () => {
  test('accepts a full request and upper-cases the method', () => {
    const r = parseTrafficLine('{"method":"post","path":"/cart/items?x=1","headers":{"x-a":"1"},"body":"{}"}', 'f', 1);
    assert.deepEqual(r, { method: 'POST', path: '/cart/items?x=1', headers: { 'x-a': '1' }, body: '{}' });
  });

  test('names the file and line for invalid JSON', () => {
    assert.throws(
      () => parseTrafficLine('{"method":', 'traffic.ndjson', 7),
      (err: unknown) => err instanceof UserError && err.exitCode === 2 && /^traffic\.ndjson:7: not valid JSON/.test(err.message),
    );
  });

  test('takes the asterisk form, `*`, as the path of an OPTIONS only (what --record writes for OPTIONS *)', () => {
    assert.deepEqual(parseTrafficLine('{"method":"options","path":"*"}', 'f', 1), { method: 'OPTIONS', path: '*' });
    assert.throws(() => parseTrafficLine('{"method":"GET","path":"*"}', 't', 2), userError(/^t:2: path: "\*" \(the asterisk form\) is only for OPTIONS/));
    assert.throws(() => parseTrafficLine('{"method":"OPTIONS","path":"*x"}', 't', 3), userError(/^t:3: path: expected a path starting with "\/"/));
  });

  test('names the field that is wrong', () => {
    assert.throws(() => parseTrafficLine('{"method":"GET"}', 't', 2), userError(/^t:2: path: required/));
    assert.throws(() => parseTrafficLine('{"method":"GET","path":"books"}', 't', 3), userError(/^t:3: path: expected a path starting with "\/"/));
    assert.throws(() => parseTrafficLine('{"method":"G T","path":"/"}', 't', 4), userError(/^t:4: method: /));
    assert.throws(() => parseTrafficLine('{"method":"GET","path":"/","bodyEncoding":"hex"}', 't', 5), userError(/^t:5: bodyEncoding: /));
    assert.throws(() => parseTrafficLine('{"method":"GET","path":"/","extra":1}', 't', 6), userError(/^t:6: /));
    assert.throws(() => parseTrafficLine('{"method":"PUT","path":"/","body":"%%%","bodyEncoding":"base64"}', 't', 8), userError(/^t:8: body: not valid base64/));
  });
});

describe('readTrafficFile', () => {
  test('streams requests and skips blank lines', async () => {
    const path = join(dir, 'ok.ndjson');
    await writeFile(path, '{"method":"GET","path":"/a"}\n\n  \n{"method":"DELETE","path":"/b"}\r\n');
    const reqs = await collect(path);
    assert.deepEqual(reqs.map((r) => `${r.method} ${r.path}`), ['GET /a', 'DELETE /b']);
  });

  test('reports the line number of a bad line, counting blank lines', async () => {
    const path = join(dir, 'bad.ndjson');
    await writeFile(path, '{"method":"GET","path":"/a"}\n\n{"method":"GET"}\n');
    await assert.rejects(collect(path), (err: unknown) => err instanceof UserError && err.message.startsWith(`${path}:3: path:`));
  });

  test('a byte-order mark before the first line is skipped', async () => {
    const path = join(dir, 'bom.ndjson');
    await writeFile(path, '\uFEFF{"method":"GET","path":"/a"}\n{"method":"GET","path":"/b"}\n');
    assert.deepEqual(await collect(path), [
      { method: 'GET', path: '/a' },
      { method: 'GET', path: '/b' },
    ]);
  });

  test('a missing file is a user error naming the path', async () => {
    const path = join(dir, 'nope.ndjson');
    await assert.rejects(collect(path), (err: unknown) => err instanceof UserError && err.message.includes(path) && /ENOENT/.test(err.message));
  });
});

describe('toTrafficRequest', () => {
  test('drops hop-by-hop headers and redacts the listed ones', () => {
    const r = toTrafficRequest(
      {
        method: 'get',
        path: '/me?x=1',
        headers: { host: 'h', connection: 'keep-alive', 'content-length': '0', Authorization: 'Bearer s3cret', cookie: 'sid=1', 'x-customer-id': '42', accept: undefined },
      },
      ['authorization', 'Cookie'],
    );
    assert.deepEqual(r, { method: 'GET', path: '/me?x=1', headers: { authorization: REDACTED, cookie: REDACTED, 'x-customer-id': '42' } });
    assert.ok(!writeTrafficLine(r).includes('s3cret'));
  });

  test('keeps UTF-8 bodies as text and other bytes as base64', () => {
    const text = toTrafficRequest({ method: 'POST', path: '/', headers: {}, body: Buffer.from('{"name":"Łódź ✓"}') });
    assert.equal(text.body, '{"name":"Łódź ✓"}');
    assert.equal(text.bodyEncoding, undefined);
    const binary = toTrafficRequest({ method: 'POST', path: '/', headers: {}, body: Buffer.from([0xff, 0x00, 0xc3]) });
    assert.equal(binary.bodyEncoding, 'base64');
    assert.deepEqual(trafficBody(binary), Buffer.from([0xff, 0x00, 0xc3]));
  });

  test('any body survives record → line → parse byte-identical', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('GET', 'POST', 'PUT'), (bytes, method) => {
        const body = Buffer.from(bytes);
        const line = writeTrafficLine(toTrafficRequest({ method, path: '/x?q=1', headers: {}, body }));
        assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
        const back = parseTrafficLine(line.trimEnd(), 'mem', 1);
        assert.deepEqual(trafficBody(back) ?? Buffer.alloc(0), body);
      }),
    );
  });
});

describe('TrafficRecorder', () => {
  test('appends redacted lines that readTrafficFile reads back', async () => {
    const path = join(dir, 'rec.ndjson');
    await writeFile(path, '{"method":"GET","path":"/earlier"}\n');
    const rec = new TrafficRecorder(path, { redactHeaders: ['authorization'], maxBodyBytes: 10 });
    assert.equal(rec.record({ method: 'POST', path: '/login', headers: { authorization: 'Basic abc' }, body: Buffer.from('hi') }), true);
    assert.equal(rec.record({ method: 'POST', path: '/big', headers: {}, body: Buffer.alloc(11) }), false);
    await rec.close();
    assert.equal(rec.record({ method: 'GET', path: '/after-close', headers: {} }), false);
    assert.deepEqual(rec.stats(), { recorded: 1, skippedLargeBody: 1, skippedUnredactable: 0, droppedBackpressure: 0 });
    const reqs = await collect(path);
    assert.deepEqual(reqs, [
      { method: 'GET', path: '/earlier' },
      { method: 'POST', path: '/login', headers: { authorization: REDACTED }, body: 'hi' },
    ]);
    assert.ok(!(await readFile(path, 'utf8')).includes('Basic abc'));
  });

  test('a path that cannot be written fails at construction with a user error naming it', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    assert.throws(() => new TrafficRecorder(join(file, 'rec.ndjson')), userError(/^cannot record traffic to .*not-a-dir\/rec\.ndjson: ENOTDIR/));
  });

  test('a recorder given the live redaction applies a reload from the next request on (headers and body fields)', async () => {
    const path = join(dir, 'live-redact.ndjson');
    let redact = { headers: ['authorization'], fields: ['$..password'] };
    const rec = redactingRecorder(path, () => redact);
    const request = (n: number) => ({
      method: 'POST',
      path: `/r/${n}`,
      headers: { 'x-api-key': `key-${n}`, 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ ssn: `ssn-${n}`, password: 'pw' })),
    });
    rec.record(request(1));
    redact = { headers: ['authorization', 'x-api-key'], fields: ['$..password', '$..ssn'] };
    rec.record(request(2));
    await rec.close();
    const [first, second] = await collect(path);
    assert.equal(first.headers?.['x-api-key'], 'key-1');
    assert.match(first.body ?? '', /ssn-1/);
    assert.equal(second.headers?.['x-api-key'], REDACTED);
    assert.doesNotMatch(second.body ?? '', /ssn-2/);
    assert.doesNotMatch(second.body ?? '', /"pw"/);
  });

  test('a JSON body nested too deep to redact is not recorded (counted); the recorder goes on', async () => {
    const path = join(dir, 'deep.ndjson');
    const rec = redactingRecorder(path, { headers: [], fields: ['$..password'] });
    const deep = '['.repeat(50_000) + '{"password":"hunter2"}' + ']'.repeat(50_000);
    const json = { 'content-type': 'application/json' };
    assert.equal(rec.record({ method: 'POST', path: '/deep', headers: json, body: Buffer.from(deep) }), false);
    assert.equal(rec.record({ method: 'POST', path: '/flat', headers: json, body: Buffer.from('{"password":"hunter2"}') }), true);
    await rec.close();
    assert.deepEqual(rec.stats(), { recorded: 1, skippedLargeBody: 0, skippedUnredactable: 1, droppedBackpressure: 0 });
    assert.deepEqual(await collect(path), [{ method: 'POST', path: '/flat', headers: json, body: '{"password":"[redacted]"}' }]);
  });

  test('drops instead of buffering without bound', async () => {
    const path = join(dir, 'bounded.ndjson');
    const rec = new TrafficRecorder(path, { maxBufferedBytes: 100 });
    let accepted = 0;
    // all in one tick: nothing can be flushed in between, so the buffer only grows
    for (let i = 0; i < 50; i++) if (rec.record({ method: 'GET', path: `/p/${i}/${'x'.repeat(40)}`, headers: {} })) accepted++;
    await rec.close();
    const stats = rec.stats();
    assert.ok(accepted < 50 && accepted > 0);
    assert.equal(stats.recorded, accepted);
    assert.equal(stats.droppedBackpressure, 50 - accepted);
    assert.equal((await collect(path)).length, accepted);
  });
});

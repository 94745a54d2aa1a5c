import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { createRedactor, MAX_REDACT_DEPTH, REDACTED, redactBodyText, TOO_DEEP_VALUE } from '../../proxy/store/redact.ts';
import { compilePath, matchesPath, pathSegments } from '../../proxy/store/json-path.ts';
import { latencyBucket, percentile } from '../../proxy/store/histogram.ts';
import { UserError } from '../../common/user-error.ts';

describe('redaction paths', () => {
  test('patterns match the paths they name and nothing else', () => {
    const match = (pattern: string, path: string): boolean => matchesPath(compilePath(pattern)!, pathSegments(path)!);
    assert.equal(match('$..password', '$.password'), true);
    assert.equal(match('$..password', '$.users[3].auth.password'), true);
    assert.equal(match('$..password', '$.passwordHint'), false);
    assert.equal(match('$.items[*].token', '$.items[0].token'), true);
    assert.equal(match('$.items[*].token', '$.other[0].token'), false);
    assert.equal(match('$.items[*].token', '$.items.token'), false);
    assert.equal(match('$.a[1]', '$.a[1]'), true);
    assert.equal(match('$.a[1]', '$.a[2]'), false);
    assert.equal(match('$["odd key"].x', '$["odd key"].x'), true);
    assert.equal(match('$.*.secret', '$.any.secret'), true);
    assert.equal(compilePath('password'), undefined);
    assert.throws(() => createRedactor({ headers: [], fields: ['password'] }), (e: unknown) => e instanceof UserError && /redact\.fields: "password"/.test(e.message));
  });
});

describe('redactor', () => {
  const r = createRedactor({ headers: ['Authorization', 'x-api-key'], fields: ['$..password', '$.items[*].token'] });

  test('headers by name, case-insensitive; values of other headers scrubbed by key name', () => {
    assert.deepEqual(r.headers({ authorization: 'Bearer x', 'X-Api-Key': 'k', accept: 'a', 'x-debug': 'password=abc' }), {
      authorization: REDACTED,
      'X-Api-Key': REDACTED,
      accept: 'a',
      'x-debug': 'password=%5Bredacted%5D',
    });
  });

  test('JSON values: only the named paths, at any depth for ..', () => {
    const out = r.value({ password: 'a', user: { password: 'b', name: 'ann' }, items: [{ token: 't', id: 1 }], token: 'kept' });
    assert.deepEqual(out, { password: REDACTED, user: { password: REDACTED, name: 'ann' }, items: [{ token: REDACTED, id: 1 }], token: 'kept' });
  });

  test('bodies: decoded, redacted, then capped; binary and uncaptured bodies described, not stored', () => {
    const json = Buffer.from(JSON.stringify({ password: 'p', n: 1 }));
    assert.equal(r.body({ body: deflateSync(json), headers: { 'content-encoding': 'deflate', 'content-type': 'application/json' }, size: 0 }, 1000), '{"password":"[redacted]","n":1}');
    assert.equal(r.body({ body: Buffer.from([1, 0, 2, 3]), headers: {}, size: 4 }, 1000), '[binary body: 4 bytes]');
    assert.equal(r.body({ headers: {}, size: 5000, hash: 'abc', truncated: true }, 1000), '[body not captured: 5000 bytes, sha256 abc]');
    const long = r.body({ body: Buffer.from(JSON.stringify({ password: 'p'.repeat(50), pad: 'x'.repeat(500) })), headers: {}, size: 0 }, 40);
    assert.ok(long.startsWith('{"password":"[redacted]"'));
    assert.match(long, /…\[truncated, \d+ bytes in total\]$/);
  });

  test('a stored text body is read in the charset its content type names, as the comparison reads it', () => {
    const page = Buffer.from('<p>café</p>', 'latin1');
    assert.equal(r.body({ body: page, headers: { 'content-type': 'text/html; charset=iso-8859-1' }, size: page.length }, 1000), '<p>café</p>');
  });

  test('diff entries: values under a redacted path, whole subtrees and redacted headers', () => {
    const out = r.entries([
      { path: '$.user.password', kind: 'changed', monolith: 'a', candidate: 'b' },
      { path: '$.user', kind: 'missing', monolith: { password: 'a', name: 'ann' } },
      { path: '$.items[2]', kind: 'extra', candidate: { token: 't', id: 2 } },
      { path: 'headers.authorization', kind: 'header', monolith: 'Bearer 1', candidate: undefined },
      { path: '$', kind: 'text', monolith: 'password=hunter2&x=1', candidate: '"password": "hunter3"' },
    ]);
    assert.deepEqual(out.map((e) => [e.monolith, e.candidate]), [
      [REDACTED, REDACTED],
      [{ password: REDACTED, name: 'ann' }, undefined],
      [undefined, { token: REDACTED, id: 2 }],
      [REDACTED, undefined],
      ['password=%5Bredacted%5D&x=1', '"password": "[redacted]"'],
    ]);
  });

  test('query strings by parameter name', () => {
    assert.equal(r.query('a=1&password=secret&b=2'), 'a=1&password=%5Bredacted%5D&b=2');
    assert.equal(r.query(''), '');
  });
});

describe('redaction of deeply nested JSON', () => {
  const nested = (n: number, leaf: unknown): string => '['.repeat(n) + JSON.stringify(leaf) + ']'.repeat(n);
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

  for (const fields of [['$..password'], []]) {
    test(`a body nested 50,000 levels deep is not stored, only its size and digest (redact.fields ${JSON.stringify(fields)})`, () => {
      const r = createRedactor({ headers: [], fields });
      const raw = nested(50_000, { password: 'hunter2' });
      const out = r.body({ body: Buffer.from(raw), headers: { 'content-type': 'application/json' }, size: raw.length }, 64 * 1024);
      assert.equal(out, `[JSON body nested deeper than ${MAX_REDACT_DEPTH} levels, not stored: ${raw.length} bytes, sha256 ${sha(raw)}]`);
    });
  }

  test('a body exactly as deep as redaction walks is stored, redacted; one level more is not', () => {
    const r = createRedactor({ headers: [], fields: ['$..password'] });
    const atBound = nested(MAX_REDACT_DEPTH - 1, { password: 'hunter2' }); // the object is the 1000th level
    const out = r.body({ body: Buffer.from(atBound), headers: {}, size: atBound.length }, 1024 * 1024);
    assert.equal(out, nested(MAX_REDACT_DEPTH - 1, { password: REDACTED }));
    const past = nested(MAX_REDACT_DEPTH, { password: 'hunter2' });
    assert.match(r.body({ body: Buffer.from(past), headers: {}, size: past.length }, 1024 * 1024), /^\[JSON body nested deeper than 1000 levels, not stored/);
  });

  test('a diff value nested too deep becomes a placeholder, never the value', () => {
    const r = createRedactor({ headers: [], fields: ['$..password'] });
    const deep = JSON.parse(nested(50_000, { password: 'hunter2' })) as unknown;
    assert.equal(r.value(deep), TOO_DEEP_VALUE);
    const [entry] = r.entries([{ path: '$.items[0]', kind: 'extra', candidate: deep }]);
    assert.equal(entry.candidate, TOO_DEEP_VALUE);
    assert.doesNotThrow(() => JSON.stringify(entry));
  });

  test('the recorder is told a body nested too deep cannot be redacted (undefined), not given it back', () => {
    const r = createRedactor({ headers: [], fields: ['$..password'] });
    assert.equal(redactBodyText(r, nested(50_000, { password: 'hunter2' }), 'application/json'), undefined);
    assert.equal(redactBodyText(r, nested(3, { password: 'hunter2' }), 'application/json'), nested(3, { password: REDACTED }));
  });
});

describe('latency histogram', () => {
  test('percentiles are within a bucket (5%) of the true value', () => {
    const counts = new Map<number, number>();
    for (let ms = 1; ms <= 1000; ms++) counts.set(latencyBucket(ms), (counts.get(latencyBucket(ms)) ?? 0) + 1);
    const buckets = [...counts].map(([bucket, count]) => ({ bucket, count }));
    const p50 = percentile(buckets, 0.5)!;
    const p99 = percentile(buckets, 0.99)!;
    assert.ok(Math.abs(p50 - 500) / 500 < 0.05, `p50 ${p50}`);
    assert.ok(Math.abs(p99 - 990) / 990 < 0.05, `p99 ${p99}`);
    assert.equal(percentile([], 0.5), undefined);
    assert.equal(latencyBucket(0.2), 0);
    assert.ok(latencyBucket(1e12) <= 400, 'absurd latencies still land in a bounded bucket');
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { applyRules, diffResponses, IGNORED, normalizeResponse } from '../../../proxy/compare/index.ts';
import type { CapturedResponse } from '../../../proxy/types.ts';

function res(body: string | Buffer, headers: Record<string, string> = {}, status = 200): CapturedResponse {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: buf,
    size: buf.length,
    hash: createHash('sha256').update(buf).digest('hex'),
    truncated: false,
    latencyMs: 1,
  };
}

const json = (v: unknown, h: Record<string, string> = {}, status = 200) => res(JSON.stringify(v), h, status);

describe('normalizeResponse', () => {
  test('decodes gzip, deflate (zlib and raw) and br before parsing', () => {
    const text = JSON.stringify({ a: [1, 2] });
    for (const [enc, bytes] of [
      ['gzip', gzipSync(text)],
      ['deflate', deflateSync(text)],
      ['deflate', deflateRawSync(text)],
      ['br', brotliCompressSync(text)],
    ] as const) {
      const n = normalizeResponse(res(bytes, { 'content-encoding': enc }), {});
      assert.deepEqual(n.body, { kind: 'json', value: { a: [1, 2] } }, enc);
    }
  });

  test('gzip vs identity of the same JSON is no difference', () => {
    const v = { a: 1 };
    assert.deepEqual(diffResponses(json(v), res(gzipSync(JSON.stringify(v)), { 'content-encoding': 'gzip' }), {}), []);
  });

  test('an empty body is empty whatever its content-encoding says (HEAD, 204, 304 from a server that compresses)', () => {
    for (const enc of ['gzip', 'br', 'deflate']) {
      for (const [status, body] of [[200, Buffer.alloc(0)], [204, undefined], [304, Buffer.alloc(0)]] as const) {
        const compressed = { ...res(Buffer.alloc(0), { 'content-encoding': enc }, status), body };
        const plain = { ...res(Buffer.alloc(0), {}, status), body };
        assert.deepEqual(diffResponses(compressed, plain, {}), [], `${enc} ${status}`);
        assert.deepEqual(normalizeResponse(compressed, {}).body, normalizeResponse(plain, {}).body, `${enc} ${status}`);
      }
    }
  });

  test('bytes that do not decode are compared by digest', () => {
    const broken = res(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
    assert.equal(normalizeResponse(broken, {}).body.kind, 'binary');
    assert.deepEqual(diffResponses(broken, broken, {}), []);
    const other = res(Buffer.from('not gzip either'), { 'content-encoding': 'gzip' });
    assert.equal(diffResponses(broken, other, {})[0].kind, 'hash');
  });

  test('JSON content type that does not parse falls back to text', () => {
    assert.deepEqual(normalizeResponse(res('{oops'), {}).body, { kind: 'text', value: '{oops' });
  });

  test('text, binary and truncated bodies', () => {
    assert.equal(normalizeResponse(res('hi', { 'content-type': 'text/html' }), {}).body.kind, 'text');
    const png = res(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0xff]), { 'content-type': 'image/png' });
    assert.equal(normalizeResponse(png, {}).body.kind, 'binary');
    const big: CapturedResponse = { ...json({}), body: undefined, size: 5_000_000, truncated: true, hash: 'abc' };
    assert.deepEqual(normalizeResponse(big, {}).body, { kind: 'hash', value: { hash: 'abc', size: 5_000_000 } });
  });

  test('rules: ignored fields are removed, ignored array elements replaced in place, headers selected', () => {
    const n = normalizeResponse(json({ servedAt: 1, items: [{ x: 1, y: 2 }, 5] }, { etag: ' "x" ', date: 'now' }), {
      ignore: ['$.servedAt', '$.items[*].x', '$.items[1]'],
      headers: ['ETag', 'Content-Type'],
    });
    assert.deepEqual(n.body.value, { items: [{ y: 2 }, IGNORED] });
    assert.deepEqual(n.headers, { etag: '"x"', 'content-type': 'application/json' });
    assert.equal(n.status, 200);
  });

  test('applyRules twice equals once, even with index ignores', () => {
    const rules = { ignore: ['$[0]', '$..t'] };
    const once = applyRules([{ t: 1 }, { t: 2, u: 3 }, 4], rules);
    assert.deepEqual(applyRules(once, rules), once);
    assert.deepEqual(once, [IGNORED, { u: 3 }, 4]);
  });
});

describe('diffResponses', () => {
  test('status and content-type are compared by default, other headers only when asked', () => {
    const m = json({ a: 1 }, { etag: '1' });
    const c = json({ a: 1 }, { etag: '2', 'content-type': 'application/problem+json' }, 500);
    assert.deepEqual(diffResponses(m, c, {}), [
      { path: 'status', kind: 'status', monolith: 200, candidate: 500 },
      { path: 'headers.content-type', kind: 'header', monolith: 'application/json; charset=utf-8', candidate: 'application/problem+json' },
    ]);
    const es = diffResponses(m, json({ a: 1 }, { etag: '2' }), { headers: ['etag'] });
    assert.deepEqual(es, [{ path: 'headers.etag', kind: 'header', monolith: '1', candidate: '2' }]);
  });

  test('content-type spelling differences in case and spaces, and charset=utf-8 on JSON, are not differences', () => {
    assert.deepEqual(diffResponses(json({}), json({}, { 'content-type': 'Application/JSON;charset=UTF-8' }), {}), []);
    assert.deepEqual(diffResponses(json({}), json({}, { 'content-type': 'application/json' }), {}), []);
    const html = (ct: string) => res('<p>', { 'content-type': ct });
    assert.equal(diffResponses(html('text/html; charset=utf-8'), html('text/html'), {}).length, 1);
    assert.equal(diffResponses(json({}), json({}, { 'content-type': 'application/json; charset=latin1' }), {}).length, 1);
  });

  test('a missing header on one side is a header difference', () => {
    const es = diffResponses(json({}, { 'x-v': '1' }), json({}), { headers: ['x-v'] });
    assert.deepEqual(es, [{ path: 'headers.x-v', kind: 'header', monolith: '1' }]);
  });

  test('JSON bodies are diffed structurally under the rules', () => {
    const es = diffResponses(json({ servedAt: 1, price: 2 }), json({ servedAt: 2, price: 3 }), { ignore: ['$.servedAt'] });
    assert.deepEqual(es, [{ path: '$.price', kind: 'changed', monolith: 2, candidate: 3 }]);
  });

  test('text bodies give one line-diff summary entry', () => {
    const t = { 'content-type': 'text/plain' };
    const es = diffResponses(res('a\nb\nc\nd', t), res('a\nB\nc\nd\ne', t), {});
    assert.deepEqual(es, [
      {
        path: '$',
        kind: 'text',
        monolith: { lines: 4, removed: 1, firstDiffLine: 2, line: 'b' },
        candidate: { lines: 5, added: 2, firstDiffLine: 2, line: 'B' },
      },
    ]);
    assert.deepEqual(diffResponses(res('same', t), res('same', t), {}), []);
  });

  test('a text body is read in the charset its content type names (latin1 pages are text, not binary)', () => {
    const latin1 = { 'content-type': 'text/html; charset=ISO-8859-1' };
    const page = (s: string) => res(Buffer.from(s, 'latin1'), latin1);
    assert.deepEqual(normalizeResponse(page('<p>café</p>'), {}).body, { kind: 'text', value: '<p>café</p>' });
    // two latin1 pages that differ: the line that changed, read as text on both sides
    assert.deepEqual(diffResponses(page('<p>café</p>'), page('<p>cafe</p>'), {}), [
      { path: '$', kind: 'text', monolith: { lines: 1, removed: 1, firstDiffLine: 1, line: '<p>café</p>' }, candidate: { lines: 1, added: 1, firstDiffLine: 1, line: '<p>cafe</p>' } },
    ]);
    // the same page in UTF-8: the same text; only the content type says otherwise
    const utf8 = res(Buffer.from('<p>café</p>', 'utf8'), { 'content-type': 'text/html; charset=utf-8' });
    assert.deepEqual(diffResponses(page('<p>café</p>'), utf8, {}), [
      { path: 'headers.content-type', kind: 'header', monolith: 'text/html; charset=ISO-8859-1', candidate: 'text/html; charset=utf-8' },
    ]);
    // a charset nobody knows: read as UTF-8, as before
    assert.equal(normalizeResponse(res('plain', { 'content-type': 'text/plain; charset=x-unknown' }), {}).body.kind, 'text');
  });

  test('the same bytes read as another content type are still compared', () => {
    const es = diffResponses(res('{"a":1}'), res('{"a":1}', { 'content-type': 'text/plain' }), {});
    assert.deepEqual(es.map((e) => `${e.kind} ${e.path}`), ['header headers.content-type', 'type $']);
  });

  test('ignore "$" compares status and headers only', () => {
    const rules = { ignore: ['$'] };
    const t = { 'content-type': 'text/html' };
    assert.deepEqual(diffResponses(res('<p>10:00</p>', t), res('<p>10:01</p>', t), rules), []);
    assert.deepEqual(diffResponses(res('a', t), res('a', t, 500), rules).map((e) => e.kind), ['status']);
    assert.deepEqual(normalizeResponse(res('{"a":1}'), rules).body, { kind: 'text', value: IGNORED });
  });

  test('oversized bodies compare hash and size only', () => {
    const big = (hash: string): CapturedResponse => ({ ...json({}), body: undefined, truncated: true, size: 9e6, hash });
    assert.deepEqual(diffResponses(big('h1'), big('h1'), {}), []);
    assert.deepEqual(diffResponses(big('h1'), big('h2'), {}), [
      { path: '$', kind: 'hash', monolith: { hash: 'h1', size: 9e6 }, candidate: { hash: 'h2', size: 9e6 } },
    ]);
  });

  test('a kept body against a truncated one: a hash difference, the kept side digested for the report', () => {
    const kept = { ...json({ a: 1 }), hash: '' }; // as the proxy captures it: kept bytes are not hashed
    const truncated: CapturedResponse = { ...json({}), body: undefined, truncated: true, size: 9e6, hash: 'h2' };
    assert.deepEqual(diffResponses(kept, truncated, {}), [
      { path: '$', kind: 'hash', monolith: { hash: createHash('sha256').update('{"a":1}').digest('hex'), size: 7 }, candidate: { hash: 'h2', size: 9e6 } },
    ]);
  });

  test('kept bodies without a hash are compared by their bytes', () => {
    const a = { ...json({ a: 1 }), hash: '' };
    assert.deepEqual(diffResponses(a, { ...json({ a: 1 }), hash: '' }, {}), []);
    assert.deepEqual(diffResponses(a, { ...json({ a: 2 }), hash: '' }, {}).map((e) => e.path), ['$.a']);
  });

  test('binary bodies compare by digest; JSON vs text is a type difference at the root', () => {
    const bin = (b: number[]) => res(Buffer.from(b), { 'content-type': 'application/octet-stream' });
    assert.deepEqual(diffResponses(bin([1, 2]), bin([1, 2]), {}), []);
    assert.equal(diffResponses(bin([1, 2]), bin([1, 3]), {})[0].kind, 'hash');
    const es = diffResponses(json({ a: 1 }), res('<html>', { 'content-type': 'text/html' }), {});
    assert.deepEqual(es.map((e) => `${e.kind} ${e.path}`), ['header headers.content-type', 'type $']);
  });
});

describe('bodies nested too deep to walk', () => {
  const deep = (n: number, leaf: string) => '['.repeat(n) + JSON.stringify(leaf) + ']'.repeat(n);

  test('a JSON body nested deeper than the stack is one whole-body difference by digest, not a pair that cannot be compared', () => {
    for (const n of [3_000, 20_000]) {
      const m = res(deep(n, 'a'));
      const c = res(deep(n, 'b'));
      const entries = diffResponses(m, c);
      assert.deepEqual(entries, [{ path: '$', kind: 'hash', monolith: { hash: m.hash, size: m.size }, candidate: { hash: c.hash, size: c.size } }]);
      // the same bytes are still equal without a walk
      assert.deepEqual(diffResponses(m, res(deep(n, 'a'))), []);
    }
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, diffValues, isCompiled, parsePattern } from '../../../proxy/compare/index.ts';

describe('compileRules', () => {
  test('compiles once per rules object and passes a compiled form through', () => {
    const rules = { ignore: ['$.a'] };
    const c = compileRules(rules);
    assert.equal(compileRules(rules), c);
    assert.equal(compileRules(c), c);
    assert.ok(isCompiled(c));
    assert.equal(isCompiled(rules), false);
    assert.deepEqual(diffValues({ a: 1 }, { a: 2 }, c), []);
  });

  test('header names are lower-cased, default is content-type only', () => {
    assert.deepEqual(compileRules({}).headers, ['content-type']);
    assert.deepEqual(compileRules({ headers: ['ETag', 'X-Version'] }).headers, ['etag', 'x-version']);
  });

  test('keyed unordered rules need a key', () => {
    assert.throws(() => compileRules({ unordered: [{ path: '$.a', key: '' }] }), /empty key/);
  });
});

describe('parsePattern', () => {
  test('every documented form', () => {
    assert.deepEqual(parsePattern('$'), []);
    assert.deepEqual(parsePattern('$.a.b'), [{ t: 'key', k: 'a' }, { t: 'key', k: 'b' }]);
    assert.deepEqual(parsePattern('$..servedAt'), [{ t: 'desc', k: 'servedAt' }]);
    assert.deepEqual(parsePattern('$.items[*].x'), [{ t: 'key', k: 'items' }, { t: 'any' }, { t: 'key', k: 'x' }]);
    assert.deepEqual(parsePattern('$.items.*'), [{ t: 'key', k: 'items' }, { t: 'any' }]);
    assert.deepEqual(parsePattern('$.items[10]'), [{ t: 'key', k: 'items' }, { t: 'index', i: 10 }]);
    assert.deepEqual(parsePattern(`$["a b"]['c.d']`), [{ t: 'key', k: 'a b' }, { t: 'key', k: 'c.d' }]);
    assert.deepEqual(parsePattern('$.x-request-id'), [{ t: 'key', k: 'x-request-id' }]);
  });

  test('malformed patterns name themselves', () => {
    for (const bad of ['', 'items', '$.', '$[', '$[x]', '$["a"', '$..*', '$ .a']) {
      assert.throws(() => parsePattern(bad), (e: Error) => e.name === 'UserError' && e.message.includes(`"${bad}"`), bad);
    }
  });
});

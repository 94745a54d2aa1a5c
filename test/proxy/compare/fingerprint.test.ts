import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldId, fingerprint, foldPath } from '../../../proxy/compare/index.ts';
import type { DiffEntry } from '../../../proxy/types.ts';

describe('foldPath', () => {
  test('folds every index, keeps quoted keys and non-body paths', () => {
    assert.equal(foldPath('$.items[3].price'), '$.items[*].price');
    assert.equal(foldPath('$[0][12].a'), '$[*][*].a');
    assert.equal(foldPath('$["x[3]"][4]'), '$["x[3]"][*]');
    assert.equal(foldPath('headers.content-type'), 'headers.content-type');
  });
});

describe('fingerprint', () => {
  const e = (path: string, kind: DiffEntry['kind'], v = 1): DiffEntry => ({ path, kind, monolith: v, candidate: v + 1 });

  test('same fields and kinds at other positions, values, order or multiplicity: same fingerprint', () => {
    const f1 = fingerprint('catalog.list', [e('$.items[3].price', 'changed'), e('$.total', 'changed')]);
    const f2 = fingerprint('catalog.list', [e('$.total', 'changed', 7), e('$.items[0].price', 'changed', 5), e('$.items[9].price', 'changed')]);
    assert.equal(f1, f2);
    assert.match(f1, /^[0-9a-f]{16}$/);
  });

  test('route, kind or path change the fingerprint', () => {
    const base = fingerprint('r', [e('$.a', 'changed')]);
    assert.notEqual(fingerprint('r2', [e('$.a', 'changed')]), base);
    assert.notEqual(fingerprint('r', [e('$.a', 'type')]), base);
    assert.notEqual(fingerprint('r', [e('$.b', 'changed')]), base);
    assert.notEqual(fingerprint('r', [e('$.a', 'changed'), e('$.b', 'changed')]), base);
  });

  test('is stable across runs (a known value) and empty only for no entries', () => {
    // pinned: stored fingerprints must keep meaning the same group after an upgrade
    assert.equal(fingerprint('catalog.getBook', [e('$.price', 'changed')]), '771c309ccf12fad6');
    assert.equal(fingerprint('r', []), '');
    assert.notEqual(fingerprint('', [e('status', 'status')]), '');
  });

  test('fieldId is the folded path and the kind', () => {
    assert.equal(fieldId(e('$.items[2].price', 'changed')), '$.items[*].price changed');
  });
});

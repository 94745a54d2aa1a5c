import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { diffValues, equalValues, pathExists } from '../../../proxy/compare/index.ts';
import type { DiffEntry } from '../../../proxy/types.ts';

const summary = (es: DiffEntry[]) => es.map((e) => `${e.kind} ${e.path}`).sort();

describe('diff kinds', () => {
  test('equal values give no entries, whatever the key order', () => {
    assert.deepEqual(diffValues({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }), []);
  });

  test('changed value carries both sides', () => {
    assert.deepEqual(diffValues({ price: 19.99 }, { price: 18.99 }), [
      { path: '$.price', kind: 'changed', monolith: 19.99, candidate: 18.99 },
    ]);
  });

  test('type change: number vs numeric string, null vs value, array vs object', () => {
    assert.deepEqual(summary(diffValues({ p: 19.99, n: null, l: [] }, { p: '19.99', n: 0, l: {} })), [
      'type $.l',
      'type $.n',
      'type $.p',
    ]);
  });

  test('missing and extra fields', () => {
    const es = diffValues({ a: 1, gone: { x: 1 } }, { a: 1, added: 'y' });
    assert.deepEqual(es, [
      { path: '$.gone', kind: 'missing', monolith: { x: 1 } },
      { path: '$.added', kind: 'extra', candidate: 'y' },
    ]);
  });

  test('odd keys are quoted in paths and the path still resolves', () => {
    const a = { 'a b': { 'x.y': 1 } };
    const es = diffValues(a, { 'a b': { 'x.y': 2 } });
    assert.deepEqual(summary(es), ['changed $["a b"]["x.y"]']);
    assert.ok(pathExists(a, es[0].path));
  });
});

describe('arrays', () => {
  const book = (id: number, price = 10) => ({ id, title: `t${id}`, price });

  test('elements with an id are matched by id: one changed element is one entry', () => {
    const a = [book(1), book(2), book(3)];
    const b = [book(1), book(2, 11), book(3)];
    assert.deepEqual(summary(diffValues(a, b)), ['changed $[1].price']);
  });

  test('one moved element among id-keyed elements is ONE order entry, plus its real change', () => {
    const a = Array.from({ length: 30 }, (_, i) => book(i));
    const b = a.map((x) => ({ ...x }));
    const [moved] = b.splice(2, 1);
    b.push(moved);
    b[10].price = 99; // id 11
    const es = diffValues({ items: a }, { items: b });
    assert.deepEqual(summary(es), ['changed $.items[11].price', 'order $.items']);
    const order = es.find((e) => e.kind === 'order');
    assert.deepEqual(order?.monolith, [{ id: 2, index: 2 }]);
    assert.deepEqual(order?.candidate, [{ id: 2, index: 29 }]);
  });

  test('id-keyed: missing uses the monolith index, extra the candidate index', () => {
    const a = [book(1), book(2), book(3)];
    const b = [book(4), book(1), book(3)];
    const es = diffValues(a, b);
    assert.deepEqual(summary(es), ['extra $[0]', 'missing $[1]']);
    assert.deepEqual(es.find((e) => e.kind === 'missing')?.monolith, book(2));
    assert.deepEqual(es.find((e) => e.kind === 'extra')?.candidate, book(4));
  });

  test('id-keyed: a changed field inside a moved element is reported at the monolith index', () => {
    const a = [book(1), book(2)];
    const b = [book(2, 50), book(1)];
    assert.deepEqual(summary(diffValues(a, b)), ['changed $[1].price', 'order $']);
  });

  test('ids that never overlap (generated per request) fall back to positions', () => {
    const a = [{ id: 'a1', sku: 1 }, { id: 'a2', sku: 2 }];
    const b = [{ id: 'b1', sku: 1 }, { id: 'b2', sku: 3 }];
    assert.deepEqual(summary(diffValues(a, b)), ['changed $[0].id', 'changed $[1].id', 'changed $[1].sku']);
  });

  test('duplicate ids fall back to positions', () => {
    assert.deepEqual(summary(diffValues([book(1), book(1)], [book(1), book(1, 2)])), ['changed $[1].price']);
  });

  test('positional: a permutation is one order entry naming the moved element', () => {
    const es = diffValues(['a', 'b', 'c', 'd', 'e'], ['a', 'c', 'd', 'e', 'b']);
    assert.deepEqual(es, [{ path: '$', kind: 'order', monolith: [{ index: 1 }], candidate: [{ index: 4 }] }]);
  });

  test('positional: insertion and deletion are extra / missing per element', () => {
    assert.deepEqual(summary(diffValues([1, 2, 3], [1, 9, 2, 3])), ['extra $[1]']);
    assert.deepEqual(summary(diffValues([1, 2, 3, 4], [1, 4])), ['missing $[1]', 'missing $[2]']);
  });

  test('positional: other length changes are one length entry plus the overlap', () => {
    const es = diffValues([1, 2, 3], [7, 8]);
    assert.deepEqual(summary(es), ['changed $[0]', 'changed $[1]', 'length $']);
    assert.deepEqual(es.find((e) => e.kind === 'length'), { path: '$', kind: 'length', monolith: 3, candidate: 2 });
  });

  test('positional: two changed elements are two changes, not an order', () => {
    assert.deepEqual(summary(diffValues([1, 2, 3], [1, 5, 6])), ['changed $[1]', 'changed $[2]']);
  });
});

describe('rules', () => {
  test('ignore: $.a.b, $..field, $.items[*].x, $.items[0], quoted keys', () => {
    const a = { a: { b: 1, c: 1 }, servedAt: 1, book: { servedAt: 1 }, items: [{ x: 1, y: 1 }, { x: 2, y: 2 }], 'k k': 1 };
    const b = { a: { b: 2, c: 1 }, servedAt: 2, book: { servedAt: 2 }, items: [{ x: 9, y: 1 }, { x: 8, y: 2 }], 'k k': 2 };
    assert.deepEqual(diffValues(a, b, { ignore: ['$.a.b', '$..servedAt', '$.items[*].x', '$["k k"]'] }), []);
    assert.deepEqual(
      summary(diffValues(a, b, { ignore: ['$.servedAt'] })),
      ['changed $.a.b', 'changed $.book.servedAt', 'changed $.items[0].x', 'changed $.items[1].x', 'changed $["k k"]'],
    );
    const c = { items: [{ ad: 1 }, 2, 3] };
    assert.deepEqual(diffValues(c, { items: [{ ad: 2 }, 2, 3] }, { ignore: ['$.items[0]'] }), []);
    assert.deepEqual(summary(diffValues(c, { items: [{ ad: 2 }, 2, 4] }, { ignore: ['$.items[0]'] })), ['changed $.items[2]']);
  });

  test('ignored fields are ignored when missing or extra too', () => {
    assert.deepEqual(diffValues({ a: 1, requestId: 'x' }, { a: 1 }, { ignore: ['$..requestId'] }), []);
    assert.deepEqual(diffValues({ a: 1 }, { a: 1, requestId: 'x' }, { ignore: ['$..requestId'] }), []);
  });

  test('unordered: multiset, duplicates count', () => {
    const rules = { unordered: ['$.tags'] };
    assert.deepEqual(diffValues({ tags: ['a', 'b', 'b'] }, { tags: ['b', 'a', 'b'] }, rules), []);
    assert.deepEqual(summary(diffValues({ tags: ['a', 'b', 'b'] }, { tags: ['b', 'a', 'a'] }, rules)), ['extra $.tags[2]', 'missing $.tags[2]']);
  });

  test('unordered by key: matched by the key field, no order entry', () => {
    const rules = { unordered: [{ path: '$.lines', key: 'sku' }] };
    const a = { lines: [{ sku: 'a', q: 1 }, { sku: 'b', q: 2 }] };
    assert.deepEqual(diffValues(a, { lines: [{ sku: 'b', q: 2 }, { sku: 'a', q: 1 }] }, rules), []);
    assert.deepEqual(summary(diffValues(a, { lines: [{ sku: 'b', q: 3 }, { sku: 'a', q: 1 }] }, rules)), ['changed $.lines[1].q']);
  });

  test('unordered applies with $..field and on the root', () => {
    assert.deepEqual(diffValues({ x: { t: [1, 2] } }, { x: { t: [2, 1] } }, { unordered: ['$..t'] }), []);
    assert.deepEqual(diffValues([3, 1, 2], [1, 2, 3], { unordered: ['$'] }), []);
  });

  test('unordered arrays nested in unordered arrays', () => {
    const rules = { unordered: ['$[*]', '$'] };
    assert.deepEqual(diffValues([[1, 2], [3, 4]], [[4, 3], [2, 1]], rules), []);
    assert.equal(equalValues([[1, 2], [3, 4]], [[4, 3], [2, 5]], rules), false);
  });

  test('tolerance is relative and inclusive', () => {
    assert.deepEqual(diffValues({ p: 200 }, { p: 201 }, { tolerance: 0.005 }), []);
    assert.deepEqual(summary(diffValues({ p: 200 }, { p: 201.5 }, { tolerance: 0.005 })), ['changed $.p']);
    assert.deepEqual(summary(diffValues({ p: 0 }, { p: 0.001 }, { tolerance: 0.005 })), ['changed $.p']);
  });

  test('tolerance applies when matching unordered elements', () => {
    assert.deepEqual(diffValues([1000, 2000], [2001, 1000], { unordered: ['$'], tolerance: 0.001 }), []);
  });

  test('malformed rule paths are user errors naming the path', () => {
    assert.throws(() => diffValues({}, {}, { ignore: ['a.b'] }), (e: Error) => e.name === 'UserError' && e.message.includes('"a.b"'));
    assert.throws(() => diffValues({}, {}, { ignore: ['$.items['] }), /not valid/);
    assert.throws(() => diffValues({}, {}, { tolerance: -1 }), /tolerance/);
  });
});

describe('keys that shadow Object.prototype', () => {
  test('constructor, toString and __proto__ are ordinary fields', () => {
    const a = JSON.parse('{"constructor": 1, "__proto__": {"x": 1}, "toString": "s"}') as unknown;
    assert.deepEqual(summary(diffValues(a, {})), ['missing $.__proto__', 'missing $.constructor', 'missing $.toString']);
    assert.deepEqual(summary(diffValues({}, a)), ['extra $.__proto__', 'extra $.constructor', 'extra $.toString']);
    assert.deepEqual(diffValues(a, JSON.parse(JSON.stringify(a))), []);
  });
});

describe('equalValues agrees with diffValues', () => {
  test('unordered array whose lengths differ only by an ignored position', () => {
    const rules = { unordered: ['$'], ignore: ['$[2]'] };
    assert.deepEqual(diffValues([1, 2, 'z'], [2, 1], rules), []);
    assert.equal(equalValues([1, 2, 'z'], [2, 1], rules), true);
  });
});

// The byte-level diff (lockstep.ts) must give exactly the walker's entries, or decline. Checked on random
// bodies written in varied but valid spellings (whitespace, escapes, number forms), on broken bodies, and
// on the cases it declines on purpose.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compileRules, diffResponses, diffValues } from '../../../proxy/compare/index.ts';
import { BACKOFF_EVERY, DECLINES_BEFORE_BACKOFF, lockstepDiff, tryLockstep } from '../../../proxy/compare/lockstep.ts';
import type { CapturedResponse, CompareRules, DiffEntry } from '../../../proxy/types.ts';

const RUNS = Number(process.env.PROP_RUNS ?? 400);

// ---- random bodies: small alphabets, so that pairs often share their shape ----
const key = fc.constantFrom('a', 'b', 'x', 'ts', 'tags', 'items', 'id', 'k k', '0', '1', '10', 'é', 'a/b');
const leaf = fc.oneof(
  fc.integer({ min: -3, max: 4 }),
  fc.constantFrom(0.5, 1e21, -0, 2.25),
  fc.constantFrom('p', 'q', '0', 'ü', 'a"b', 'line\nbreak', '\u2028', 'x/y'),
  fc.boolean(),
  fc.constant(null),
);
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
    fc.uniqueArray(fc.record({ id: fc.integer({ min: 0, max: 6 }), x: leaf }), { selector: (e) => e.id, maxLength: 4 }),
  ),
}));
const valueArb = fc.oneof(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 }), fc.array(tree, { minLength: 1, maxLength: 4 }), tree);

/** Small deterministic changes: a leaf tweaked, a key dropped, an element moved or removed. */
function mutate(v: unknown, choices: number[]): unknown {
  const c = choices.length ? choices.pop()! : 0;
  if (Array.isArray(v)) {
    const out = v.map((x) => mutate(x, choices));
    if (c % 9 === 0 && out.length > 1) out.push(out.shift());
    if (c % 11 === 1) out.pop();
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (c % 13 !== 2 || k === 'id') out[k] = mutate(x, choices);
    if (c % 17 === 3) out.ts = c;
    return out;
  }
  if (typeof v === 'number' && c % 5 === 4) return v + 1;
  if (typeof v === 'number' && c % 7 === 6) return v * 1.001;
  if (typeof v === 'number' && c % 8 === 5) return String(v);
  if (typeof v === 'string' && c % 6 === 5) return `${v}!`;
  if (c % 19 === 7) return { v };
  return v;
}

/** Changes some leaves only, keeping every key and length: the shape a service extracted from the monolith keeps. */
function tweakLeaves(v: unknown, choices: number[]): unknown {
  if (Array.isArray(v)) return v.map((x) => tweakLeaves(x, choices));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tweakLeaves(x, choices)]));
  const c = choices.length ? choices.pop()! : 0;
  if (c % 8 !== 1) return v;
  if (typeof v === 'number') return c % 3 === 0 ? String(v) : v + 1;
  if (typeof v === 'string') return c % 3 === 0 ? null : `${v}!`;
  if (typeof v === 'boolean') return !v;
  return c % 2 === 0 ? 0 : [];
}

/** JSON.stringify's meaning in another valid spelling, chosen by `style`: spaces, escapes, number forms. */
function write(v: unknown, style: number, rand: () => number): string {
  const ws = () => (style & 1 ? [' ', '\n', '\t ', '\r\n'][Math.floor(rand() * 4)] : '');
  const str = (s: string) => {
    if (!(style & 2)) return JSON.stringify(s);
    let out = '"';
    for (const ch of s) {
      const code = ch.charCodeAt(0);
      if (ch === '"' || ch === '\\') out += `\\${ch}`;
      else if (ch === '/' && rand() < 0.5) out += '\\/';
      else if (code < 0x20 || (code < 0x10000 && rand() < 0.2)) out += `\\u${code.toString(16).padStart(4, rand() < 0.5 ? '0' : '0').toUpperCase()}`;
      else out += ch;
    }
    return `${out}"`;
  };
  const num = (n: number) => {
    const s = JSON.stringify(n);
    if (!(style & 4) || !Number.isInteger(n) || Math.abs(n) >= 1e15) return s;
    return rand() < 0.5 ? `${s}.0` : `${s}e0`;
  };
  const rec = (x: unknown): string => {
    if (x === null || typeof x === 'boolean') return String(x);
    if (typeof x === 'number') return num(x);
    if (typeof x === 'string') return str(x);
    if (Array.isArray(x)) return `[${ws()}${x.map((e) => rec(e)).join(`${ws()},${ws()}`)}${ws()}]`;
    // keys keep one spelling (a service writes its keys as the monolith did), except in style 7
    const entries = Object.entries(x as Record<string, unknown>).map(([k, e]) => `${style === 7 ? str(k) : JSON.stringify(k)}${ws()}:${ws()}${rec(e)}`);
    return `{${ws()}${entries.join(`${ws()},${ws()}`)}${ws()}}`;
  };
  return `${ws()}${rec(v)}${ws()}`;
}

const rulesArb: fc.Arbitrary<CompareRules> = fc.record({
  ignore: fc.subarray(['$..ts', '$.a', '$.items[*].x', '$..b', '$[*].x', '$[1]', '$.items[0]', '$..id', '$["k k"]', '$..é']),
  unordered: fc.subarray(['$.items', '$..tags', '$', '$.a', { path: '$.b', key: 'id' }]),
  tolerance: fc.constantFrom(undefined, 0, 0.002),
});

/** The reference: parse both, walk. */
function walked(a: string, b: string, rules: CompareRules): DiffEntry[] {
  return diffValues(JSON.parse(a), JSON.parse(b), rules);
}

function lockstep(a: string, b: string, rules: CompareRules = {}): DiffEntry[] | undefined {
  return lockstepDiff(Buffer.from(a), Buffer.from(b), compileRules(rules));
}

describe('lockstep diff', () => {
  test('gives exactly the walker entries, or declines (random bodies, spellings and rules)', () => {
    let answered = 0;
    let withEntries = 0;
    let runs = 0;
    fc.assert(
      fc.property(valueArb, fc.array(fc.nat(100), { maxLength: 40 }), fc.nat(3), fc.nat(7), fc.nat(7), fc.integer(), rulesArb, (v, choices, mode, sa, sb, seed, rules) => {
        let s = seed;
        const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32;
        const other = mode === 0 ? v : mode === 1 ? mutate(v, [...choices]) : tweakLeaves(v, [...choices]);
        const a = write(v, sa, rand);
        const b = write(other, mode === 3 ? sa : sb, rand);
        const fast = lockstep(a, b, rules);
        runs++;
        if (fast === undefined) return;
        answered++;
        if (fast.length > 0) withEntries++;
        assert.deepStrictEqual(fast, walked(a, b, rules), `a=${a}\nb=${b}\nrules=${JSON.stringify(rules)}`);
      }),
      { numRuns: RUNS * 10 },
    );
    // the check above means something only if the fast path answers often, differences included
    assert.ok(answered > runs * 0.3, `answered ${answered} of ${runs}`);
    assert.ok(withEntries > runs * 0.025, `answered with entries ${withEntries} of ${runs}`);
  });

  test('declines whenever either body is not JSON (JSON.parse would throw)', () => {
    const good = '{"a":[1,2,{"b":"c"}],"d":true}';
    const broken = [
      '{"a":[1,2,{"b":"c"}],"d":true',
      '{"a":[1,2,{"b":"c"}],"d":tru}',
      '{"a":[1,2,{"b":"c"}],"d":true}x',
      '{"a":[1,2,{"b":"c\u0001"}],"d":true}',
      '{"a":[1,2,{"b":"c\n"}],"d":true}',
      '{"a":[01,2,{"b":"c"}],"d":true}',
      '{"a":[1.,2,{"b":"c"}],"d":true}',
      '{"a":[1,2,{"b":"\\x"}],"d":true}',
      '{"a":[1,2,{"b":"\\u12g4"}],"d":true}',
      '{"a":[1,2,{"b":"c"},],"d":true}',
      "{'a':[1,2,{\"b\":\"c\"}],\"d\":true}",
      '',
      '   ',
      '\u00a0{"a":1}',
    ];
    for (const bad of broken) {
      assert.throws(() => JSON.parse(bad), `the fixture is broken JSON: ${bad}`);
      assert.equal(lockstep(good, bad), undefined, bad);
      assert.equal(lockstep(bad, good), undefined, bad);
      assert.equal(lockstep(bad, bad), undefined, `both ${bad}`);
    }
    assert.equal(lockstepDiff(Buffer.from([0x22, 0xc3, 0x28, 0x22]), Buffer.from('"x"'), compileRules({})), undefined, 'invalid UTF-8');
    assert.equal(lockstep('\ufeff{"a":1}', '{"a":1}'), undefined, 'a byte-order mark');
  });

  test('the same value spelled differently is equal; a changed value is reported with both sides', () => {
    assert.deepEqual(lockstep('{"s":"\\u0041\\/","n":1.0,"e":1e2,"z":-0}', '{"s":"A/","n":1,"e":100,"z":0}'), []);
    assert.deepEqual(lockstep('{"a":{"when":"2026-12-05T01:00:00Z","n":3}}', '{"a":{"when":"2026-12-05T01:00:01Z","n":3}}'), [
      { path: '$.a.when', kind: 'changed', monolith: '2026-12-05T01:00:00Z', candidate: '2026-12-05T01:00:01Z' },
    ]);
    assert.deepEqual(lockstep('{"p":19.99,"l":[],"o":{"k":1}}', '{"p":"19.99","l":{},"o":{"k":1}}'), [
      { path: '$.p', kind: 'type', monolith: 19.99, candidate: '19.99' },
      { path: '$.l', kind: 'type', monolith: [], candidate: {} },
    ]);
    assert.deepEqual(lockstep('{"p":100}', '{"p":100.1}', { tolerance: 0.002 }), []);
    // a repeated key in an object that is equal either way: JSON.parse keeps the last value, equal on both sides
    assert.deepEqual(lockstep('{"a":1,"a":2.0,"b":[1]}', '{"a":1,"a":2,"b":[1.0]}'), []);
    assert.deepEqual(lockstep('{"servedAt":1,"x":{"servedAt":2}}', '{"servedAt":5,"x":{"servedAt":6}}', { ignore: ['$..servedAt'] }), []);
  });

  test('declines where the walker would align differently than position by position', () => {
    // a key missing, extra or in another order
    assert.equal(lockstep('{"a":1,"b":2}', '{"b":2,"a":1}'), undefined);
    assert.equal(lockstep('{"a":1,"b":2}', '{"a":1}'), undefined);
    // array lengths differ
    assert.equal(lockstep('[1,2,3]', '[1,2]'), undefined);
    // two differing elements by position could be a reordering
    assert.equal(lockstep('[1,2,3]', '[2,1,3]'), undefined);
    // elements with ids are aligned by id; ids that moved are not for bytes to judge
    assert.equal(lockstep('[{"id":1,"x":1},{"id":2,"x":2}]', '[{"id":2,"x":2},{"id":1,"x":1}]'), undefined);
    // ... even when the ids themselves are ignored
    assert.equal(lockstep('[{"id":1,"x":1},{"id":2,"x":2}]', '[{"id":2,"x":1},{"id":3,"x":2}]', { ignore: ['$..id'] }), undefined);
    // unordered arrays with any difference
    assert.equal(lockstep('{"t":["a","b"]}', '{"t":["b","a"]}', { unordered: ['$.t'] }), undefined);
    // a repeated key: JSON.parse keeps the last value
    assert.equal(lockstep('{"a":1,"a":2}', '{"a":3,"a":2}'), undefined);
    assert.equal(lockstep('{"id":1,"\\u0069d":2}', '{"id":3,"\\u0069d":2}'), undefined);
    // index-like keys are visited first by the walker: entries from two of them could come out in another order
    assert.equal(lockstep('{"b":1,"2":1,"1":1}', '{"b":2,"2":2,"1":1}'), undefined);
  });

  test('answers the common shapes itself: same keys, one changed element, elements aligned by id', () => {
    const cases: [string, string, CompareRules][] = [
      ['{"items":[{"id":1,"p":2},{"id":2,"p":3}],"at":"x"}', '{"items":[{"id":1,"p":2},{"id":2,"p":4}],"at":"y"}', {}],
      ['{"items":[{"id":1,"p":2,"at":1},{"id":2,"p":3,"at":2}]}', '{"items":[{"id":1,"p":5,"at":3},{"id":2,"p":6,"at":4}]}', {}],
      ['[1,2,3]', '[1,5,3]', {}],
      ['{"2":1,"1":1,"b":1}', '{"2":1,"1":5,"b":1}', {}],
      ['{"t":["a","b"],"n":1}', '{"t":["a","b"],"n":2}', { unordered: ['$.t'] }],
      ['{"a":"\\n\\"quoted\\"","b":[true,false,null]}', '{"a":"\\n\\"quoted\\"","b":[true,false,1]}', {}],
    ];
    for (const [a, b, rules] of cases) {
      const fast = lockstep(a, b, rules);
      assert.ok(fast, `answered: ${a} vs ${b}`);
      assert.ok(fast.length > 0, `${a} vs ${b} differ`);
      assert.deepStrictEqual(fast, walked(a, b, rules));
    }
  });

  test('a body nested deeper than the stack is declined, not thrown', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    assert.equal(lockstep(deep, deep.replace('[]', '[1]')), undefined);
  });
});

describe('lockstep backoff on a route whose pairs keep being declined', () => {
  test('after DECLINES_BEFORE_BACKOFF declines in a row only one pair in BACKOFF_EVERY is tried, until one is answered', () => {
    const rules = compileRules({ ignore: ['$.t'] });
    const moved = [Buffer.from('{"a":1,"b":2}'), Buffer.from('{"b":2,"a":1}')] as const;
    const same = [Buffer.from('{"a":1,"b":2}'), Buffer.from('{"a":1,"b":3}')] as const;
    for (let i = 0; i < DECLINES_BEFORE_BACKOFF; i++) assert.equal(tryLockstep(...moved, rules), undefined);
    // backing off: the same-shape pair is not tried until its turn comes
    let tried = 0;
    for (let i = 1; i <= BACKOFF_EVERY; i++) {
      const r = tryLockstep(...same, rules);
      if (r !== undefined) {
        tried = i;
        assert.deepEqual(r, [{ path: '$.b', kind: 'changed', monolith: 2, candidate: 3 }]);
        break;
      }
    }
    assert.equal(tried, BACKOFF_EVERY, 'tried on the BACKOFF_EVERY-th pair');
    // answered once: tried on every pair again
    assert.ok(tryLockstep(...same, rules));
    assert.ok(tryLockstep(...same, rules));
  });

  test('diffResponses gives the same entries while backing off (it parses instead)', () => {
    const rules = compileRules({});
    const res = (s: string): CapturedResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(s), size: s.length, truncated: false, hash: '', latencyMs: 1 });
    for (let i = 0; i < DECLINES_BEFORE_BACKOFF + 3; i++) {
      assert.deepEqual(diffResponses(res('{"a":1,"b":2}'), res('{"b":2,"a":1}'), rules), []);
      assert.deepEqual(diffResponses(res('{"a":1,"b":2}'), res('{"a":1,"b":3}'), rules), [{ path: '$.b', kind: 'changed', monolith: 2, candidate: 3 }]);
    }
  });
});

describe('diffResponses with the lockstep path', () => {
  const res = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }): CapturedResponse => {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    return { status: 200, headers, body: buf, size: buf.length, truncated: false, hash: '', latencyMs: 1 };
  };

  test('plain JSON and the same JSON gzipped give the same entries', () => {
    const a = '{"a":1,"b":[1,2],"c":"x"}';
    const b = '{"a":1,"b":[1,3],"c":"x"}';
    const plain = diffResponses(res(a), res(b));
    assert.deepEqual(plain, [{ path: '$.b[1]', kind: 'changed', monolith: 2, candidate: 3 }]);
    const zipped = diffResponses(res(a), res(gzipSync(b), { 'content-type': 'application/json', 'content-encoding': 'gzip' }));
    assert.deepEqual(zipped, plain);
  });

  test('a body that claims JSON but is not is still compared as text', () => {
    const es = diffResponses(res('{"a":1}'), res('{"a":1'));
    assert.equal(es.length, 1);
    assert.equal(es[0].kind, 'type');
  });
});

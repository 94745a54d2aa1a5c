// Property tests: the diff against an independent, slow reference of "equal under the rules".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import {
  applyRules,
  diffValues,
  equalValues,
  fingerprint,
  foldPath,
  parsePattern,
  pathExists,
  type PathKey,
} from '../../../proxy/compare/index.ts';
import type { CompareRules } from '../../../proxy/types.ts';
import type { Segment } from '../../../proxy/compare/json-path.ts';

const RUNS = Number(process.env.PROP_RUNS ?? 400);

// Small alphabets so that random pairs are often equal or nearly so.
const key = fc.constantFrom('a', 'b', 'x', 'ts', 'tags', 'items', 'id', 'k k');
const leaf = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom('p', 'q', '0'), fc.boolean(), fc.constant(null));
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { maxLength: 5 }),
    fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
    // arrays of id'd elements, as real APIs return them
    fc.uniqueArray(fc.record({ id: fc.integer({ min: 0, max: 6 }), x: leaf }), { selector: (e) => e.id, maxLength: 5 }),
  ),
}));
// Round-trip through JSON: bodies are parsed JSON, with plain prototypes.
const value = fc
  .oneof(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 }), fc.array(tree, { minLength: 1, maxLength: 5 }), tree)
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

const rulesArb: fc.Arbitrary<CompareRules> = fc.record({
  ignore: fc.subarray(['$..ts', '$.a', '$.items[*].x', '$..b', '$[*].x', '$[1]', '$.items[0]']),
  unordered: fc.subarray(['$.items', '$..tags', '$', '$.a']),
});

const rulesWithIndexArb: fc.Arbitrary<CompareRules> = fc.record({
  ignore: fc.subarray(['$..ts', '$.a', '$[0]', '$.items[1]', '$..b[*]', '$["k k"]']),
});

/** Deterministic mutations driven by a list of choices: shuffle arrays, tweak or drop leaves. */
function mutate(v: unknown, choices: number[]): unknown {
  const c = choices.length ? choices.pop()! : 0;
  if (Array.isArray(v)) {
    const out = v.map((x) => mutate(x, choices));
    if (c % 5 === 0 && out.length > 1) out.push(out.shift());
    if (c % 7 === 1) out.pop();
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (c % 11 !== 2 || k === 'id') out[k] = mutate(x, choices);
    if (c % 13 === 3) out.ts = c;
    return out;
  }
  if (typeof v === 'number' && c % 6 === 4) return v + 1;
  if (typeof v === 'number' && c % 10 === 7) return v * 1.001;
  if (typeof v === 'string' && c % 9 === 5) return `${v}!`;
  return v;
}

const pairArb = fc.tuple(value, fc.array(fc.nat(100), { maxLength: 40 }), fc.nat(3)).map(([a, choices, mode]) => {
  return [a, mode === 0 ? structuredClone(a) : mutate(a, [...choices])] as const;
});

// ---- the reference: written from the documented semantics, sharing nothing but the pattern parser ----

function matches(segs: Segment[], keys: PathKey[]): boolean {
  if (segs.length === 0) return keys.length === 0;
  if (keys.length === 0) return false;
  const [s, ...rest] = segs;
  switch (s.t) {
    case 'key':
      return keys[0] === s.k && matches(rest, keys.slice(1));
    case 'index':
      return keys[0] === s.i && matches(rest, keys.slice(1));
    case 'any':
      return matches(rest, keys.slice(1));
    case 'desc':
      return keys.some((k, i) => k === s.k && matches(rest, keys.slice(i + 1)));
  }
}

function refEqual(a: unknown, b: unknown, rules: CompareRules, path: PathKey[] = []): boolean {
  const tol = rules.tolerance ?? 0;
  const ign = (rules.ignore ?? []).map(parsePattern);
  const unord = (rules.unordered ?? []).map((u) => parsePattern(typeof u === 'string' ? u : u.path));
  const ignored = (p: PathKey[]) => ign.some((s) => matches(s, p));
  const rec = (x: unknown, y: unknown, p: PathKey[]): boolean => {
    if (Array.isArray(x) && Array.isArray(y)) {
      const kept = (arr: unknown[]) => arr.map((_, i) => i).filter((i) => !ignored([...p, i]));
      if (unord.some((s) => matches(s, p))) {
        const ka = kept(x);
        const kb = kept(y);
        if (ka.length !== kb.length) return false;
        // brute-force perfect matching (arrays are small)
        const used = new Set<number>();
        const search = (n: number): boolean => {
          if (n === ka.length) return true;
          for (const j of kb) {
            if (used.has(j) || !rec(x[ka[n]], y[j], [...p, ka[n]])) continue;
            used.add(j);
            if (search(n + 1)) return true;
            used.delete(j);
          }
          return false;
        };
        return search(0);
      }
      if (x.length !== y.length) return false;
      // ids that align elements (when the sides share any) are identities: compared exactly, never within a tolerance
      const hasId = (arr: unknown[]) => arr.length > 0 && arr.every((e) => e !== null && typeof e === 'object' && ['string', 'number'].includes(typeof (e as { id?: unknown }).id));
      const ids = (arr: unknown[]) => new Set(arr.map((e) => (e as { id: unknown }).id));
      const shareId = () => [...ids(x)].some((id) => ids(y).has(id));
      if (hasId(x) && hasId(y) && shareId() && x.some((el, i) => !ignored([...p, i]) && (el as { id: unknown }).id !== (y[i] as { id: unknown }).id)) return false;
      return x.every((el, i) => ignored([...p, i]) || rec(el, y[i], [...p, i]));
    }
    if (x && y && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y)) {
      const kx = Object.keys(x).filter((k) => !ignored([...p, k]));
      const ky = Object.keys(y).filter((k) => !ignored([...p, k]));
      if (kx.length !== ky.length || !kx.every((k) => Object.hasOwn(y, k))) return false;
      return kx.every((k) => rec((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], [...p, k]));
    }
    if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) <= tol * Math.max(Math.abs(x), Math.abs(y));
    return x === y;
  };
  return rec(a, b, path);
}

describe('diff properties', () => {
  test('diff(a, a) is empty, under any rules', () => {
    fc.assert(fc.property(value, rulesArb, (a, r) => diffValues(a, structuredClone(a), r).length === 0), { numRuns: RUNS });
  });

  test('with no rules, diff(a, b) is empty iff a deep-equals b', () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        assert.equal(diffValues(a, b).length === 0, isDeepStrictEqual(a, b));
      }),
      { numRuns: RUNS },
    );
  });

  test('diff(a, b) is empty iff a equals b under the rules (reference implementation)', () => {
    fc.assert(
      fc.property(pairArb, rulesArb, ([a, b], r) => {
        const ref = refEqual(a, b, r);
        assert.equal(diffValues(a, b, r).length === 0, ref);
        assert.equal(equalValues(a, b, r), ref);
        assert.equal(diffValues(b, a, r).length === 0, ref, 'symmetric');
      }),
      { numRuns: RUNS * 2 },
    );
  });

  test('with a tolerance (ordered arrays), diff(a, b) is empty iff equal under the reference', () => {
    const tolRules = fc.record({ ignore: fc.subarray(['$..ts', '$.a', '$[*].x']), tolerance: fc.constantFrom(0, 0.002, 0.01) });
    fc.assert(
      fc.property(pairArb, tolRules, ([a, b], r) => {
        assert.equal(diffValues(a, b, r).length === 0, refEqual(a, b, r));
        assert.equal(equalValues(a, b, r), refEqual(a, b, r));
      }),
      { numRuns: RUNS },
    );
  });

  test('every reported path exists in a or b, and in the side its kind says', () => {
    fc.assert(
      fc.property(pairArb, fc.oneof(rulesArb, rulesWithIndexArb), ([a, b], r) => {
        for (const e of diffValues(a, b, r)) {
          if (e.kind === 'extra') assert.ok(pathExists(b, e.path), `extra ${e.path} in b`);
          else assert.ok(pathExists(a, e.path), `${e.kind} ${e.path} in a`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('applying the rules is idempotent, and the result diffs like the original', () => {
    fc.assert(
      fc.property(pairArb, fc.oneof(rulesArb, rulesWithIndexArb), ([a, b], r) => {
        const na = applyRules(a, r);
        assert.deepEqual(applyRules(na, r), na);
        const nb = applyRules(b, r);
        assert.equal(diffValues(na, nb, r).length === 0, diffValues(a, b, r).length === 0);
      }),
      { numRuns: RUNS },
    );
  });

  test('a folded path is a valid ignore rule that silences exactly that field (noise frozen into config)', () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        for (const e of diffValues(a, b)) {
          if (e.path === '$') continue;
          const rule = foldPath(e.path);
          const after = diffValues(a, b, { ignore: [rule] }).map((x) => foldPath(x.path));
          assert.ok(!after.includes(rule), `${rule} still reported`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('pure: neither the diff nor the normalization changes its inputs', () => {
    fc.assert(
      fc.property(pairArb, fc.oneof(rulesArb, rulesWithIndexArb), ([a, b], r) => {
        const [ca, cb] = [structuredClone(a), structuredClone(b)];
        diffValues(a, b, r);
        applyRules(a, r);
        assert.deepEqual([a, b], [ca, cb]);
      }),
      { numRuns: RUNS },
    );
  });

  test('a fingerprint does not depend on the order of entries', () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const es = diffValues(a, b);
        assert.equal(fingerprint('r', es), fingerprint('r', [...es].reverse()));
        assert.equal(fingerprint('r', es) === '', es.length === 0);
      }),
      { numRuns: RUNS },
    );
  });
});

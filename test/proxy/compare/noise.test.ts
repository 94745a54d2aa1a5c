import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  DEFAULT_NOISE_THRESHOLDS,
  diffResponses,
  fieldId,
  isRealDifference,
  noiseFields,
  noiseScore,
  realDifferences,
  type FieldCounts,
} from '../../../proxy/compare/index.ts';
import type { CapturedResponse } from '../../../proxy/types.ts';

const t = { relative: 20, absolute: 0.03 };
const counts = (raw: number, total: number, noise: number, noiseTotal: number): FieldCounts => ({ raw, total, noise, noiseTotal });

describe('isRealDifference', () => {
  test('defaults are 20 and 0.03', () => {
    assert.deepEqual({ ...DEFAULT_NOISE_THRESHOLDS }, t);
  });

  test('relative threshold: exactly 20 is not real, just above is', () => {
    // rates 0.6 vs 0.4 -> relative exactly 20 (absolute 20 points, far above 0.03)
    assert.equal(noiseScore(counts(60, 100, 4, 10)).relative.toFixed(9), '20.000000000');
    assert.equal(isRealDifference(counts(60, 100, 4, 10), t), false);
    assert.equal(isRealDifference(counts(601, 1000, 4, 10), t), true);
  });

  test('absolute threshold: exactly 0.03 points is not real, just above is', () => {
    // raw rate 0.0006, noise rate 0.0003: relative 33.3, absolute exactly 0.03
    assert.equal(isRealDifference(counts(6, 10000, 3, 10000), t), false);
    assert.equal(isRealDifference(counts(7, 10000, 3, 10000), t), true);
  });

  test('rates, not counts: noise is sampled at 10%', () => {
    // the field varied in every monolith pair, and in every candidate comparison: pure noise
    assert.equal(isRealDifference(counts(1000, 1000, 100, 100), t), false);
    // with counts this would look like a 10x excess; as rates it is the same 100%
    assert.equal(isRealDifference(counts(100, 1000, 10, 100), t), false);
    // the candidate differs much more often than the monolith varies
    assert.equal(isRealDifference(counts(900, 1000, 10, 100), t), true);
  });

  test('one-sided: a field differing less often than the monolith varies is noise, not real', () => {
    // servedAt with light traffic: candidate answers in the same ms half the time (50%), the monolith's
    // second answer never does (100%) — relative 33, absolute 50, yet never a real difference
    assert.equal(isRealDifference(counts(59, 120, 12, 12), t), false);
    // the same gap the other way round is real
    assert.equal(isRealDifference(counts(120, 120, 6, 12), t), true);
  });

  test('noiseScore gives the rates and both measures', () => {
    const s = noiseScore(counts(30, 100, 1, 10));
    assert.deepEqual([s.rawRate, s.noiseRate, s.relative.toFixed(9), s.absolute.toFixed(9)], [0.3, 0.1, '50.000000000', '20.000000000']);
    assert.deepEqual(noiseScore(counts(0, 0, 0, 0)), { rawRate: 0, noiseRate: 0, relative: 0, absolute: 0 });
  });

  test('noise at 0 and raw above 0 is real; raw at 0 never is', () => {
    assert.equal(isRealDifference(counts(1, 100000, 0, 10000), t), true);
    assert.equal(isRealDifference(counts(1, 100000, 0, 0), t), true);
    assert.equal(isRealDifference(counts(0, 100, 5, 10), t), false);
    assert.equal(isRealDifference(counts(0, 0, 0, 0), t), false);
  });
});

function json(v: unknown): CapturedResponse {
  const buf = Buffer.from(JSON.stringify(v));
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: buf,
    size: buf.length,
    hash: createHash('sha256').update(buf).digest('hex'),
    truncated: false,
    latencyMs: 1,
  };
}

describe('noise learning', () => {
  test('a field that varies on the monolith is suppressed; the same key name elsewhere is not', () => {
    const m = json({ servedAt: '10:00', book: { id: 1, servedAt: '2020', price: 5 } });
    const m2 = json({ servedAt: '10:01', book: { id: 1, servedAt: '2020', price: 5 } });
    const noise = noiseFields(m, m2, {});
    assert.deepEqual(noise.map(fieldId), ['$.servedAt changed']);

    const c = json({ servedAt: '10:02', book: { id: 1, servedAt: '2021', price: 5 } });
    const raw = diffResponses(m, c, {});
    assert.deepEqual(raw.map(fieldId).sort(), ['$.book.servedAt changed', '$.servedAt changed']);

    // after 1000 comparisons with 100 noise samples: $.servedAt varied every time on both sides
    const table = new Map<string, FieldCounts>([
      ['$.servedAt changed', counts(1000, 1000, 100, 100)],
      ['$.book.servedAt changed', counts(1000, 1000, 0, 100)],
    ]);
    const real = realDifferences(raw, (id) => table.get(id) ?? counts(0, 1000, 0, 100));
    assert.deepEqual(real.map((e) => e.path), ['$.book.servedAt']);
  });

  test('noise on a field suppresses only that (path, kind): a type change there is still real', () => {
    const m = json({ servedAt: '10:00' });
    const c = json({ servedAt: 1000 });
    const raw = diffResponses(m, c, {});
    assert.deepEqual(raw.map(fieldId), ['$.servedAt type']);
    const table = new Map([['$.servedAt changed', counts(1000, 1000, 100, 100)]]);
    const real = realDifferences(raw, (id) => table.get(id) ?? counts(1000, 1000, 0, 100));
    assert.equal(real.length, 1);
  });

  test('list positions fold: noise at items[0] covers items[7]', () => {
    const noise = noiseFields(json({ items: [{ id: 1, at: 1 }] }), json({ items: [{ id: 1, at: 2 }] }), {});
    const raw = diffResponses(json({ items: Array.from({ length: 8 }, (_, i) => ({ id: i, at: 1 })) }), json({ items: Array.from({ length: 8 }, (_, i) => ({ id: i, at: i === 7 ? 2 : 1 })) }), {});
    assert.equal(fieldId(noise[0]), fieldId(raw[0]));
  });
});

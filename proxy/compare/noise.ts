// Noise: fields that differ between two answers of the monolith itself. A field's monolith-vs-candidate
// difference counts as real only when its rate beats its noise rate by both thresholds (Diffy's rule,
// on rates because noise is learned from a sample of requests only).
import type { CapturedResponse, CompareRules, DiffEntry } from '../types.ts';
import type { CompiledRules } from './rules.ts';
import { diffResponses } from './response-diff.ts';
import { fieldId } from './fingerprint.ts';

export interface FieldCounts {
  /** comparisons where this field differed between monolith and candidate */
  raw: number;
  /** comparisons made (monolith vs candidate) */
  total: number;
  /** noise samples where this field differed between two monolith answers */
  noise: number;
  /** noise samples taken */
  noiseTotal: number;
}

export interface NoiseThresholds {
  /** percent: |rawRate − noiseRate| / (rawRate + noiseRate) · 100 must exceed it */
  relative: number;
  /** percentage points: |rawRate − noiseRate| · 100 must exceed it */
  absolute: number;
}

export const DEFAULT_NOISE_THRESHOLDS: Readonly<NoiseThresholds> = Object.freeze({ relative: 20, absolute: 0.03 });

/** Values this close to a threshold count as equal to it (floating point makes 0.6−0.4 ≠ 0.2). */
const EPSILON = 1e-9;

export interface NoiseScore {
  rawRate: number;
  noiseRate: number;
  relative: number;
  absolute: number;
}

export function noiseScore(c: FieldCounts): NoiseScore {
  const rawRate = c.total > 0 ? c.raw / c.total : 0;
  const noiseRate = c.noiseTotal > 0 ? c.noise / c.noiseTotal : 0;
  const gap = Math.abs(rawRate - noiseRate);
  const sum = rawRate + noiseRate;
  return { rawRate, noiseRate, relative: sum > 0 ? (gap / sum) * 100 : 0, absolute: gap * 100 };
}

/**
 * Whether a field's differences are real rather than noise. Exactly at a threshold is not real.
 * A field never seen varying on the monolith (noise = 0) is real as soon as it differs once: the
 * thresholds exist to separate two rates, and there is no noise rate to separate from.
 * One-sided: a field that differs monolith-vs-candidate no more often than monolith-vs-monolith is
 * noise, however far apart the rates are (with light traffic the candidate's answer often lands in
 * the same millisecond as the monolith's, so a timestamp can differ less often than it does as noise).
 */
export function isRealDifference(c: FieldCounts, t: NoiseThresholds = DEFAULT_NOISE_THRESHOLDS): boolean {
  if (c.raw <= 0 || c.total <= 0) return false;
  if (c.noise <= 0) return true;
  const s = noiseScore(c);
  if (s.rawRate <= s.noiseRate) return false;
  return s.relative > t.relative + EPSILON && s.absolute > t.absolute + EPSILON;
}

/** The differences between two answers of the monolith to the same request: the noise sample. */
export function noiseFields(
  monolith: CapturedResponse,
  monolithAgain: CapturedResponse,
  rules: CompareRules | CompiledRules = {},
): DiffEntry[] {
  return diffResponses(monolith, monolithAgain, rules);
}

/** Keeps the entries whose field (fieldId) is a real difference given the counts the caller keeps. */
export function realDifferences(
  entries: readonly DiffEntry[],
  countsOf: (fieldId: string) => FieldCounts,
  t: NoiseThresholds = DEFAULT_NOISE_THRESHOLDS,
): DiffEntry[] {
  return entries.filter((e) => isRealDifference(countsOf(fieldId(e)), t));
}

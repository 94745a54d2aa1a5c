// Match rate after noise and the readiness verdict: pure functions over store counts.
import type { GroupRow } from '../store/types.ts';
import { isRealDifference } from '../compare/index.ts';
import type { FieldSummary, NoiseThresholds, Verdict } from './model.ts';
import type { FieldRow } from '../store/types.ts';

export interface RouteCounts {
  compared: number;
  matchedRaw: number;
  noiseSampled: number;
}

/** Every field seen on the route, judged against its learned noise. */
export function judgeFields(route: RouteCounts, fields: readonly FieldRow[], thresholds: NoiseThresholds): FieldSummary[] {
  return fields.map((f) => ({
    path: f.path,
    kind: f.kind,
    raw: f.raw,
    noise: f.noise,
    real: f.raw > 0 && isRealDifference({ raw: f.raw, total: route.compared, noise: f.noise, noiseTotal: route.noiseSampled }, thresholds),
  }));
}

const fieldKey = (path: string, kind: string): string => `${path}\u0000${kind}`;

/** A group is real when any of its fields is; the others count as matching requests. */
export function isRealGroup(group: Pick<GroupRow, 'fields'>, judged: ReadonlyMap<string, FieldSummary>): boolean {
  return group.fields.some((f) => judged.get(fieldKey(f.path, f.kind))?.real ?? true);
}

export function indexFields(fields: readonly FieldSummary[]): Map<string, FieldSummary> {
  return new Map(fields.map((f) => [fieldKey(f.path, f.kind), f]));
}

/** Requests that match after noise: raw matches plus groups made only of noise. */
export function matchingAfterNoise(route: RouteCounts, groups: readonly GroupRow[], judged: ReadonlyMap<string, FieldSummary>): number {
  let matching = route.matchedRaw;
  for (const g of groups) if (!isRealGroup(g, judged)) matching += g.count;
  return Math.min(matching, route.compared);
}

export function percent(part: number, whole: number): number | undefined {
  return whole > 0 ? (part / whole) * 100 : undefined;
}

export interface VerdictInput {
  compared: number;
  matchRate?: number;
  errors: number;
  minSamples: number;
  readyAt: number;
}

/**
 * NOT READY as soon as there is evidence against the route (candidate errors, a match rate
 * below the bar); NOT ENOUGH DATA while it looks fine but has fewer than minSamples compared.
 */
export function verdictFor(v: VerdictInput): { verdict: Verdict; reasons: string[] } {
  const reasons: string[] = [];
  if (v.errors > 0) reasons.push(`${v.errors} candidate error${v.errors === 1 ? '' : 's'}`);
  if (v.matchRate !== undefined && v.matchRate < v.readyAt) {
    reasons.push(`match rate ${formatPercent(v.matchRate)} is below ${v.readyAt}% over ${v.compared} compared`);
  }
  if (reasons.length > 0) return { verdict: 'NOT READY', reasons };
  if (v.compared < v.minSamples) return { verdict: 'NOT ENOUGH DATA', reasons: [`${v.compared} of ${v.minSamples} requests compared`] };
  return { verdict: 'READY', reasons: [] };
}

/** Percent with enough digits that 99.95% never prints as 100%. */
export function formatPercent(p: number | undefined): string {
  if (p === undefined) return 'n/a';
  if (p === 100) return '100%';
  const fixed = p >= 99 ? Math.floor(p * 100) / 100 : Math.floor(p * 10) / 10;
  return `${fixed.toFixed(p >= 99 ? 2 : 1)}%`;
}

// Match rate after noise and the readiness verdict: pure functions over store counts.
import type { GroupRow } from '../store/types.ts';
import { isRealDifference } from '../compare/index.ts';
import type { FieldSummary, LatencySummary, NoiseThresholds, ReportOptions, Verdict } from './model.ts';
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
  /** both sides' latency on the route, for maxP99Ratio */
  latency?: { monolith: LatencySummary; candidate: LatencySummary };
  maxP99Ratio?: number;
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
  const slower = slowerThanAllowed(v);
  if (slower) reasons.push(slower);
  if (reasons.length > 0) return { verdict: 'NOT READY', reasons };
  if (v.compared < v.minSamples) return { verdict: 'NOT ENOUGH DATA', reasons: [`${v.compared} of ${v.minSamples} requests compared`] };
  return { verdict: 'READY', reasons: [] };
}

/**
 * With maxP99Ratio: the candidate's p99 above that many times the monolith's, each side over at least minSamples
 * answers (fewer: the latency is not judged; the route is then short of compared requests anyway).
 */
function slowerThanAllowed(v: VerdictInput): string | undefined {
  const { monolith, candidate } = v.latency ?? {};
  if (v.maxP99Ratio === undefined || !monolith?.p99 || candidate?.p99 === undefined) return undefined;
  if (monolith.count < v.minSamples || candidate.count < v.minSamples) return undefined;
  if (candidate.p99 <= v.maxP99Ratio * monolith.p99) return undefined;
  const ratio = Math.round((candidate.p99 / monolith.p99) * 10) / 10;
  return `candidate p99 ${candidate.p99} ms is ${ratio}× the monolith's ${monolith.p99} ms (limit ${v.maxP99Ratio}×)`;
}

/** What READY means under these options, one sentence (the HTML and Markdown reports print it). */
export function readyRule(options: ReportOptions): string {
  const latency = options.maxP99Ratio === undefined ? '' : `, and a candidate p99 at most ${options.maxP99Ratio}× the monolith's`;
  return `READY = at least ${options.readyAt}% of requests match after noise, over at least ${options.minSamples} compared, with no candidate errors${latency}.`;
}

/** Percent with enough digits that 99.95% never prints as 100%. */
export function formatPercent(p: number | undefined): string {
  if (p === undefined) return 'n/a';
  if (p === 100) return '100%';
  const fixed = p >= 99 ? Math.floor(p * 100) / 100 : Math.floor(p * 10) / 10;
  return `${fixed.toFixed(p >= 99 ? 2 : 1)}%`;
}

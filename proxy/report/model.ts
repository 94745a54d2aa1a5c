// ReportData: everything a diff report shows, as plain data. Built once from store query
// results (build.ts); each format (html, markdown, json, junit) is a pure function of it.
import type { DiffEntry, DiffKind } from '../types.ts';
import type { CandidateErrorKind, SampleRow } from '../store/types.ts';

export type Verdict = 'READY' | 'NOT READY' | 'NOT ENOUGH DATA';

export type { NoiseThresholds } from '../compare/index.ts';
import type { NoiseThresholds } from '../compare/index.ts';

export interface ReportOptions {
  /** compared requests needed before a route can be READY */
  minSamples: number;
  /** match rate (percent) a route needs to be READY */
  readyAt: number;
  /** samples shown per mismatch group */
  samplesPerGroup: number;
  /**
   * body bytes of samples one report reads, biggest groups first; past it, groups come without samples
   * (`samplesLeftOut`): 500 groups × 3 samples of 64 KB bodies made a page of a gigabyte
   */
  sampleBudgetBytes: number;
  /** noise thresholds for routes whose proxy did not record its own */
  thresholds: NoiseThresholds;
  /** a route whose candidate p99 is above this many times the monolith's is NOT READY (off when absent) */
  maxP99Ratio?: number;
  /** only the routes of these services (all when absent) */
  services?: readonly string[];
  /** only the routes of these owners (all when absent; routes without an owner are "(no owner)") */
  owners?: readonly string[];
}

export const DEFAULT_REPORT_OPTIONS: ReportOptions = {
  minSamples: 500,
  readyAt: 99.9,
  samplesPerGroup: 3,
  sampleBudgetBytes: 8 * 1024 * 1024,
  thresholds: { relative: 20, absolute: 0.03 },
};

export interface FieldSummary {
  path: string;
  kind: DiffKind;
  /** requests where this field differed between monolith and candidate */
  raw: number;
  /** noise samples where this field differed between two monolith answers */
  noise: number;
  /** beats its noise by the thresholds: a real difference */
  real: boolean;
}

/** One problem: store groups with the same real fields, merged (they differ only in noise fields). */
export interface MismatchGroup {
  /** the largest store group's fingerprint (for /api/diffs) */
  fingerprint: string;
  /** every store group merged here, largest first */
  fingerprints: string[];
  /** real fields first, then the noise fields seen alongside them */
  fields: FieldSummary[];
  count: number;
  /** count / compared, 0..1 */
  share: number;
  /** at least one field is a real difference; groups that are all noise count as matching */
  real: boolean;
  firstSeen?: number;
  lastSeen?: number;
  samples: SampleRow[];
  /** true when the report's sample budget was spent before this group's samples were read (GET /api/diffs has them) */
  samplesLeftOut?: boolean;
}

export interface NoiseField {
  path: string;
  kind: DiffKind;
  /** how many noise samples saw the field vary */
  varied: number;
  /** varied / noise samples, 0..1 */
  rate: number;
  firstSeen?: number;
}

export interface LatencySummary {
  count: number;
  p50?: number;
  p99?: number;
}

export interface RouteReport {
  routeId: string;
  service: string;
  owner: string;
  mode: string;
  compared: number;
  matchedRaw: number;
  /** matchedRaw plus requests whose only differences are noise */
  matching: number;
  /** percent after noise; undefined before anything was compared */
  matchRate?: number;
  rawMatchRate?: number;
  errors: Record<CandidateErrorKind, number> & { total: number };
  dropped: number;
  skippedUnsafe: number;
  fallbacks: number;
  latency: { monolith: LatencySummary; candidate: LatencySummary };
  verdict: Verdict;
  reasons: string[];
  groups: MismatchGroup[];
  noiseSampled: number;
  noise: NoiseField[];
  thresholds: NoiseThresholds;
  firstSeen?: number;
  lastSeen?: number;
  /** when the route's comparisons were started over: what is counted is from then on */
  startedOverAt?: number;
}

export interface ServiceReport {
  service: string;
  routes: RouteReport[];
}

export interface TeamReport {
  owner: string;
  services: ServiceReport[];
}

export interface ReportData {
  generatedAt: string;
  options: ReportOptions;
  totals: { routes: number; compared: number; ready: number; notReady: number; notEnoughData: number };
  teams: TeamReport[];
}

export type { DiffEntry };

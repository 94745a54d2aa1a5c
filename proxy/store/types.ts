// What goes into the diff store and what comes out. Plain data; the store interface is small
// on purpose, so a shared PostgreSQL store can sit behind it later.
import type { RedactOptions } from './redact.ts';
import type { CapturedRequest, CapturedResponse, DiffEntry, DiffKind, Pair } from '../types.ts';

export type CandidateErrorKind = NonNullable<Pair['candidateError']>;

/** A difference's identity for counting: the JSON path with indices folded to [*], and its kind. */
export interface FieldKey {
  path: string;
  kind: DiffKind;
}

export interface RouteMeta {
  routeId: string;
  service: string;
  owner?: string;
  mode: string;
  /** the proxy's noise thresholds for this route, so reports judge with the same numbers */
  noise?: { relative: number; absolute: number };
}

export interface ComparisonRecord {
  routeId: string;
  request: CapturedRequest;
  monolith: CapturedResponse;
  candidate?: CapturedResponse;
  candidateError?: CandidateErrorKind;
  /** concrete diff entries; empty when both answers matched */
  entries: DiffEntry[];
  /** the distinct folded (path, kind) pairs of `entries` */
  fields: FieldKey[];
  /** set when entries is not empty */
  fingerprint?: string;
}

export interface NoiseRecord {
  routeId: string;
  at: number;
  /** distinct folded fields that differed between two monolith answers to one request */
  fields: FieldKey[];
}

export interface RouteCounters {
  dropped: number;
  skippedUnsafe: number;
  fallbacks: number;
}

// ---- read side ----

export interface RouteRow {
  routeId: string;
  service: string;
  owner?: string;
  mode: string;
  compared: number;
  matchedRaw: number;
  errors: Record<CandidateErrorKind, number>;
  noiseSampled: number;
  noise?: { relative: number; absolute: number };
  firstSeen?: number;
  lastSeen?: number;
  /** when its comparisons were last started over (resetRoute): everything counted is from then on */
  startedOverAt?: number;
  counters: RouteCounters;
  latency: { monolith: { bucket: number; count: number }[]; candidate: { bucket: number; count: number }[] };
}

export interface FieldRow extends FieldKey {
  routeId: string;
  raw: number;
  noise: number;
  firstSeen?: number;
  lastSeen?: number;
  noiseFirstSeen?: number;
}

export interface GroupRow {
  routeId: string;
  fingerprint: string;
  fields: FieldKey[];
  count: number;
  sampleCount: number;
  firstSeen?: number;
  lastSeen?: number;
}

export interface StoredSide {
  status: number;
  latencyMs: number;
  headers: Record<string, string>;
  body: string;
}

export interface SampleRow {
  id: number;
  routeId: string;
  fingerprint: string;
  at: number;
  requestId?: string;
  method: string;
  path: string;
  query: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  monolith: StoredSide;
  candidate: StoredSide;
  entries: DiffEntry[];
}

export interface StoreStats {
  /** records accepted by record*() */
  enqueued: number;
  /** records written to SQLite */
  written: number;
  /** write transactions committed */
  transactions: number;
  /** records waiting for the next flush */
  queued: number;
  /** records refused because the write queue was full */
  dropped: number;
  /** flushes that failed (logged; their records are lost) */
  failedFlushes: number;
}

/** What a reset cleared. */
export interface ResetResult {
  routeId: string;
  compared: number;
  errors: number;
  groups: number;
  samples: number;
}

export interface DiffStore {
  readonly path: string;
  upsertRoute(meta: RouteMeta): void;
  recordComparison(record: ComparisonRecord): void;
  recordNoise(record: NoiseRecord): void;
  /**
   * Cumulative counters as one proxy process reports them. Each instance (default: host:pid) keeps
   * its own row and reports sum them, so workers and restarts add up; a snapshot lower than the
   * last one from the same instance is carried over, not lost.
   */
  recordRouteCounters(routeId: string, counters: RouteCounters, instance?: string): void;
  readRoutes(): RouteRow[];
  readFields(routeId?: string): FieldRow[];
  readGroups(routeId?: string): GroupRow[];
  readSamples(routeId: string, fingerprint: string, limit?: number): SampleRow[];
  /**
   * Starts a route's comparisons over (after a fix to the candidate): its compared and matched counts, candidate
   * errors, mismatch groups, samples and latencies go; what was learned about the monolith's own noise stays.
   */
  resetRoute(routeId: string): ResetResult;
  /** Picks up resets made by other processes writing the same file (the in-memory caps of their routes' groups). */
  refreshResets(): void;
  /** Redaction for what is recorded from now on (a config reload); stored samples are not rewritten. */
  setRedact(redact: RedactOptions): void;
  stats(): StoreStats;
  flush(): void;
  close(): void;
}

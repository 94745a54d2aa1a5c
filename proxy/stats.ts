// Live counters per route: plain numbers bumped on the hot path and a fixed-size log-bucket latency
// histogram per side (about 4% precision, constant memory whatever the traffic).

const MIN_MS = 0.05;
const GROWTH = 1.04;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 360; // 0.05 ms · 1.04^360 ≈ 60 s; slower lands in the last bucket

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;

  record(ms: number): void {
    let i = ms <= MIN_MS ? 0 : Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** Upper bound of the bucket holding the q-quantile (0..1), in ms; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.max, MIN_MS * GROWTH ** i);
    }
    return this.max;
  }

  /** Adds another histogram's counts (aggregating workers). */
  merge(snapshot: HistogramSnapshot): void {
    for (const [i, c] of snapshot.buckets) this.counts[i] += c;
    this.count += snapshot.count;
    if (snapshot.max > this.max) this.max = snapshot.max;
  }

  /** Empties it (the shadow thread hands its counts over in deltas). */
  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
  }

  snapshot(): HistogramSnapshot {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]) buckets.push([i, this.counts[i]]);
    return { buckets, count: this.count, max: this.max };
  }
}

export interface HistogramSnapshot {
  buckets: [number, number][];
  count: number;
  max: number;
}

/**
 * The q-quantile of what was recorded between two snapshots of the same histogram (the canary guard's window): the
 * upper bound of the bucket holding it, in ms, with how many were recorded; 0 when nothing was.
 */
export function quantileBetween(later: HistogramSnapshot, earlier: HistogramSnapshot | undefined, q: number): { count: number; ms: number } {
  const before = new Map(earlier?.buckets);
  const diff: [number, number][] = [];
  let count = 0;
  for (const [i, c] of later.buckets) {
    const n = c - (before.get(i) ?? 0);
    if (n > 0) {
      diff.push([i, n]);
      count += n;
    }
  }
  if (count === 0) return { count: 0, ms: 0 };
  const rank = Math.max(1, Math.ceil(q * count));
  let seen = 0;
  for (const [i, n] of diff) {
    seen += n;
    if (seen >= rank) return { count, ms: Math.min(later.max, MIN_MS * GROWTH ** i) };
  }
  return { count, ms: later.max };
}

/** A route's two latency histograms at one moment. */
export interface RouteLatency {
  monolith: HistogramSnapshot;
  candidate: HistogramSnapshot;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
}

export interface RouteStats {
  routeId: string;
  mode: string;
  service?: string;
  requests: number;
  shadowed: number;
  dropped: number;
  /** of `dropped`, the copies a slow candidate's lowered copy limit turned away (shadow.adaptive; CopySlots) */
  droppedSlow: number;
  skippedUnsafe: number;
  fallbacks: number;
  candidateErrors: number;
  /** answers clients got from the candidate side (canary, migrated; shadow copies are not answers) */
  candidateAnswers: number;
  /** of those, the 5xx ones, the proxy's own 502/504 included */
  candidate5xx: number;
  latency: { monolith: LatencySummary; candidate: LatencySummary };
}

/** Mutable counters for one route id; kept across reloads so numbers do not reset when the table is swapped. */
export class RouteCounters {
  requests = 0;
  shadowed = 0;
  dropped = 0;
  /** of dropped, those turned away by a slow candidate's lowered copy limit, not the cap itself (shadow.ts admit) */
  droppedSlow = 0;
  skippedUnsafe = 0;
  fallbacks = 0;
  candidateErrors = 0;
  candidateAnswers = 0;
  candidate5xx = 0;
  /** noise samples asked of the monolith (shadow.ts lowers the share once there are enough) */
  noiseSamples = 0;
  /** of noiseSamples, those already handed on in a delta, or learnt from the other thread (takeDelta, seedNoise) */
  private noiseHanded = 0;
  readonly monolith = new LatencyHistogram();
  readonly candidate = new LatencyHistogram();
  /** of the candidate's latencies, those of the answers clients got (canary, migrated): what the canary guard judges */
  readonly answered = new LatencyHistogram();

  constructor(readonly routeId: string) {}

  /**
   * One answer a client got (a request's, or an upgrade's handshake), `finished` when it was whole: its latency on
   * its side, and on the candidate side what the canary guard watches (shadow copies are counted apart: they answer
   * no client).
   */
  answer(monolith: boolean, status: number, ms: number, finished: boolean): void {
    if (finished) (monolith ? this.monolith : this.candidate).record(ms);
    if (!monolith) {
      if (finished) this.answered.record(ms);
      this.candidateAnswers++;
      if (status >= 500) this.candidate5xx++;
    }
  }

  /**
   * The route's stats; with `since` (a snapshot of these counters taken when the route was started over), what was
   * counted after it. A count below the snapshot's (a --workers worker replaced, its counts gone) reads as 0.
   */
  toStats(mode: string, service: string | undefined, since?: CountersSnapshot): RouteStats {
    const after = (now: number, then: number | undefined) => (since ? Math.max(0, now - (then ?? 0)) : now);
    return {
      routeId: this.routeId,
      mode,
      service,
      requests: after(this.requests, since?.requests),
      shadowed: after(this.shadowed, since?.shadowed),
      dropped: after(this.dropped, since?.dropped),
      droppedSlow: after(this.droppedSlow, since?.droppedSlow),
      skippedUnsafe: after(this.skippedUnsafe, since?.skippedUnsafe),
      fallbacks: after(this.fallbacks, since?.fallbacks),
      candidateErrors: after(this.candidateErrors, since?.candidateErrors),
      candidateAnswers: after(this.candidateAnswers, since?.candidateAnswers),
      candidate5xx: after(this.candidate5xx, since?.candidate5xx),
      latency: since
        ? { monolith: summarizeBetween(this.monolith, since.monolith), candidate: summarizeBetween(this.candidate, since.candidate) }
        : { monolith: summarize(this.monolith), candidate: summarize(this.candidate) },
    };
  }

  /** What the canary guard's latency limits judge: the monolith's answers and the candidate's answers to clients. */
  latency(): RouteLatency {
    return { monolith: this.monolith.snapshot(), candidate: this.answered.snapshot() };
  }

  snapshot(): CountersSnapshot {
    return {
      routeId: this.routeId,
      requests: this.requests,
      shadowed: this.shadowed,
      dropped: this.dropped,
      droppedSlow: this.droppedSlow,
      skippedUnsafe: this.skippedUnsafe,
      fallbacks: this.fallbacks,
      candidateErrors: this.candidateErrors,
      candidateAnswers: this.candidateAnswers,
      candidate5xx: this.candidate5xx,
      monolith: this.monolith.snapshot(),
      candidate: this.candidate.snapshot(),
      answered: this.answered.snapshot(),
    };
  }

  /**
   * What was counted since the last call, as a snapshot, leaving the counters at zero (noiseSamples aside: it decides
   * the noise share, so it keeps counting). The shadow thread counts for its copies this way and hands the deltas
   * to the request thread's counters (merge).
   */
  takeDelta(): CountersSnapshot {
    const delta = this.snapshot();
    delta.noiseSamples = this.noiseSamples - this.noiseHanded;
    this.noiseHanded = this.noiseSamples;
    this.requests = this.shadowed = this.dropped = this.droppedSlow = this.skippedUnsafe = this.fallbacks = this.candidateErrors = this.candidateAnswers = this.candidate5xx = 0;
    this.monolith.reset();
    this.candidate.reset();
    this.answered.reset();
    return delta;
  }

  /** Whether anything was counted since the last takeDelta. */
  get changed(): boolean {
    return this.shadowed + this.dropped + this.candidateErrors + this.candidateAnswers + this.candidate.count + this.answered.count + this.requests + this.skippedUnsafe + this.fallbacks + this.monolith.count > 0 || this.noiseSamples !== this.noiseHanded;
  }

  /**
   * The samples the route took on the other thread so far (a plan handed to the shadow thread carries them): they
   * count toward noise.settleAfter here too, and are not handed back in a delta.
   */
  seedNoise(samples: number): void {
    if (samples <= this.noiseSamples) return;
    this.noiseHanded += samples - this.noiseSamples;
    this.noiseSamples = samples;
  }

  merge(s: CountersSnapshot): void {
    this.requests += s.requests;
    this.shadowed += s.shadowed;
    this.dropped += s.dropped;
    this.droppedSlow += s.droppedSlow ?? 0;
    this.skippedUnsafe += s.skippedUnsafe;
    this.fallbacks += s.fallbacks;
    this.candidateErrors += s.candidateErrors;
    this.candidateAnswers += s.candidateAnswers ?? 0;
    this.candidate5xx += s.candidate5xx ?? 0;
    this.monolith.merge(s.monolith);
    this.candidate.merge(s.candidate);
    if (s.answered) this.answered.merge(s.answered);
    this.noiseSamples += s.noiseSamples ?? 0;
  }
}

export interface CountersSnapshot {
  routeId: string;
  requests: number;
  shadowed: number;
  dropped: number;
  /** absent from a snapshot of an older worker */
  droppedSlow?: number;
  skippedUnsafe: number;
  fallbacks: number;
  candidateErrors: number;
  candidateAnswers: number;
  candidate5xx: number;
  monolith: HistogramSnapshot;
  candidate: HistogramSnapshot;
  /** the candidate's answers to clients (absent from a snapshot of an older worker) */
  answered?: HistogramSnapshot;
  /** in a delta (takeDelta), the noise samples taken since the last one */
  noiseSamples?: number;
}

function summarize(h: LatencyHistogram): LatencySummary {
  return { count: h.count, p50: round(h.quantile(0.5)), p99: round(h.quantile(0.99)) };
}

/** What a histogram recorded after an earlier snapshot of it. */
function summarizeBetween(h: LatencyHistogram, earlier: HistogramSnapshot): LatencySummary {
  const now = h.snapshot();
  const p50 = quantileBetween(now, earlier, 0.5);
  return { count: p50.count, p50: round(p50.ms), p99: round(quantileBetween(now, earlier, 0.99).ms) };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

// Latency is kept as a bounded log-scale histogram (about 5% wide buckets), so the store holds
// at most a few hundred rows per route and side however much traffic passes.

const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
/** Bucket cap: GROWTH^400 ms is far beyond any timeout, so every latency fits. */
export const MAX_BUCKET = 400;

/** Bucket 0 holds latencies under 1 ms; bucket b ≥ 1 holds [GROWTH^(b-1), GROWTH^b). */
export function latencyBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(MAX_BUCKET, 1 + Math.floor(Math.log(ms) / LOG_GROWTH));
}

/** A representative latency for a bucket: its geometric middle (0.5 ms for bucket 0). */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 0.5;
  return Math.pow(GROWTH, bucket - 0.5);
}

export interface HistogramBucket {
  bucket: number;
  count: number;
}

/** p in (0, 1]; undefined for an empty histogram. */
export function percentile(buckets: readonly HistogramBucket[], p: number): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.bucket - b.bucket);
  const total = sorted.reduce((sum, b) => sum + b.count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const b of sorted) {
    seen += b.count;
    if (seen >= rank) return bucketValue(b.bucket);
  }
  return bucketValue(sorted[sorted.length - 1].bucket);
}

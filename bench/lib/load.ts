// One load run with autocannon against a target, with the target's CPU time read before and
// after, so the result carries CPU µs per request (the figure the targets use: it depends least
// on the load generator sharing the cores).
import autocannon from 'autocannon';
import { runPaced } from './paced.ts';
import type { RunningTarget } from './target.ts';

export interface LoadOptions {
  path: string;
  connections: number;
  durationSeconds: number;
  /** per-request timeout, seconds */
  timeoutSeconds?: number;
  /** a fixed offered load, requests per second over all connections, sent by bench/lib/paced.ts (default:
   * autocannon, as fast as the target answers) */
  rate?: number;
  /** one request in `every` goes to `path` instead (a route migrated to a second service: bench/peers/strangler.ts --second) */
  mix?: LoadMix;
}

export interface LoadMix {
  path: string;
  every: number;
}

/** 1 request in 59 (1.7%, the share of requests the slow candidate gets a copy of) to a route migrated to a second service. */
export const SECOND_SERVICE: LoadMix = { path: '/reviews/1', every: 59 };

/** The path of the n-th request (0-based) of a load with this mix. */
export function mixedPath(options: Pick<LoadOptions, 'path' | 'mix'>, n: number): string {
  return options.mix && n % options.mix.every === options.mix.every - 1 ? options.mix.path : options.path;
}

/** autocannon's `requests` for a mixed load (it cycles each connection through them); undefined without a mix. */
export function mixedRequests(options: Pick<LoadOptions, 'path' | 'mix'>): { method: 'GET'; path: string }[] | undefined {
  const mix = options.mix;
  return mix ? Array.from({ length: mix.every }, (_, i) => ({ method: 'GET' as const, path: mixedPath(options, i) })) : undefined;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** CPU time of the measured process per completed request */
  cpuMicrosPerRequest: number;
  /** of which on the main thread (Node targets on Linux; the rest ran on V8's and libuv's helper threads) */
  mainCpuMicrosPerRequest?: number;
  /** of which garbage collection (perf_hooks 'gc' entries; Node targets only) */
  gcMicrosPerRequest?: number;
  /** CPU time of the origins process per request (a sanity check: it should not move between targets) */
  originCpuMicrosPerRequest?: number;
  /** change of the origins' counters during the run (requests and new connections per upstream) */
  upstreamCounters?: Record<string, number>;
}

function delta(before?: Record<string, number>, after?: Record<string, number>): Record<string, number> | undefined {
  if (!before || !after) return undefined;
  const out: Record<string, number> = {};
  for (const key of Object.keys(after)) out[key] = after[key] - (before[key] ?? 0);
  return out;
}

/**
 * An autocannon run, with p50/p99 taken at microsecond resolution: autocannon's own histogram keeps whole
 * milliseconds, too coarse for "within 10%" of a p99 of a few ms (7 vs 8 ms reads as 1.14×). The latencies are
 * the ones autocannon measures (its `response` events, 2xx only, as its histogram), kept unrounded.
 */
export async function runAutocannon(url: string, options: LoadOptions): Promise<autocannon.Result & { fine: { p50Ms: number; p99Ms: number } }> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: url + options.path,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: options.timeoutSeconds ?? 10,
        pipelining: 1,
        requests: mixedRequests(options),
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
    });
  });
  return { ...result, fine: { p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) } };
}

/** The q-quantile of unsorted values (sorts them in place); NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))];
}

/** One run with whichever load generator the options ask for (paced when a rate is given). */
export async function runLoad(url: string, options: LoadOptions): Promise<{ requests: number; durationSeconds: number; p50Ms: number; p99Ms: number; errors: number; non2xx: number }> {
  if (options.rate) return runPaced(url, { ...options, rate: options.rate });
  const r = await runAutocannon(url, options);
  return { requests: r.requests.total, durationSeconds: r.duration, p50Ms: r.fine.p50Ms, p99Ms: r.fine.p99Ms, errors: r.errors, non2xx: r.non2xx };
}

export async function measure(target: RunningTarget, options: LoadOptions, origins?: RunningTarget): Promise<LoadResult> {
  const before = await target.usage(true);
  const originBefore = origins ? await origins.usage(false) : undefined;
  const result = await runLoad(target.url, options);
  const after = await target.usage(true);
  const originAfter = origins ? await origins.usage(false) : undefined;
  const requests = result.requests;
  return {
    requests,
    requestsPerSecond: requests / result.durationSeconds,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    errors: result.errors,
    non2xx: result.non2xx,
    cpuMicrosPerRequest: requests > 0 ? (after.cpuMicros - before.cpuMicros) / requests : 0,
    mainCpuMicrosPerRequest:
      after.mainThreadCpuMicros !== undefined && before.mainThreadCpuMicros !== undefined && requests > 0
        ? (after.mainThreadCpuMicros - before.mainThreadCpuMicros) / requests
        : undefined,
    gcMicrosPerRequest: after.gcMicros !== undefined && before.gcMicros !== undefined && requests > 0 ? (after.gcMicros - before.gcMicros) / requests : undefined,
    originCpuMicrosPerRequest:
      originBefore && originAfter && requests > 0 ? (originAfter.cpuMicros - originBefore.cpuMicros) / requests : undefined,
    upstreamCounters: delta(originBefore?.counters, originAfter?.counters),
  };
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

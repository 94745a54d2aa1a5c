// Drives recorded traffic (see traffic.ts) at a target, closed-loop with a concurrency limit or
// open-loop at a fixed rate, and sums up what came back. The library behind `strangler replay`
// and the demo's traffic driver.
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { UserError } from '../common/user-error.ts';
import { AsteriskSender } from './replay-asterisk.ts';
import { isHopByHopHeader, readTrafficFile, trafficBody, trafficFileSize, type TrafficRequest } from './traffic.ts';

export interface ReplayProgress {
  sent: number;
  completed: number;
  errors: number;
  inFlight: number;
  elapsedMs: number;
}

export interface ReplayOptions {
  /** base URL of the proxy (or any HTTP server), e.g. http://127.0.0.1:8080 */
  target: string;
  /** max requests in flight; default 16, or 1000 as a safety bound in rate mode */
  concurrency?: number;
  /** requests started per second (open loop); without it requests go as fast as the concurrency allows */
  rate?: number;
  /** stop after this many requests */
  limit?: number;
  /** per-request timeout for headers and for body inactivity; default 30 s */
  timeoutMs?: number;
  /** called about every progressIntervalMs while running, and once at the end */
  onProgress?: (progress: ReplayProgress) => void;
  progressIntervalMs?: number;
  /** stops sending new requests; the summary covers what was sent */
  signal?: AbortSignal;
}

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

export interface ReplaySummary {
  target: string;
  sent: number;
  /** requests that got a complete response (any status) */
  completed: number;
  byStatusClass: Record<StatusClass, number>;
  /** requests that got no complete response (refused, reset, timeout) */
  errors: number;
  errorsByCode: Record<string, number>;
  bytesReceived: number;
  durationMs: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  maxInFlight: number;
  aborted: boolean;
  /** requests in flight when the run was interrupted: cancelled, counted neither as answered nor as errors */
  cancelled: number;
}

interface Target {
  origin: string;
  prefix: string;
}

function parseTarget(target: string): Target {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UserError(`--target "${target}" is not a URL; pass e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && !target.includes('//')) {
    throw new UserError(`--target "${target}" has no scheme; pass e.g. http://${target}`);
  }
  if (url.protocol !== 'http:') {
    throw new UserError(`--target "${target}": only http:// targets are supported; pass e.g. http://127.0.0.1:8080`);
  }
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
}

function checkPositive(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new UserError(`${name} must be a positive number (got ${value})`);
  }
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Validates a whole file (its first `bytes`) up front so that a bad line stops the run before anything is sent. */
async function countValidLines(path: string, bytes: number): Promise<number> {
  let n = 0;
  for await (const _ of readTrafficFile(path, bytes)) n++;
  return n;
}

/** Latencies in a growable typed array: exact percentiles without boxing a number per request. */
class LatencyLog {
  private data = new Float64Array(1024);
  length = 0;
  push(ms: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = ms;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

export async function replayTraffic(
  source: AsyncIterable<TrafficRequest> | Iterable<TrafficRequest> | string,
  options: ReplayOptions,
): Promise<ReplaySummary> {
  const target = parseTarget(options.target);
  checkPositive('--concurrency', options.concurrency);
  checkPositive('--rate', options.rate);
  checkPositive('--limit', options.limit);
  const rate = options.rate;
  const cap = Math.floor(options.concurrency ?? (rate ? 1000 : 16));
  const limit = options.limit ?? Infinity;
  const timeoutMs = options.timeoutMs ?? 30_000;

  let requests: AsyncIterable<TrafficRequest> | Iterable<TrafficRequest>;
  if (typeof source === 'string') {
    // validated and replayed as the file is now: lines appended during the run (a proxy recording into it) are not read
    const bytes = await trafficFileSize(source);
    await countValidLines(source, bytes);
    requests = readTrafficFile(source, bytes);
  } else {
    requests = source;
  }

  const pool = new Pool(target.origin, {
    connections: cap,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  // `OPTIONS *`, which undici refuses to send (replay-asterisk.ts); made when a file has one
  let asterisk: AsteriskSender | undefined;

  const byStatusClass: Record<StatusClass, number> = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  const errorsByCode: Record<string, number> = {};
  const latencies = new LatencyLog();
  let sent = 0;
  let completed = 0;
  let errors = 0;
  let cancelled = 0;
  let bytesReceived = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let wakeSender: (() => void) | undefined;
  const started = performance.now();

  // undici adds an abort listener per request in flight: handing every request the caller's signal put up to `cap`
  // listeners on it, and node warned of a leak past 10. Requests share one signal of our own, sized for the cap.
  let requestSignal: AbortSignal | undefined;
  let cancelRequests: (() => void) | undefined;
  if (options.signal) {
    const requestsAbort = new AbortController();
    setMaxListeners(cap + 1, requestsAbort.signal);
    requestSignal = requestsAbort.signal;
    cancelRequests = () => requestsAbort.abort(options.signal?.reason);
    options.signal.addEventListener('abort', cancelRequests, { once: true });
  }

  const progress = (): ReplayProgress => ({ sent, completed, errors, inFlight, elapsedMs: performance.now() - started });
  const ticker = options.onProgress
    ? setInterval(() => options.onProgress?.(progress()), options.progressIntervalMs ?? 250)
    : undefined;
  ticker?.unref();

  const sendOne = async (req: TrafficRequest): Promise<void> => {
    const t0 = performance.now();
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      if (!isHopByHopHeader(name)) headers[name] = value;
    }
    try {
      let statusCode: number;
      if (req.path === '*') {
        // the server as a whole: `*` as recorded, not under the target's path
        asterisk ??= new AsteriskSender(target.origin, cap, timeoutMs);
        const answer = await asterisk.send(req.method, headers, trafficBody(req), requestSignal);
        bytesReceived += answer.bytes;
        statusCode = answer.statusCode;
      } else {
        const res = await pool.request({
          path: target.prefix + req.path,
          method: req.method as 'GET',
          headers,
          body: trafficBody(req),
          signal: requestSignal,
        });
        for await (const chunk of res.body) bytesReceived += (chunk as Buffer).length;
        statusCode = res.statusCode;
      }
      latencies.push(performance.now() - t0);
      completed++;
      const cls = `${Math.floor(statusCode / 100)}xx` as StatusClass;
      if (cls in byStatusClass) byStatusClass[cls]++;
    } catch (err) {
      if (options.signal?.aborted) {
        cancelled++;
        return;
      }
      errors++;
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name ?? 'error';
      errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
    }
  };

  const wake = (): void => {
    const resolve = wakeSender;
    wakeSender = undefined;
    resolve?.();
  };
  const settle = (): void => {
    inFlight--;
    wake();
  };
  const waitForSlot = (): Promise<void> => new Promise((resolve) => (wakeSender = resolve));
  // an interrupted run stops waiting for a slot at once (the requests in flight are cancelled through the signal)
  options.signal?.addEventListener('abort', wake, { once: true });

  let failure: unknown;
  try {
    for await (const req of requests) {
      if (options.signal?.aborted) break;
      if (rate) {
        // open loop: request i is due at i/rate seconds, whatever happened to the ones before it
        const due = started + (sent * 1000) / rate;
        const wait = due - performance.now();
        if (wait >= 1) await sleep(wait, undefined, { signal: options.signal }).catch(() => undefined);
        if (options.signal?.aborted) break;
      }
      while (inFlight >= cap && !options.signal?.aborted) await waitForSlot();
      if (options.signal?.aborted) break;
      sent++;
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      void sendOne(req).finally(settle);
      if (sent >= limit) break;
    }
  } catch (err) {
    failure = err; // a bad line mid-stream: finish what is in flight, then report it
  }
  while (inFlight > 0) await waitForSlot();
  options.signal?.removeEventListener('abort', wake);
  if (cancelRequests) options.signal?.removeEventListener('abort', cancelRequests);
  if (ticker) clearInterval(ticker);
  await pool.close();
  asterisk?.close();
  if (failure) throw failure;

  const durationMs = performance.now() - started;
  options.onProgress?.(progress());
  const sorted = latencies.sorted();
  return {
    target: options.target,
    sent,
    completed,
    byStatusClass,
    errors,
    errorsByCode,
    bytesReceived,
    durationMs: round(durationMs),
    requestsPerSecond: round(durationMs > 0 ? (completed * 1000) / durationMs : 0),
    latencyMs: {
      p50: round(percentile(sorted, 0.5)),
      p90: round(percentile(sorted, 0.9)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted.length ? sorted[sorted.length - 1] : 0),
    },
    maxInFlight,
    aborted: options.signal?.aborted ?? false,
    cancelled,
  };
}

/** The summary as a few human-readable lines, for the CLI. */
export function formatReplaySummary(s: ReplaySummary): string {
  const classes = (Object.keys(s.byStatusClass) as StatusClass[])
    .filter((c) => s.byStatusClass[c] > 0)
    .map((c) => `${c} ${s.byStatusClass[c]}`)
    .join(', ');
  const errorCodes = Object.entries(s.errorsByCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const lines = [
    `replayed ${s.sent} requests to ${s.target} in ${(s.durationMs / 1000).toFixed(2)} s${s.aborted ? ' (interrupted)' : ''}`,
    `  responses: ${s.completed}${classes ? ` (${classes})` : ''}`,
    `  errors:    ${s.errors}${errorCodes ? ` (${errorCodes})` : ''}`,
  ];
  if (s.cancelled > 0) lines.push(`  cancelled: ${s.cancelled} (in flight when interrupted)`);
  lines.push(
    `  rate:      ${s.requestsPerSecond.toFixed(1)} req/s, max in flight ${s.maxInFlight}`,
    `  latency:   p50 ${s.latencyMs.p50.toFixed(1)} ms, p99 ${s.latencyMs.p99.toFixed(1)} ms, max ${s.latencyMs.max.toFixed(1)} ms`,
  );
  if (s.sent === 0 && !s.aborted) lines.push('  (the traffic file has no requests)');
  else if (s.completed === 0 && s.errors > 0 && s.errorsByCode.ECONNREFUSED === s.errors) lines.push(`  (nothing is listening at ${s.target})`);
  return lines.join('\n');
}

/** Errors that mean the target could not be reached at all (wrong port, host or network), as opposed to a bad answer. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * When not one request reached the target (every one failed to connect), what to tell the user: a wrong --target is
 * bad input, not a run to sum up as a success. Undefined when anything answered, or the run was interrupted.
 */
export function unreachableTarget(s: ReplaySummary): string | undefined {
  if (s.aborted || s.completed > 0 || s.errors === 0 || s.errors !== s.sent) return undefined;
  const codes = Object.entries(s.errorsByCode);
  if (!codes.every(([code]) => CONNECT_ERRORS.has(code))) return undefined;
  const list = codes.map(([code, n]) => `${code} ${n}`).join(', ');
  return `nothing answered at ${s.target}: all ${s.errors} request${s.errors === 1 ? '' : 's'} failed to connect (${list}); start the proxy there or pass --target <url>`;
}

// An open-loop load generator for latency at a fixed offered load. autocannon's rate mode fires each
// connection's share of a second back to back at the start of the second (bursts that queue behind each
// other) and records latency in whole milliseconds; neither works for a question like "does a slow
// candidate hold the client up by more than 10%". Here request i is due at start + i / rate, requests go
// out over a keep-alive pool as they fall due, and latency runs from when a request was due (not when it
// got a connection), so time spent queued counts (no coordinated omission). Microsecond resolution.
import { Pool } from 'undici';
import { mixedPath, quantile, type LoadMix } from './load.ts';

export interface PacedOptions {
  path: string;
  mix?: LoadMix;
  connections: number;
  durationSeconds: number;
  rate: number;
  timeoutSeconds?: number;
}

export interface PacedResult {
  requests: number;
  durationSeconds: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export async function runPaced(url: string, options: PacedOptions): Promise<PacedResult> {
  const target = new URL(url);
  const timeoutMs = (options.timeoutSeconds ?? 10) * 1000;
  const pool = new Pool(target.origin, { connections: options.connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const base = target.pathname === '/' ? '' : target.pathname.replace(/\/$/, '');
  const total = Math.round(options.rate * options.durationSeconds);
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let sent = 0;
  let settled = 0;
  const start = performance.now();

  await new Promise<void>((resolve) => {
    const send = (due: number, n: number): void => {
      pool
        .request({ path: base + mixedPath(options, n), method: 'GET' })
        .then(async (res) => {
          await res.body.dump({ limit: Infinity });
          if (res.statusCode < 200 || res.statusCode >= 300) non2xx++;
          else latencies.push(performance.now() - due);
        })
        .catch(() => errors++)
        .finally(() => {
          if (++settled === total) resolve();
        });
    };
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        send(start + sent * interval, sent);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  const durationSeconds = (performance.now() - start) / 1000;
  await pool.close();
  return { requests: settled - errors, durationSeconds, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), errors, non2xx };
}

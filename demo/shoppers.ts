// Drives the demo's traffic: a number of concurrent shoppers, each walking its own sessions step by
// step (a login's token is used by the steps after it), until a shared request budget is spent.
import { Pool } from 'undici';
import { isLogin, nextSession, type HttpStep, type JourneyOptions, type SessionKind } from './journeys.ts';
import { seededRandom } from './random.ts';

export interface TrafficProgress {
  sent: number;
  done: number;
  total: number;
  errors: number;
  elapsedMs: number;
}

export interface TrafficOptions extends JourneyOptions {
  /** base URL of the proxy */
  target: string;
  requests: number;
  /** concurrent shoppers (default 16) */
  shoppers?: number;
  seed?: number;
  /** visitor ids are unique per phase, so a later phase brings new visitors into the canary split */
  phase?: string;
  onProgress?: (p: TrafficProgress) => void;
  progressEveryMs?: number;
  signal?: AbortSignal;
}

export interface TrafficSummary {
  sent: number;
  byStatus: Record<string, number>;
  sessions: Record<SessionKind, number>;
  /** requests without an answer (connection refused, reset) */
  errors: number;
  durationMs: number;
}

export async function driveShoppers(options: TrafficOptions): Promise<TrafficSummary> {
  const shoppers = Math.max(1, options.shoppers ?? 16);
  const pool = new Pool(options.target, { connections: shoppers });
  const start = performance.now();
  const summary: TrafficSummary = {
    sent: 0,
    byStatus: {},
    sessions: { browse: 0, search: 0, account: 0, staff: 0, mistakes: 0 },
    errors: 0,
    durationMs: 0,
  };
  let done = 0;
  const progress = (): TrafficProgress => ({ sent: summary.sent, done, total: options.requests, errors: summary.errors, elapsedMs: performance.now() - start });
  const timer = options.onProgress ? setInterval(() => options.onProgress!(progress()), options.progressEveryMs ?? 200) : undefined;

  /** Takes one request from the shared budget; false when it is spent (or the run was aborted). */
  const take = (): boolean => {
    if (summary.sent >= options.requests || options.signal?.aborted) return false;
    summary.sent++;
    return true;
  };

  async function send(step: HttpStep, customerKey: string, token: string | undefined): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { 'x-customer-id': customerKey, 'user-agent': 'strangler-demo' };
    if (step.auth && token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (step.body !== undefined) {
      body = JSON.stringify(step.body);
      headers['content-type'] = 'application/json';
    }
    try {
      const res = await pool.request({ path: step.path, method: step.method, headers, body });
      const text = await res.body.text();
      summary.byStatus[res.statusCode] = (summary.byStatus[res.statusCode] ?? 0) + 1;
      return { status: res.statusCode, text };
    } catch {
      summary.errors++;
      return { status: 0, text: '' };
    } finally {
      done++;
    }
  }

  async function shopper(index: number): Promise<void> {
    const r = seededRandom((options.seed ?? 1) * 7919 + index);
    for (let n = 0; ; n++) {
      const session = nextSession(r, `visitor-${options.phase ?? ''}${index}-${n}`, options);
      summary.sessions[session.kind]++;
      let token: string | undefined;
      for (const step of session.steps) {
        if (!take()) return;
        if (isLogin(step)) {
          const res = await send({ method: 'POST', path: '/login', body: step.login }, session.customerKey, undefined);
          token = res.status === 200 ? (JSON.parse(res.text) as { token?: string }).token : undefined;
        } else {
          await send(step, session.customerKey, token);
        }
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: shoppers }, (_, i) => shopper(i)));
  } finally {
    if (timer) clearInterval(timer);
    await pool.close();
  }
  summary.durationMs = performance.now() - start;
  options.onProgress?.(progress());
  return summary;
}

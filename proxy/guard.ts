// The canary guard: a route in canary whose candidate answers too many of its requests with a 5xx, or fails
// (refused, reset, timed out), or (when latency limits are set) answers too slowly, is moved back (to shadow by
// default) by the control plane: persisted and audited like an admin change, with who and source "guard". It reads
// the live counters once a second; all it adds to the request path is server.ts counting the candidate side's 5xx
// answers (the latency histograms are the route's stats, there anyway).
import type { Logger } from '../common/log.ts';
import type { RoutePatch, RouteView } from './admin.ts';
import { guardOf, type GuardSettings, type ProxyConfig } from './config.ts';
import type { AuditEntry } from './state.ts';
import { quantileBetween, type RouteLatency } from './stats.ts';

export const GUARD_INTERVAL_MS = 1000;

/** What the guard needs of the control plane (proxy/control.ts ProxyControl). */
export interface GuardedControl {
  effective(): ProxyConfig;
  /** `sinceStart`: stats counted since the process started, not since a route was started over */
  views(sinceStart?: boolean): RouteView[];
  patch(id: string, patch: RoutePatch, who: string, source: AuditEntry['source'], reason?: string): RouteView;
  /** a route's latency histograms now (needed only for the latency limits) */
  latency?(id: string): RouteLatency | undefined;
}

/** Running totals of a route's candidate side at one look. */
interface Sample {
  at: number;
  answered: number;
  failed: number;
  /** the latency histograms, when the route's guard has a latency limit */
  latency?: RouteLatency;
}

const EMPTY = { buckets: [], count: 0, max: 0 };
/** what the process's start looked like: the first look counts from it */
const ZERO: Sample = { at: 0, answered: 0, failed: 0, latency: { monolith: EMPTY, candidate: EMPTY } };

const ms = (n: number) => Math.round(n * 10) / 10;

export class CanaryGuard {
  /** per guarded route: in canary the looks of the last window, oldest first (the first at or before the window's start); else the last look */
  private readonly looks = new Map<string, Sample[]>();
  private timer: NodeJS.Timeout | undefined;
  /** before the first look the counters are those of the process's start: that look counts from zero */
  private looked = false;
  /** route → mode → how many times this guard moved the route there (strangler_guard_rollbacks_total) */
  readonly moves = new Map<string, Map<string, number>>();

  constructor(
    private readonly control: GuardedControl,
    private readonly log: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(intervalMs = GUARD_INTERVAL_MS): void {
    this.timer ??= setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at every route in canary; returns the ids it moved back. */
  check(): string[] {
    const config = this.control.effective();
    const now = this.now();
    const moved: string[] = [];
    const guarded = new Set<string>();
    const first = !this.looked;
    this.looked = true;
    const guards = new Map(config.routes.map((r) => [r.id, guardOf(config, r)]));
    const watching = [...guards.values()].some((g) => g !== undefined);
    // counted since the process started: a route started over (reset-diffs) keeps its window
    for (const view of watching ? this.control.views(true) : []) {
      const guard = guards.get(view.id);
      if (!guard) continue;
      guarded.add(view.id);
      const { stats } = view;
      // a fallback is a candidate failure the client did not see (the monolith answered it instead)
      const answered = stats.candidateAnswers + stats.fallbacks;
      const failed = stats.candidate5xx + stats.fallbacks;
      const latency = guard.maxP99Ms !== undefined || guard.maxP99Ratio !== undefined ? this.control.latency?.(view.id) : undefined;
      let looks = this.looks.get(view.id);
      const last = looks?.[looks.length - 1];
      // counters that went down (a --workers worker replaced, its counts gone): start the window again
      if (!looks || !last || answered < last.answered || failed < last.failed || wentDown(latency, last.latency)) {
        looks = first && !looks ? [{ ...ZERO, at: now }] : [];
        this.looks.set(view.id, looks);
      }
      looks.push({ at: now, answered, failed, latency });
      // out of canary only the last look is kept: the start of the count when the route enters canary (at most one
      // interval before the change, so a canary that fails at once is judged on its first requests)
      if (view.mode !== 'canary') {
        looks.splice(0, looks.length - 1);
        continue;
      }
      const windowStart = now - guard.windowSeconds * 1000;
      while (looks.length > 1 && looks[1].at <= windowStart) looks.shift();
      const verdict = errorVerdict(guard, looks[0], answered, failed) ?? latencyVerdict(guard, looks, latency);
      if (!verdict) continue;
      this.looks.delete(view.id);
      try {
        this.control.patch(view.id, { mode: guard.rollbackTo }, 'guard', 'guard', verdict.why);
        moved.push(view.id);
        const byMode = this.moves.get(view.id) ?? new Map<string, number>();
        byMode.set(guard.rollbackTo, (byMode.get(guard.rollbackTo) ?? 0) + 1);
        this.moves.set(view.id, byMode);
        this.log.warn(
          { route: view.id, to: guard.rollbackTo, windowSeconds: guard.windowSeconds, ...verdict.fields },
          `canary guard: ${view.id} moved to ${guard.rollbackTo}: ${verdict.why}`,
        );
      } catch (err) {
        this.log.error({ err, route: view.id }, `canary guard: ${view.id} could not be moved to ${guard.rollbackTo}; it stays in canary`);
      }
    }
    for (const id of this.looks.keys()) if (!guarded.has(id)) this.looks.delete(id);
    return moved;
  }
}

interface Verdict {
  why: string;
  fields: Record<string, number>;
}

/** Too many 5xx answers or failures among at least minRequests since the window's first look. */
function errorVerdict(guard: GuardSettings, start: Sample, answered: number, failed: number): Verdict | undefined {
  const requests = answered - start.answered;
  const failures = failed - start.failed;
  if (requests < guard.minRequests || failures <= guard.maxErrorRate * requests) return undefined;
  const rate = Math.round((failures / requests) * 1000) / 10;
  return {
    why: `${failures} of the candidate's last ${requests} answers were 5xx or failures (${rate}%, over ${guard.maxErrorRate * 100}%)`,
    fields: { requests, failures, maxErrorRate: guard.maxErrorRate },
  };
}

/**
 * The candidate's p99 over the window (its answers to clients, the shadow copies left out as in the error rate) above
 * maxP99Ms, or above maxP99Ratio times the monolith's p99 over the same window; each side judged on at least
 * minRequests. The histograms' buckets are 4% wide: a p99 reads as its bucket's upper bound.
 */
function latencyVerdict(guard: GuardSettings, looks: Sample[], now: RouteLatency | undefined): Verdict | undefined {
  // the window starts at its first look that has histograms (a limit set by a reload starts counting then)
  const start = looks.find((l) => l.latency)?.latency;
  if (!now || !start || start === now) return undefined;
  const candidate = quantileBetween(now.candidate, start.candidate, 0.99);
  if (candidate.count < guard.minRequests) return undefined;
  if (guard.maxP99Ms !== undefined && candidate.ms > guard.maxP99Ms) {
    return {
      why: `the candidate's p99 over its last ${candidate.count} answers was ${ms(candidate.ms)} ms (over ${guard.maxP99Ms} ms)`,
      fields: { requests: candidate.count, p99Ms: ms(candidate.ms), maxP99Ms: guard.maxP99Ms },
    };
  }
  if (guard.maxP99Ratio === undefined) return undefined;
  const monolith = quantileBetween(now.monolith, start.monolith, 0.99);
  if (monolith.count < guard.minRequests || candidate.ms <= guard.maxP99Ratio * monolith.ms) return undefined;
  const ratio = Math.round((candidate.ms / monolith.ms) * 10) / 10;
  return {
    why:
      `the candidate's p99 over its last ${candidate.count} answers was ${ms(candidate.ms)} ms, ${ratio}× the monolith's ` +
      `${ms(monolith.ms)} ms over its last ${monolith.count} (over ${guard.maxP99Ratio}×)`,
    fields: { requests: candidate.count, p99Ms: ms(candidate.ms), monolithP99Ms: ms(monolith.ms), maxP99Ratio: guard.maxP99Ratio },
  };
}

/** Histograms that hold fewer than at the last look: a worker's counts went away. */
function wentDown(now: RouteLatency | undefined, last: RouteLatency | undefined): boolean {
  return !!now && !!last && (now.candidate.count < last.candidate.count || now.monolith.count < last.monolith.count);
}

// The canary guard: a route in canary whose candidate answers too many of its requests with a 5xx, or fails
// (refused, reset, timed out), is moved back (to shadow by default) by the control plane: persisted and audited
// like an admin change, with who and source "guard". It reads the live counters once a second; all it adds to
// the request path is server.ts counting the candidate side's 5xx answers.
import type { Logger } from '../common/log.ts';
import type { RoutePatch, RouteView } from './admin.ts';
import { guardOf, type ProxyConfig } from './config.ts';
import type { AuditEntry } from './state.ts';

export const GUARD_INTERVAL_MS = 1000;

/** What the guard needs of the control plane (proxy/control.ts ProxyControl). */
export interface GuardedControl {
  effective(): ProxyConfig;
  views(): RouteView[];
  patch(id: string, patch: RoutePatch, who: string, source: AuditEntry['source']): RouteView;
}

/** Running totals of a route's candidate side at one look. */
interface Sample {
  at: number;
  answered: number;
  failed: number;
}

export class CanaryGuard {
  /** per guarded route: in canary the looks of the last window, oldest first (the first at or before the window's start); else the last look */
  private readonly looks = new Map<string, Sample[]>();
  private timer: NodeJS.Timeout | undefined;
  /** before the first look the counters are those of the process's start: that look counts from zero */
  private looked = false;

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
    for (const view of watching ? this.control.views() : []) {
      const guard = guards.get(view.id);
      if (!guard) continue;
      guarded.add(view.id);
      const { stats } = view;
      // a fallback is a candidate failure the client did not see (the monolith answered it instead)
      const answered = stats.candidateAnswers + stats.fallbacks;
      const failed = stats.candidate5xx + stats.fallbacks;
      let looks = this.looks.get(view.id);
      // counters that went down (a --workers worker replaced, its counts gone): start the window again
      if (!looks || answered < looks[looks.length - 1].answered || failed < looks[looks.length - 1].failed) {
        looks = first && !looks ? [{ at: now, answered: 0, failed: 0 }] : [];
        this.looks.set(view.id, looks);
      }
      looks.push({ at: now, answered, failed });
      // out of canary only the last look is kept: the start of the count when the route enters canary (at most one
      // interval before the change, so a canary that fails at once is judged on its first requests)
      if (view.mode !== 'canary') {
        looks.splice(0, looks.length - 1);
        continue;
      }
      const windowStart = now - guard.windowSeconds * 1000;
      while (looks.length > 1 && looks[1].at <= windowStart) looks.shift();
      const requests = answered - looks[0].answered;
      const failures = failed - looks[0].failed;
      if (requests < guard.minRequests || failures <= guard.maxErrorRate * requests) continue;
      this.looks.delete(view.id);
      const rate = Math.round((failures / requests) * 1000) / 10;
      try {
        this.control.patch(view.id, { mode: guard.rollbackTo }, 'guard', 'guard');
        moved.push(view.id);
        this.log.warn(
          { route: view.id, to: guard.rollbackTo, requests, failures, windowSeconds: guard.windowSeconds, maxErrorRate: guard.maxErrorRate },
          `canary guard: ${view.id} moved to ${guard.rollbackTo}: ${failures} of the candidate's last ${requests} answers were 5xx or failures (${rate}%, over ${guard.maxErrorRate * 100}%)`,
        );
      } catch (err) {
        this.log.error({ err, route: view.id }, `canary guard: ${view.id} could not be moved to ${guard.rollbackTo}; it stays in canary`);
      }
    }
    for (const id of this.looks.keys()) if (!guarded.has(id)) this.looks.delete(id);
    return moved;
  }
}

// The requests the proxy answers itself and never forwards (RFC 9112's 400s for a bad Host or request target, the
// 501 for a transfer coding it does not pass on): a count per reason and one log line each. Only refusals reach this
// file; a request that is served never does. A scanner or a client trying request smuggling can send thousands a
// second, so the lines are capped per second and what the cap held back is said in one line at the end of that second.
import type { Logger } from '../common/log.ts';

/** Why the proxy answered a request itself. */
export type RefusalReason = 'host-duplicate' | 'host-invalid' | 'target-invalid' | 'transfer-coding';

export const REFUSAL_REASONS: readonly RefusalReason[] = ['host-duplicate', 'host-invalid', 'target-invalid', 'transfer-coding'];

export type RefusalCounts = Record<RefusalReason, number>;

export function noRefusals(): RefusalCounts {
  return { 'host-duplicate': 0, 'host-invalid': 0, 'target-invalid': 0, 'transfer-coding': 0 };
}

/** Adds `b`'s counts to `a` (the --workers primary summing its workers). */
export function addRefusals(a: RefusalCounts, b: Partial<RefusalCounts> | undefined): RefusalCounts {
  if (b) for (const r of REFUSAL_REASONS) a[r] += b[r] ?? 0;
  return a;
}

/** What a refusal's line says besides its reason (the fields of a request's access line that make sense for it). */
export interface RefusedRequest {
  method: string;
  /** the path without its query; absent when the target itself was refused (`target` then) */
  path?: string;
  /** the route the path matches; absent when none does (the monolith's default) or the target was refused */
  route?: string;
  status: number;
  reqId: string;
  /** a refused request target, as received (cut to 200 characters) */
  target?: string;
}

/** Lines per second before the rest are only counted (and said in one line at the end of that second). */
export const REFUSAL_LINES_PER_SECOND = 10;
const WINDOW_MS = 1000;

export class Refusals {
  readonly counts = noRefusals();
  private windowStart = -Infinity;
  private written = 0;
  private held = noRefusals();
  private heldTotal = 0;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly log: Logger,
    private readonly perSecond = REFUSAL_LINES_PER_SECOND,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a refusal and writes its line at warn, unless this second's lines are spent (then counted as held back). */
  refused(reason: RefusalReason, request: RefusedRequest): void {
    this.counts[reason]++;
    const now = this.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.flush();
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.perSecond) {
      this.written++;
      this.log.warn({ refused: reason, ...request }, 'refused');
      return;
    }
    this.held[reason]++;
    this.heldTotal++;
    // said when this second ends, whether or not another refusal comes to roll the window over
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.windowStart + WINDOW_MS - now)).unref();
  }

  /** The line for the refusals held back since the last one, if any (at the end of their second, and on close). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.heldTotal === 0) return;
    const byReason: Partial<RefusalCounts> = {};
    for (const r of REFUSAL_REASONS) if (this.held[r] > 0) byReason[r] = this.held[r];
    this.log.warn({ suppressed: this.heldTotal, byReason }, `refused: ${this.heldTotal} more refusals not logged (over ${this.perSecond} a second; all are counted)`);
    this.held = noRefusals();
    this.heldTotal = 0;
  }
}

/** A client's target or path, as a log field: cut, so a 16 KB one does not make a 16 KB line. */
export function cutForLog(url: string): string {
  return url.length > 200 ? `${url.slice(0, 200)}…` : url;
}

// The per-service cap on shadow copies in flight, and the lower limit a candidate much slower than the monolith gets
// (shadow.adaptive): shared by the request thread's Shadower and the shadow thread's engine, which admit copies.
import type { Logger } from 'pino';

/** A slow candidate's copy limit moved (CopySlots.onLimit): from and to, and the copies of the second that moved it. */
export interface CopyLimitChange {
  service: string;
  from: number;
  to: number;
  /** copies whose candidate call ended in the second that decided, and of them the slow ones */
  ended: number;
  slow: number;
  /** the service's cap (shadow.concurrency): `to` reaching it lifts the limit */
  cap: number;
  /** raised for want of evidence: the whole seconds in which no copy was in flight and none ended (ended and slow are 0) */
  idleSeconds?: number;
}

/** A route's copy limit while its candidate is slow: the copies in flight its service is held to, under the route's cap. */
export interface CopyLimit {
  limit: number;
  cap: number;
  /** its copies go through the shadow thread meanwhile (shadowThread "slow": shadow-split.ts) */
  thread?: true;
}

/** Per service: its copies in flight, and the limit a slow candidate puts below the cap (see CopySlots.ended). */
interface ServiceSlots {
  inFlight: number;
  /** Infinity while the candidate keeps up (the cap alone applies) */
  limit: number;
  windowStart: number;
  ended: number;
  slow: number;
}

/** How long the candidate's answers are watched before the copy limit moves, and the least evidence that moves it down. */
export const PACE_WINDOW_MS = 1_000;
const PACE_MIN_ENDED = 8;

/**
 * The per-service cap on copies in flight (shared by the request thread's Shadower and the shadow thread's engine),
 * and, with `shadow.adaptive`, a lower limit while the candidate is much slower than the monolith. Each copy held by a
 * slow candidate holds its slot for as long as the candidate takes, so the cap alone lets the slowest candidates hold
 * the most copies: a candidate 300 ms late keeps all 64 slots busy (~210 copies a second), which on the bench's two
 * cores cost every client's request +7 µs of the proxy's CPU against +5 at 16 in flight (docs/benchmarks.md). Over each second, when more than half of a service's ended copies
 * were slow (slowCopy: the candidate took over 4× the monolith's time and 50 ms more, or timed out), the limit halves,
 * down to a quarter of the cap; a second with fewer than a tenth slow raises it by an eighth of the cap, back to the
 * cap. A candidate that answers like the monolith is never limited, however busy. A second with no copy in flight and
 * none ending counts as a calm one (see idle): a quiet service's limit does not stay down for want of copies to end.
 */
export class CopySlots {
  private readonly by = new Map<string, ServiceSlots>();
  /**
   * Why the last acquire that failed failed: true when a slow candidate's lowered limit turned the copy away with
   * slots left under the cap (admit counts it in droppedSlow). Written only when acquire fails, so read it only then.
   */
  refusedBelowCap = false;
  /** told when a service's limit moves */
  onLimit: ((change: CopyLimitChange) => void) | undefined;
  /** told, for each service, what each second of ended copies said about its candidate (see pace), moved or not */
  onPace: ((service: string, pace: Pace) => void) | undefined;

  /** `now`: the clock the seconds are read on (tests give their own) */
  constructor(private readonly now: () => number = () => performance.now()) {}

  acquire(service: string, cap: number): boolean {
    let s = this.by.get(service);
    if (s === undefined) {
      s = { inFlight: 0, limit: Infinity, windowStart: this.now(), ended: 0, slow: 0 };
      this.by.set(service, s);
    }
    if (s.inFlight >= cap || s.inFlight >= s.limit) {
      this.refusedBelowCap = s.inFlight < cap;
      return false;
    }
    // the one extra compare of a service whose limit is not lowered
    if (s.limit !== Infinity && s.inFlight === 0) this.idle(s, service, cap);
    s.inFlight++;
    return true;
  }

  release(service: string, n = 1): void {
    const s = this.by.get(service);
    if (s !== undefined) s.inFlight -= n;
  }

  inFlight(service: string): number {
    return this.by.get(service)?.inFlight ?? 0;
  }

  /** The most copies of this service that may be in flight now: the cap, or less while its candidate is slow. */
  limit(service: string, cap: number): number {
    return Math.min(cap, this.by.get(service)?.limit ?? Infinity);
  }

  /** The service's limit with the cap when it is lower than the cap (its candidate is slow), else undefined. */
  lowered(service: string, cap: number): CopyLimit | undefined {
    const s = this.by.get(service);
    if (s !== undefined && s.limit !== Infinity && s.inFlight === 0) this.idle(s, service, cap);
    const limit = this.limit(service, cap);
    return limit < cap ? { limit, cap } : undefined;
  }

  /**
   * A copy's candidate call ended (its slot goes back): `slow` when it took much longer than the monolith's answer. With
   * `adaptive` the service's limit follows its candidate (see the class); without, the cap alone applies.
   */
  ended(service: string, slow: boolean, cap: number, adaptive: boolean): void {
    const s = this.by.get(service);
    if (s === undefined) return;
    s.inFlight--;
    if (!adaptive) {
      s.limit = Infinity;
      return;
    }
    s.ended++;
    if (slow) s.slow++;
    const now = this.now();
    if (now - s.windowStart < PACE_WINDOW_MS) return;
    const from = Math.min(cap, s.limit);
    let to = from;
    const p = pace(s.ended, s.slow);
    if (p === 'slow') to = Math.max(Math.ceil(cap / 4), Math.floor(from / 2));
    else if (p === 'fast') to = Math.min(cap, from + Math.ceil(cap / 8));
    const change = to !== from ? { service, from, to, ended: s.ended, slow: s.slow, cap } : undefined;
    s.limit = to >= cap ? Infinity : to;
    s.windowStart = now;
    s.ended = 0;
    s.slow = 0;
    if (change) this.onLimit?.(change);
    this.onPace?.(service, p);
  }

  /**
   * A lowered limit with no copy in flight (asked as a copy is admitted, and by lowered()): when nothing ended since its
   * window began either, and at least a second has passed, no candidate call ended in those seconds, nor was one
   * still running (a copy in flight then would be in flight now, or would have ended). Each whole such second is a
   * calm second: the limit rises by an eighth of the cap per second, as after a second with under a tenth slow, back
   * to the cap. Without this a quiet service kept its lowered limit until enough copies ended to decide a second, and
   * a route moved out of shadow and back found it where it was. Copies still in flight hold it: they may end slow
   * (a candidate that hangs until the copy timeout gives its evidence then).
   */
  private idle(s: ServiceSlots, service: string, cap: number): void {
    if (s.ended !== 0) return;
    const now = this.now();
    const seconds = Math.floor((now - s.windowStart) / PACE_WINDOW_MS);
    if (seconds < 1) return;
    const from = Math.min(cap, s.limit);
    const to = Math.min(cap, from + seconds * Math.ceil(cap / 8));
    s.limit = to >= cap ? Infinity : to;
    s.windowStart = now;
    if (to !== from) this.onLimit?.({ service, from, to, ended: 0, slow: 0, cap, idleSeconds: seconds });
  }
}

/**
 * What a second of ended copies says about a candidate: much slower than the monolith (more than half of at least
 * PACE_MIN_ENDED copies slow: the limit halves), keeping up (under a tenth slow: it rises), or neither.
 */
export type Pace = 'slow' | 'fast' | 'mixed';

export function pace(ended: number, slow: number): Pace {
  if (ended >= PACE_MIN_ENDED && slow * 2 > ended) return 'slow';
  return slow * 10 < ended ? 'fast' : 'mixed';
}

/** One line when a slow candidate's copy limit moves: down at warn (copies are being turned away), back at info. */
export function logCopyLimit(log: Logger, c: CopyLimitChange): void {
  const fields = { service: c.service, from: c.from, to: c.to, ended: c.ended, slow: c.slow };
  if (c.idleSeconds !== undefined) {
    const why = `no copy in flight or ended for ${c.idleSeconds} s`;
    if (c.to < c.cap) log.info({ ...fields, idleSeconds: c.idleSeconds }, `${why}: copies in flight limited to ${c.to}`);
    else log.info({ ...fields, idleSeconds: c.idleSeconds }, `${why}: copies in flight back to the cap (${c.to})`);
    return;
  }
  if (c.to < c.from) log.warn(fields, `candidate much slower than the monolith (${c.slow} of ${c.ended} copies in the last second): copies in flight limited to ${c.to}`);
  else if (c.to < c.cap) log.info(fields, `candidate keeping up again: copies in flight limited to ${c.to}`);
  else log.info(fields, `candidate keeping up again: copies in flight back to the cap (${c.to})`);
}

/** How a copy's candidate call went, as the shadow thread tells the request thread (its 'freed' message). */
export const CALL_NONE = 0;
export const CALL_FAST = 1;
export const CALL_SLOW = 2;

/** The monolith answered in a quarter of the time and 50 ms sooner: a copy that held its slot this long is a slow one. */
export function slowCopy(candidateMs: number, monolithMs: number | undefined): boolean {
  return monolithMs !== undefined && candidateMs > 4 * monolithMs && candidateMs - monolithMs > 50;
}

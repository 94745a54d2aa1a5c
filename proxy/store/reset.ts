// Starting a route's comparisons over, after a fix to the candidate: the evidence about the candidate goes (compared
// and matched counts, candidate errors, mismatch groups, samples, latencies, and the proxy-side counters from then
// on), what was learned about the monolith's
// own noise stays (noise samples taken, and each field's noise count). The route's reset_at tells every process
// writing the same file to forget what it keeps in memory about the route's groups (refreshResets).
import type Database from 'better-sqlite3';
import type { ResetResult } from './types.ts';

export interface Resetter {
  reset(routeId: string, at: number): ResetResult;
  /** route → reset_at, for the routes ever reset */
  resets(): Map<string, number>;
}

export function createResetter(db: Database.Database): Resetter {
  const counts = db.prepare(`
    SELECT r.compared AS compared, r.err_timeout + r.err_refused + r.err_reset + r.err_error AS errors,
      (SELECT COUNT(*) FROM fingerprints f WHERE f.route_id = r.route_id) AS groups,
      (SELECT COUNT(*) FROM samples s WHERE s.route_id = r.route_id) AS samples
    FROM routes r WHERE r.route_id = ?`);
  const statements = [
    `UPDATE routes SET compared = 0, matched_raw = 0, err_timeout = 0, err_refused = 0, err_reset = 0, err_error = 0,
       first_seen = NULL, last_seen = NULL, reset_at = @at WHERE route_id = @routeId`,
    // a field the monolith varies on keeps its noise count (and so its verdict as noise); its raw count goes
    'UPDATE fields SET raw = 0 WHERE route_id = @routeId',
    'DELETE FROM fields WHERE route_id = @routeId AND noise = 0',
    'DELETE FROM fingerprints WHERE route_id = @routeId',
    'DELETE FROM samples WHERE route_id = @routeId',
    'DELETE FROM latency WHERE route_id = @routeId',
    // the proxy-side counters (dropped copies, unsafe requests, fallbacks) are each process's running totals: from
    // here each instance's row adds up to what it counts after the reset (its next snapshot minus this one)
    `UPDATE route_counters SET dropped_base = -dropped_last, skipped_unsafe_base = -skipped_unsafe_last,
       fallbacks_base = -fallbacks_last WHERE route_id = @routeId`,
  ].map((sql) => db.prepare(sql));
  const resetAll = db.transaction((routeId: string, at: number): ResetResult => {
    const before = counts.get(routeId) as Omit<ResetResult, 'routeId'> | undefined;
    for (const s of statements) s.run({ routeId, at });
    return { routeId, compared: before?.compared ?? 0, errors: before?.errors ?? 0, groups: before?.groups ?? 0, samples: before?.samples ?? 0 };
  });
  const resetTimes = db.prepare('SELECT route_id, reset_at FROM routes WHERE reset_at IS NOT NULL');
  return {
    reset: (routeId, at) => resetAll(routeId, at),
    resets: () => new Map((resetTimes.all() as { route_id: string; reset_at: number }[]).map((r) => [r.route_id, r.reset_at])),
  };
}

// queryReport: the only part of reporting that touches the store. Reads rows, then builds.
import type { DiffReader } from '../store/merge.ts';
import type { GroupRow, RouteRow, SampleRow } from '../store/types.ts';
import { buildReport, NO_OWNER, sampleKey } from './build.ts';
import { DEFAULT_REPORT_OPTIONS, type ReportData, type ReportOptions } from './model.ts';

export function queryReport(store: DiffReader, options: Partial<ReportOptions> = {}, now: Date = new Date()): ReportData {
  const opts: ReportOptions = { ...DEFAULT_REPORT_OPTIONS, ...options };
  const routes = store.readRoutes().filter((r) => included(r, opts));
  const kept = new Set(routes.map((r) => r.routeId));
  const fields = store.readFields().filter((f) => kept.has(f.routeId));
  const groups = store.readGroups().filter((g) => kept.has(g.routeId));
  const samples = new Map<string, SampleRow[]>();
  const samplesLeftOut = new Set<string>();
  if (opts.samplesPerGroup > 0) {
    let spent = 0;
    for (const g of budgetOrder(groups)) {
      const key = sampleKey(g.routeId, g.fingerprint);
      if (spent >= opts.sampleBudgetBytes) {
        samplesLeftOut.add(key);
        continue;
      }
      const read = store.readSamples(g.routeId, g.fingerprint, opts.samplesPerGroup);
      for (const s of read) spent += Buffer.byteLength(s.requestBody) + Buffer.byteLength(s.monolith.body) + Buffer.byteLength(s.candidate.body);
      samples.set(key, read);
    }
  }
  return buildReport({ routes, fields, groups, samples, samplesLeftOut }, opts, now);
}

/**
 * The groups with samples in the order the sample budget is spent on them: every route's biggest group, then every
 * route's second, …, so one route with hundreds of large groups cannot leave the others without a sample.
 */
function budgetOrder(groups: readonly GroupRow[]): GroupRow[] {
  const rank = new Map<GroupRow, number>();
  const byRoute = new Map<string, GroupRow[]>();
  for (const g of groups) {
    if (g.sampleCount === 0) continue;
    const list = byRoute.get(g.routeId);
    if (list) list.push(g);
    else byRoute.set(g.routeId, [g]);
  }
  for (const list of byRoute.values()) list.sort((a, b) => b.count - a.count).forEach((g, i) => rank.set(g, i));
  return [...rank.keys()].sort((a, b) => rank.get(a)! - rank.get(b)! || b.count - a.count);
}

/** A route of one of the services and one of the owners asked for (a team's own CI gate). */
function included(route: RouteRow, opts: ReportOptions): boolean {
  if (opts.services && !opts.services.includes(route.service)) return false;
  return !opts.owners || opts.owners.includes(route.owner ?? NO_OWNER);
}

// Builds ReportData from store query results. Pure: the same rows always give the same report
// (the clock comes in through `now`), so every format is tested without a store or a server.
import type { FieldRow, GroupRow, RouteRow, SampleRow } from '../store/types.ts';
import { percentile } from '../store/histogram.ts';
import type { LatencySummary, NoiseField, ReportData, ReportOptions, RouteReport, TeamReport } from './model.ts';
import { indexFields, judgeFields, matchingAfterNoise, percent, verdictFor } from './verdict.ts';
import { mergeGroups } from './groups.ts';

export interface ReportRows {
  routes: RouteRow[];
  fields: FieldRow[];
  groups: GroupRow[];
  /** samples per `${routeId}\u0000${fingerprint}` */
  samples: ReadonlyMap<string, SampleRow[]>;
  /** the groups (same keys) whose samples were not read: the report's sample budget was spent */
  samplesLeftOut?: ReadonlySet<string>;
}

export const NO_OWNER = '(no owner)';

export function sampleKey(routeId: string, fingerprint: string): string {
  return `${routeId}\u0000${fingerprint}`;
}

export function buildReport(rows: ReportRows, options: ReportOptions, now: Date): ReportData {
  const fieldsByRoute = groupBy(rows.fields, (f) => f.routeId);
  const groupsByRoute = groupBy(rows.groups, (g) => g.routeId);
  const routes = rows.routes.map((r) => routeReport(r, fieldsByRoute.get(r.routeId) ?? [], groupsByRoute.get(r.routeId) ?? [], rows, options));

  const teams = new Map<string, Map<string, RouteReport[]>>();
  for (const r of routes) {
    const services = teams.get(r.owner) ?? new Map<string, RouteReport[]>();
    teams.set(r.owner, services);
    services.set(r.service, [...(services.get(r.service) ?? []), r]);
  }
  const byName = (a: string, b: string): number => (a === NO_OWNER ? 1 : b === NO_OWNER ? -1 : a.localeCompare(b));
  const teamList: TeamReport[] = [...teams.keys()].sort(byName).map((owner) => {
    const services = teams.get(owner)!;
    return {
      owner,
      services: [...services.keys()].sort((a, b) => a.localeCompare(b)).map((service) => ({
        service,
        routes: services.get(service)!.sort((a, b) => a.routeId.localeCompare(b.routeId)),
      })),
    };
  });

  return {
    generatedAt: now.toISOString(),
    options,
    totals: {
      routes: routes.length,
      compared: routes.reduce((s, r) => s + r.compared, 0),
      ready: routes.filter((r) => r.verdict === 'READY').length,
      notReady: routes.filter((r) => r.verdict === 'NOT READY').length,
      notEnoughData: routes.filter((r) => r.verdict === 'NOT ENOUGH DATA').length,
    },
    teams: teamList,
  };
}

function routeReport(route: RouteRow, fields: FieldRow[], groups: GroupRow[], rows: ReportRows, options: ReportOptions): RouteReport {
  const thresholds = route.noise ?? options.thresholds;
  const judged = judgeFields(route, fields, thresholds);
  const index = indexFields(judged);
  const matching = matchingAfterNoise(route, groups, index);
  const matchRate = percent(matching, route.compared);
  const errorTotal = route.errors.timeout + route.errors.refused + route.errors.reset + route.errors.error;
  const latencies = { monolith: latency(route.latency.monolith), candidate: latency(route.latency.candidate) };
  const { verdict, reasons } = verdictFor({
    compared: route.compared,
    matchRate,
    errors: errorTotal,
    minSamples: options.minSamples,
    readyAt: options.readyAt,
    latency: latencies,
    maxP99Ratio: options.maxP99Ratio,
  });

  const mismatchGroups = mergeGroups(
    groups,
    index,
    route.compared,
    (fp) => rows.samples.get(sampleKey(route.routeId, fp)) ?? [],
    options.samplesPerGroup,
    (fp) => rows.samplesLeftOut?.has(sampleKey(route.routeId, fp)) === true,
  );

  const noise: NoiseField[] = fields
    .filter((f) => f.noise > 0)
    .map((f) => ({ path: f.path, kind: f.kind, varied: f.noise, rate: route.noiseSampled > 0 ? f.noise / route.noiseSampled : 0, firstSeen: f.noiseFirstSeen }))
    .sort((a, b) => b.varied - a.varied || a.path.localeCompare(b.path));

  return {
    routeId: route.routeId,
    service: route.service,
    owner: route.owner ?? NO_OWNER,
    mode: route.mode,
    compared: route.compared,
    matchedRaw: route.matchedRaw,
    matching,
    matchRate,
    rawMatchRate: percent(route.matchedRaw, route.compared),
    errors: { ...route.errors, total: errorTotal },
    dropped: route.counters.dropped,
    skippedUnsafe: route.counters.skippedUnsafe,
    fallbacks: route.counters.fallbacks,
    latency: latencies,
    verdict,
    reasons,
    groups: mismatchGroups,
    noiseSampled: route.noiseSampled,
    noise,
    thresholds,
    firstSeen: route.firstSeen,
    ...(route.startedOverAt !== undefined && { startedOverAt: route.startedOverAt }),
    lastSeen: route.lastSeen,
  };
}

function latency(buckets: { bucket: number; count: number }[]): LatencySummary {
  const count = buckets.reduce((s, b) => s + b.count, 0);
  const round = (v: number | undefined): number | undefined => (v === undefined ? undefined : Math.round(v * 10) / 10);
  return { count, p50: round(percentile(buckets, 0.5)), p99: round(percentile(buckets, 0.99)) };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

// The demo's closing summary: per service and route, the mode it ended in, the requests it served, how
// many were compared, the match rate after noise, the verdict and the real differences found. Pure
// functions of the diff report, the proxy's live counters and the route table.
import { formatPercent, type ReportData, type RouteReport } from '../proxy/report/index.ts';
import type { RouteStats } from '../proxy/stats.ts';

export interface RouteRef {
  id: string;
  method: string;
  path: string;
  service: string;
}

/** One real difference the report found, by route pattern: what the test holds against services/divergences.ts. */
export interface Finding {
  service: string;
  method: string;
  route: string;
  path: string;
  kind: string;
}

export interface SummaryRow {
  service: string;
  route: string;
  mode: string;
  requests: number;
  compared: number;
  matchRate?: number;
  verdict: string;
  differences: string[];
}

export interface SummaryLinks {
  proxy: string;
  admin: string;
  token: string;
  /** the report file written */
  report: string;
  analysis: string[];
  /** the recorded traffic (NDJSON), for `strangler replay` */
  traffic?: string;
  /** false when nothing keeps serving after the summary (the URLs are gone) */
  live: boolean;
}

const routeReports = (report: ReportData): RouteReport[] => report.teams.flatMap((t) => t.services.flatMap((s) => s.routes));

/** Every (route, folded JSON path, kind) the report judges a real difference, sorted. */
export function realFindings(report: ReportData, routes: readonly RouteRef[]): Finding[] {
  const byId = new Map(routes.map((r) => [r.id, r]));
  const out = new Map<string, Finding>();
  for (const r of routeReports(report)) {
    const ref = byId.get(r.routeId);
    for (const g of r.groups) {
      for (const f of g.fields) {
        if (!f.real) continue;
        const finding = { service: r.service, method: ref?.method ?? '?', route: ref?.path ?? r.routeId, path: f.path, kind: f.kind };
        out.set(findingKey(finding), finding);
      }
    }
  }
  return [...out.values()].sort((a, b) => findingKey(a).localeCompare(findingKey(b)));
}

export const findingKey = (f: Finding): string => `${f.service} ${f.method} ${f.route} ${f.path} ${f.kind}`;

/** Extracted routes the proxy served nothing on, split into writes and reads. */
export function idleRoutes(stats: readonly RouteStats[], routes: readonly RouteRef[]): { writes: number; reads: number } {
  const served = new Set(stats.filter((s) => s.requests > 0).map((s) => s.routeId));
  const idle = routes.filter((r) => !served.has(r.id));
  const reads = idle.filter((r) => r.method === 'GET' || r.method === 'HEAD').length;
  return { writes: idle.length - reads, reads };
}

export function summaryRows(report: ReportData, stats: readonly RouteStats[], routes: readonly RouteRef[]): SummaryRow[] {
  const reports = new Map(routeReports(report).map((r) => [r.routeId, r]));
  const statsById = new Map(stats.map((s) => [s.routeId, s]));
  const rows: SummaryRow[] = [];
  for (const ref of routes) {
    const s = statsById.get(ref.id);
    const r = reports.get(ref.id);
    if (!s || s.requests === 0) continue;
    const differences = new Set<string>();
    for (const g of r?.groups ?? []) for (const f of g.fields) if (f.real) differences.add(`${f.path} ${f.kind}`);
    rows.push({
      service: ref.service,
      route: `${ref.method} ${ref.path}`,
      mode: s.mode,
      requests: s.requests,
      compared: r?.compared ?? 0,
      matchRate: r?.matchRate,
      verdict: r?.verdict ?? '-',
      differences: [...differences].sort(),
    });
  }
  return rows.sort((a, b) => a.service.localeCompare(b.service) || b.requests - a.requests || a.route.localeCompare(b.route));
}

const n = (x: number): string => x.toLocaleString('en-US');

function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export interface SummaryInput {
  rows: SummaryRow[];
  /** requests to routes no extracted service serves (the proxy's default route: the monolith) */
  monolithRequests: number;
  /** extracted routes that got no traffic: writes (the demo sends none to extracted routes) and reads */
  idleRoutes: { writes: number; reads: number };
  totalRequests: number;
  durationMs: number;
  phases: string[];
  links: SummaryLinks;
}

export function formatSummary(input: SummaryInput): string {
  const out: string[] = [];
  out.push(`strangler demo: ${n(input.totalRequests)} requests through the proxy in ${input.phases.length} phases (${input.phases.join(' → ')}), ${(input.durationMs / 1000).toFixed(1)} s`);
  out.push('');
  const rows = input.rows.map((r) => [
    r.service,
    r.route,
    r.mode,
    n(r.requests),
    r.compared > 0 ? n(r.compared) : '-',
    r.compared > 0 ? formatPercent(r.matchRate) : '-',
    r.compared > 0 ? r.verdict : '-',
    r.differences.join(', '),
  ]);
  rows.push(['monolith', 'every other route (not extracted)', 'legacy', n(input.monolithRequests), '-', '-', '-', '']);
  out.push(...table(['service', 'route', 'mode', 'requests', 'compared', 'match', 'verdict', 'real differences'], rows, new Set([3, 4, 5])));
  const idle = input.idleRoutes;
  if (idle.writes > 0) out.push(`no traffic on ${idle.writes} write route${idle.writes === 1 ? '' : 's'}: the demo sends no writes to extracted routes`);
  if (idle.reads > 0) out.push(`no traffic on ${idle.reads} read route${idle.reads === 1 ? '' : 's'}`);
  out.push('');
  const l = input.links;
  const gone = l.live ? '' : ' (stopped with the demo; use --serve to keep them up)';
  out.push(`proxy      ${l.proxy}${gone}`);
  out.push(`dashboard  ${l.admin}/  (admin API; token ${l.token})`);
  out.push(`report     ${l.report}${l.live ? `  (live: ${l.admin}/report)` : ''}`);
  out.push(`analysis   ${l.analysis.join(', ')}`);
  if (l.traffic) out.push(`traffic    ${l.traffic}${l.live ? `  (strangler replay ${l.traffic} --target ${l.proxy})` : ''}`);
  return `${out.join('\n')}\n`;
}

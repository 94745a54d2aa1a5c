// Markdown for pull requests and wikis: a summary table per team and service, then the
// mismatch groups of each route that is not ready, with a sample in a collapsed block.
import { displayValue, escapeMarkdownCell, escapeMarkdownHtml, markdownCode, markdownFence, shorten } from './escape.ts';
import type { MismatchGroup, ReportData, RouteReport, Verdict } from './model.ts';
import { formatPercent, readyRule } from './verdict.ts';

const ICON: Record<Verdict, string> = { READY: '✅', 'NOT READY': '❌', 'NOT ENOUGH DATA': '⏳' };
const ms = (v: number | undefined): string => (v === undefined ? '–' : `${v}`);

export function renderMarkdown(data: ReportData): string {
  const { totals, options } = data;
  const out: string[] = [];
  out.push('# Shadow diff report', '');
  out.push(`${data.generatedAt} · ${totals.routes} routes · ${totals.compared} requests compared · ${ICON.READY} ${totals.ready} ready · ${ICON['NOT READY']} ${totals.notReady} not ready · ${ICON['NOT ENOUGH DATA']} ${totals.notEnoughData} not enough data`, '');
  out.push(readyRule(options), '');
  if (totals.routes === 0) out.push('No shadow traffic has been compared yet.', '');

  for (const team of data.teams) {
    out.push(`## ${escapeMarkdownCell(team.owner)}`, '');
    for (const service of team.services) {
      out.push(`### ${escapeMarkdownCell(service.service)}`, '');
      out.push('| Route | Mode | Compared | Match after noise | Raw match | Errors (timeouts) | Dropped | p50 ms mono / cand | p99 ms mono / cand | Verdict |');
      out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|---|');
      for (const r of service.routes) {
        out.push(
          `| ${markdownCode(r.routeId)} | ${escapeMarkdownCell(r.mode)} | ${r.compared} | ${formatPercent(r.matchRate)} | ${formatPercent(r.rawMatchRate)} | ${r.errors.total} (${r.errors.timeout}) | ${r.dropped} | ` +
            `${ms(r.latency.monolith.p50)} / ${ms(r.latency.candidate.p50)} | ${ms(r.latency.monolith.p99)} / ${ms(r.latency.candidate.p99)} | ${ICON[r.verdict]} ${r.verdict} |`,
        );
      }
      out.push('');
      for (const r of service.routes) out.push(...routeSection(r));
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function routeSection(r: RouteReport): string[] {
  if (r.groups.length === 0 && r.noise.length === 0 && r.verdict !== 'NOT READY' && r.startedOverAt === undefined) return [];
  const out: string[] = [`#### ${markdownCode(r.routeId, 'line')} — ${ICON[r.verdict]} ${r.verdict}`, ''];
  if (r.startedOverAt !== undefined) out.push(`Counted since it was started over, ${new Date(r.startedOverAt).toISOString()}.`, '');
  if (r.reasons.length) out.push(`Why: ${escapeMarkdownCell(r.reasons.join('; '))}.`, '');
  if (r.groups.length) {
    out.push('| Fields (kind) | Requests | Share | Real? |', '|---|--:|--:|---|');
    for (const g of r.groups) {
      const fields = g.fields.map((f) => `${markdownCode(f.path)} ${escapeMarkdownCell(f.kind)}${f.real ? '' : ' (noise)'}`).join(', ');
      out.push(`| ${fields} | ${g.count} | ${(g.share * 100).toFixed(2)}% | ${g.real ? 'real' : 'noise only'} |`);
    }
    out.push('');
    const firstReal = r.groups.find((g) => g.real && g.samples.length > 0);
    if (firstReal) out.push(...sampleBlock(firstReal));
  }
  if (r.noise.length) {
    out.push(`Learned noise (${r.noiseSampled} requests asked twice):`, '', '| Field | Kind | Varied | First seen |', '|---|---|--:|---|');
    for (const n of r.noise) {
      out.push(`| ${markdownCode(n.path)} | ${escapeMarkdownCell(n.kind)} | ${n.varied} (${(n.rate * 100).toFixed(1)}%) | ${n.firstSeen === undefined ? '–' : new Date(n.firstSeen).toISOString()} |`);
    }
    out.push('');
  }
  return out;
}

function sampleBlock(g: MismatchGroup): string[] {
  const s = g.samples[0];
  const out = ['<details><summary>Sample: ' + escapeMarkdownHtml(`${s.method} ${s.path}${s.query ? `?${s.query}` : ''}`) + '</summary>', ''];
  out.push('| Path | Kind | Monolith | Candidate |', '|---|---|---|---|');
  for (const e of s.entries) {
    out.push(`| ${markdownCode(e.path)} | ${escapeMarkdownCell(e.kind)} | ${markdownCode(shorten(displayValue(e.monolith)))} | ${markdownCode(shorten(displayValue(e.candidate)))} |`);
  }
  out.push('', `Monolith (${s.monolith.status}):`, '', markdownFence(shorten(s.monolith.body, 2000)), '', `Candidate (${s.candidate.status}):`, '', markdownFence(shorten(s.candidate.body, 2000)), '', '</details>', '');
  return out;
}

// The HTML diff report: one self-contained page (inline CSS and a few lines of JS, no CDN),
// readable from a file or served live by the admin API. Every value from traffic is escaped.
import { createHash } from 'node:crypto';
import type { SampleRow } from '../store/types.ts';
import { displayValue, escapeHtml, shorten } from './escape.ts';
import { highlightPaths, renderBodyHtml } from './json-view.ts';
import type { MismatchGroup, ReportData, RouteReport, Verdict } from './model.ts';
import { formatPercent, readyRule } from './verdict.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:20px}
main{padding:16px 24px;max-width:1400px}h2{margin:28px 0 8px;font-size:18px}h3{margin:18px 0 6px;font-size:15px;color:#444}
table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0 12px}th,td{border:1px solid #dde1e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.v{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.v-READY{background:#d7f5dd;color:#135c24}.v-NOT-READY{background:#fbdada;color:#8a1111}.v-NOT-ENOUGH-DATA{background:#fff0c2;color:#6b5100}
details.route{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:8px 0;padding:6px 12px}
details.route>summary{cursor:pointer;font-weight:600}details.group{margin:8px 0 8px 8px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}pre{background:#fbfbfc;border:1px solid #e3e6ea;padding:8px;overflow:auto;max-height:420px;margin:0;white-space:pre-wrap;word-break:break-word}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:8px}.sides h4{margin:4px 0}mark{background:#ffe58a;border-radius:2px}
.muted{color:#667}.noise{color:#667;font-style:italic}.filters button{margin-right:6px}.real{color:#8a1111;font-weight:600}
`;

const JS = `
document.querySelectorAll('.filters button').forEach(function(b){b.addEventListener('click',function(){
  var v=b.getAttribute('data-verdict');document.querySelectorAll('[data-verdict-row]').forEach(function(el){
    el.style.display=(v==='ALL'||el.getAttribute('data-verdict-row')===v)?'':'none';});});});
`;

/**
 * The report's policy: nothing loads, and the one script that runs is its own (by hash), so a value that ever
 * slipped past escaping could not run. In the file as a meta tag, and sent as a header when served live.
 */
export const REPORT_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${createHash('sha256').update(JS).digest('base64')}'; base-uri 'none'; form-action 'none'`;

const verdictBadge = (v: Verdict): string => `<span class="v v-${v.replace(/ /g, '-')}">${v}</span>`;
const ms = (v: number | undefined): string => (v === undefined ? '–' : `${v} ms`);
const time = (t: number | undefined): string => (t === undefined ? '–' : new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
/** A fragment id per route id, one to one (hex of its UTF-8 bytes: "a b" and "a_20b" once shared one). */
const anchor = (routeId: string): string => `route-${Buffer.from(routeId, 'utf8').toString('hex')}`;

export function renderHtml(data: ReportData): string {
  const { totals, options } = data;
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<title>strangler diff report</title><style>${CSS}</style></head><body>`);
  parts.push(`<header><h1>Shadow diff report</h1><div>${escapeHtml(data.generatedAt)} · ${totals.routes} routes · ${totals.compared} requests compared · `);
  parts.push(`${totals.ready} ready · ${totals.notReady} not ready · ${totals.notEnoughData} not enough data</div></header><main>`);
  parts.push(`<p class="muted">${escapeHtml(readyRule(options))}</p>`);
  parts.push(`<div class="filters">Show: ${['ALL', 'NOT READY', 'NOT ENOUGH DATA', 'READY'].map((v) => `<button type="button" data-verdict="${v}">${v.toLowerCase()}</button>`).join('')}</div>`);
  if (totals.routes === 0) parts.push('<p>No shadow traffic has been compared yet.</p>');

  for (const team of data.teams) {
    parts.push(`<h2>${escapeHtml(team.owner)}</h2>`);
    for (const service of team.services) {
      parts.push(`<h3>${escapeHtml(service.service)}</h3>`);
      parts.push(summaryTable(service.routes));
      for (const route of service.routes) parts.push(routeDetails(route));
    }
  }
  parts.push(`</main><script>${JS}</script></body></html>`);
  return parts.join('');
}

function summaryTable(routes: RouteReport[]): string {
  const head = '<tr><th>Route</th><th>Mode</th><th>Compared</th><th>Match after noise</th><th>Raw match</th><th>Errors (timeouts)</th><th>Dropped</th><th>p50 monolith / candidate</th><th>p99 monolith / candidate</th><th>Verdict</th></tr>';
  const rows = routes.map(
    (r) =>
      `<tr data-verdict-row="${r.verdict}"><td><a href="#${anchor(r.routeId)}"><code>${escapeHtml(r.routeId)}</code></a></td><td>${escapeHtml(r.mode)}</td>` +
      `<td class="num">${r.compared}</td><td class="num">${formatPercent(r.matchRate)}</td><td class="num">${formatPercent(r.rawMatchRate)}</td>` +
      `<td class="num">${r.errors.total} (${r.errors.timeout})</td><td class="num">${r.dropped}</td>` +
      `<td class="num">${ms(r.latency.monolith.p50)} / ${ms(r.latency.candidate.p50)}</td><td class="num">${ms(r.latency.monolith.p99)} / ${ms(r.latency.candidate.p99)}</td>` +
      `<td>${verdictBadge(r.verdict)}</td></tr>`,
  );
  return `<table>${head}${rows.join('')}</table>`;
}

function routeDetails(r: RouteReport): string {
  const parts: string[] = [];
  parts.push(`<details class="route" id="${anchor(r.routeId)}" data-verdict-row="${r.verdict}"${r.verdict === 'NOT READY' ? ' open' : ''}>`);
  parts.push(`<summary><code>${escapeHtml(r.routeId)}</code> ${verdictBadge(r.verdict)}${r.reasons.length ? ` <span class="muted">${escapeHtml(r.reasons.join('; '))}</span>` : ''}</summary>`);
  parts.push(
    `<p>${r.compared} compared, ${r.matching} matching after noise (${r.matchedRaw} identical). Candidate errors: ` +
      `${r.errors.timeout} timeout, ${r.errors.refused} refused, ${r.errors.reset} reset, ${r.errors.error} other. ` +
      `Dropped copies: ${r.dropped}; unsafe requests not copied: ${r.skippedUnsafe}; fallbacks: ${r.fallbacks}. ` +
      `Seen ${time(r.firstSeen)} – ${time(r.lastSeen)}.` +
      (r.startedOverAt === undefined ? '' : ` Counted since it was started over, ${time(r.startedOverAt)}.`) +
      '</p>',
  );
  if (r.groups.length > 0) {
    parts.push('<h4>Mismatch groups</h4>');
    for (const g of r.groups) parts.push(groupDetails(g, r.routeId));
  }
  parts.push(noiseTable(r));
  parts.push('</details>');
  return parts.join('');
}

function groupDetails(g: MismatchGroup, routeId: string): string {
  const fields = g.fields
    .map((f) => `<code>${escapeHtml(f.path)}</code> <span class="muted">${escapeHtml(f.kind)}</span>${f.real ? '' : ' <span class="noise">(noise)</span>'}`)
    .join(', ');
  const label = g.real ? '<span class="real">real</span>' : '<span class="noise">noise only, counted as matching</span>';
  const parts = [`<details class="group"${g.real ? ' open' : ''}><summary>${g.count} requests (${(g.share * 100).toFixed(2)}%) · ${label} · ${fields}</summary>`];
  if (g.samplesLeftOut) {
    const where = `GET /api/diffs?route=${encodeURIComponent(routeId)}&fingerprint=${encodeURIComponent(g.fingerprint)}`;
    parts.push(`<p class="muted">${g.samples.length ? 'More samples' : 'Samples'} left out: this report's sample budget is spent. <code>${escapeHtml(where)}</code> on the admin API has them.</p>`);
  } else if (g.samples.length === 0) {
    parts.push('<p class="muted">No samples kept.</p>');
  }
  for (const s of g.samples) parts.push(sampleHtml(s));
  parts.push('</details>');
  return parts.join('');
}

function sampleHtml(s: SampleRow): string {
  const entries = s.entries
    .map((e) => `<tr><td><code>${escapeHtml(e.path)}</code></td><td>${escapeHtml(e.kind)}</td><td><code>${escapeHtml(shorten(displayValue(e.monolith), 300))}</code></td><td><code>${escapeHtml(shorten(displayValue(e.candidate), 300))}</code></td></tr>`)
    .join('');
  const target = `${s.method} ${s.path}${s.query ? `?${s.query}` : ''}`;
  const headerLines = (h: Record<string, string>): string => Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\n');
  return (
    `<div class="sample"><p><code>${escapeHtml(target)}</code> <span class="muted">request ${escapeHtml(s.requestId ?? '–')} at ${time(s.at)}</span></p>` +
    (s.requestBody || Object.keys(s.requestHeaders).length > 0 ? `<details><summary>request headers and body</summary><pre>${escapeHtml(headerLines(s.requestHeaders))}\n\n${escapeHtml(s.requestBody)}</pre></details>` : '') +
    `<table><tr><th>Path</th><th>Kind</th><th>Monolith</th><th>Candidate</th></tr>${entries}</table>` +
    `<div class="sides">` +
    `<div><h4>Monolith · ${s.monolith.status} · ${s.monolith.latencyMs} ms</h4><pre>${renderBodyHtml(s.monolith.body, highlightPaths(s.entries, 'monolith'))}</pre></div>` +
    `<div><h4>Candidate · ${s.candidate.status} · ${s.candidate.latencyMs} ms</h4><pre>${renderBodyHtml(s.candidate.body, highlightPaths(s.entries, 'candidate'))}</pre></div>` +
    `</div></div>`
  );
}

function noiseTable(r: RouteReport): string {
  if (r.noise.length === 0) {
    return `<p class="muted">No noise learned (${r.noiseSampled} requests asked twice).</p>`;
  }
  const rows = r.noise
    .map((n) => `<tr><td><code>${escapeHtml(n.path)}</code></td><td>${escapeHtml(n.kind)}</td><td class="num">${n.varied} (${(n.rate * 100).toFixed(1)}%)</td><td>${time(n.firstSeen)}</td></tr>`)
    .join('');
  return `<h4>Learned noise</h4><p class="muted">${r.noiseSampled} requests asked twice; thresholds relative ${r.thresholds.relative}, absolute ${r.thresholds.absolute}.</p><table><tr><th>Field</th><th>Kind</th><th>Varied</th><th>First seen</th></tr>${rows}</table>`;
}

// report.html: the same content as report.md in one self-contained page (no CDN, works offline): inline CSS,
// an inline SVG of the service graph and a few lines of inline JS to sort tables. `renderHtml` is pure.
import type { Plan, PlanService } from '../plan-schema.ts';
import { renderServiceGraphSvg } from './graphviz.ts';
import { edgeLabel, keyColumns } from './markdown.ts';
import { METRIC_ROWS, metricValue } from './metric-notes.ts';
import { MIGRATIONS_WHY, migrationsSetAside } from './migrations-note.ts';
import { drawnEdges } from './service-edges.ts';
import { visible } from '../quote.ts';
import { counted } from './plural.ts';

/** HTML-escaped, with control and bidi characters from the analysed code made visible. */
export function escapeHtml(text: string | number): string {
  return visible(String(text)).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const code = (t: string): string => `<code>${escapeHtml(t)}</code>`;
const codes = (items: readonly string[]): string => (items.length ? items.map(code).join(', ') : '—');

/** A sortable table: every cell is escaped unless the column is marked raw (already-built markup). */
function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, raw: readonly number[] = []): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${typeof c === 'number' ? ' class="num"' : ''}>${raw.includes(i) ? String(c) : escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="sortable"><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

const STYLE = `
body{font:14px/1.5 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0 auto;max-width:1200px;padding:1rem 2rem;color:#1d2330}
h1{font-size:1.6rem}h2{border-bottom:1px solid #d8dee9;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}th,td{border:1px solid #d8dee9;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f5fa;cursor:pointer;user-select:none}th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums}code{background:#f2f5fa;padding:0 .2rem;border-radius:3px;font-size:.92em}
.graph{overflow:auto;border:1px solid #d8dee9;padding:.5rem;text-align:center}.graph svg{max-width:100%;height:auto}
.muted{color:#5b6475}.kind{font-weight:600}details{margin:.3rem 0 1rem}`;

// Click a header to sort by that column; numbers sort as numbers. No dependencies.
const SCRIPT = `
document.querySelectorAll('table.sortable th').forEach(function (th, _, all) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0], col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = !th.classList.contains('asc');
    th.parentNode.querySelectorAll('th').forEach(function (h) { h.classList.remove('asc', 'desc'); });
    th.classList.add(asc ? 'asc' : 'desc');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
      var num = /^-?\d+(\.\d+)?$/;
      var r = (num.test(x) && num.test(y)) ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      return asc ? r : -r;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});`;

function metrics(plan: Plan): string {
  const { proposed, unpinned, reference, unpinnedReference } = plan.metrics;
  const head = unpinned ? ['Metric', 'With pins', 'Without pins', 'Better', 'How to read it'] : ['Metric', 'Value', 'Better', 'How to read it'];
  const rows = METRIC_ROWS.map((r) => [r.label, metricValue(proposed, r.key), ...(unpinned ? [metricValue(unpinned, r.key)] : []), r.better, r.note]);
  if (reference) {
    rows.push([
      'MoJoFM',
      reference.mojofm.toFixed(1),
      ...(unpinned ? [unpinnedReference ? unpinnedReference.mojofm.toFixed(1) : '—'] : []),
      'higher',
      `agreement with the reference decomposition (100 = identical; ${reference.distance} move/join operations away over ${reference.compared} files)`,
    ]);
  }
  return table(head, rows);
}

function service(s: PlanService): string {
  const deps = (ds: PlanService['dependsOn']): string => (ds.length ? ds.map((d) => `${escapeHtml(d.service)} <span class="muted">(${escapeHtml(edgeLabel(d))})</span>`).join(', ') : '—');
  return `<section id="service-${escapeHtml(s.name)}">
<h3>${escapeHtml(s.name)}</h3>
<p class="muted">Wave ${s.wave} · ${counted(s.size.files, 'file')} · ${counted(s.size.loc, 'line')} · ${counted(s.size.routes, 'route')} · owner ${code(s.owner)}</p>
<p><b>Files:</b> ${codes(s.files)}</p>
<p><b>Tables</b> — owned: ${codes(s.tables.owned)}; reads: ${codes(s.tables.read)}; writes: ${codes(s.tables.written)}</p>
<p><b>Depends on:</b> ${deps(s.dependsOn)}<br><b>Used by:</b> ${deps(s.usedBy)}</p>
${s.routes.length ? table(['Route id', 'Method', 'Path', 'Registered at'], s.routes.map((r) => [r.id, r.method, r.path, `${r.file}:${r.line}`])) : '<p class="muted">No HTTP routes.</p>'}
</section>`;
}

/** The page, given the service-graph SVG markup (from renderServiceGraphSvg, or any trusted SVG). */
export function renderHtml(plan: Plan, svg: string): string {
  const s = plan.summary;
  const aside = migrationsSetAside(plan, code);
  const body = [
    `<h1>Strangler analysis of ${code(plan.root)}</h1>`,
    `<p>${counted(s.files, 'file')} (${counted(s.loc, 'line')}), ${counted(s.routes, 'route')}, ${counted(s.tables, 'table')} → <b>${counted(s.services, 'candidate service')}</b> and a shared kernel of ${counted(s.kernelFiles, 'file')}.</p>`,
    ...(aside ? [`<p>${aside.files} set aside (${aside.folders}): ${escapeHtml(MIGRATIONS_WHY)}.</p>`] : []),
    '<h2>Summary</h2>',
    table(
      ['Service', 'Wave', 'Files', 'Lines', 'Routes', 'Tables owned', 'Depends on', 'Used by'],
      plan.services.map((x) => [`<a href="#service-${escapeHtml(x.name)}">${escapeHtml(x.name)}</a>`, x.wave, x.size.files, x.size.loc, x.size.routes, x.tables.owned.length, x.dependsOn.length, x.usedBy.length]),
      [0],
    ),
    '<h2>Metrics</h2>',
    metrics(plan),
    '<h2>Service map</h2>',
    '<p class="muted">Arrows point from a service to what it depends on (static calls, imports, tables owned by the other side).</p>',
    `<div class="graph">${svg}</div>`,
    drawnEdges(plan).omitted > 0 ? `<p class="muted">${drawnEdges(plan).omitted} weaker dependencies are not drawn; every service section lists all of them.</p>` : '',
    '<h2>Extraction waves</h2>',
    table(['Wave', 'Services', 'Why'], plan.waves.map((w) => [w.wave, w.services.join(', '), w.reason])),
    '<h2>Services</h2>',
    plan.services.map(service).join('\n'),
    '<h2>Shared kernel</h2>',
    plan.kernel.files.length ? table(['File', 'Why'], plan.kernel.files.map((k) => [k.file, k.reason])) : '<p>None found.</p>',
    plan.kernel.routes.length ? `<p>Routes served by shared-kernel code stay on the monolith:</p>${table(['Method', 'Path', 'Registered at'], plan.kernel.routes.map((r) => [r.method, r.path, `${r.file}:${r.line}`]))}` : '',
    '<h2>Shared tables</h2>',
    plan.sharedTables.length
      ? table(['Table', 'Writers', 'Readers', 'Recommended owner', 'Through the owner’s API', 'Why'], plan.sharedTables.map((t) => [t.table, t.writers.join(', '), t.readers.join(', '), t.recommendation.owner, t.recommendation.viaApi.join(', '), t.recommendation.reason]))
      : '<p>Every table is used by one service only.</p>',
    '<h2>Foreign keys across services</h2>',
    plan.crossServiceForeignKeys.length
      ? `<p>Keys between tables two services own: the database cannot enforce them once the tables are apart.</p>${table(
          ['Key', 'Owner', 'References', 'Owner', 'On delete', 'Declared at', 'What to do'],
          plan.crossServiceForeignKeys.map((k) => [keyColumns(k.table, k.columns), k.owner, keyColumns(k.references, k.referencedColumns), k.referencedOwner, k.onDelete ?? '—', `${k.file}:${k.line}`, k.advice]),
        )}`
      : '<p>No declared foreign key crosses a service boundary.</p>',
    '<h2>Cross-service calls</h2>',
    plan.crossServiceCalls.length
      ? table(['From', 'To', 'Caller', 'Callee', 'Calls'], plan.crossServiceCalls.map((c) => [c.from, c.to, c.caller, c.callee, c.count]))
      : '<p>No static call crosses a service boundary.</p>',
    '<h2>Warnings</h2>',
    plan.warnings.length
      ? `<ul>${plan.warnings.map((w) => `<li><span class="kind">${escapeHtml(w.kind)}</span>: ${escapeHtml(w.message)}${w.file ? ` (${code(w.file)})` : ''}</li>`).join('\n')}</ul>`
      : '<p>None.</p>',
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Strangler analysis — ${escapeHtml(plan.root)}</title>
<style>${STYLE}</style></head>
<body>
${body}
<script>${SCRIPT}</script>
</body></html>
`;
}

/** renderHtml with the service graph laid out by Graphviz. */
export async function renderHtmlReport(plan: Plan): Promise<string> {
  return renderHtml(plan, await renderServiceGraphSvg(plan));
}

// report.md: the plan for people, in Markdown that renders in any code review tool (Mermaid for the picture).
// A pure function of the plan.
import type { Plan, PlanService } from '../plan-schema.ts';
import { METRIC_ROWS, metricValue } from './metric-notes.ts';
import { MIGRATIONS_WHY, migrationsSetAside } from './migrations-note.ts';
import { drawnEdges } from './service-edges.ts';
import { codeSpan, visible } from '../quote.ts';
import { counted } from './plural.ts';

/** Plain text: controls made visible, HTML as entities, Markdown punctuation taken literally. */
export function mdText(value: string | number): string {
  return visible(String(value))
    .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
    .replace(/[\\`*_[\]~|]/g, '\\$&');
}

/** A table cell is plain text, or a code span when given as `{ code }`. */
type Cell = string | number | { code: string };

// In a GFM table `\|` is a literal pipe, code spans included; the rest of a code span is literal already.
const cell = (value: Cell): string => (typeof value === 'object' ? codeSpan(value.code).replace(/\|/g, '\\|') : mdText(value));
const code = codeSpan;
const list = (items: readonly string[], empty = '—'): string => (items.length ? items.map(code).join(', ') : empty);

function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<Cell>>): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** `orders(customer_id)`, or the table alone when the declaration names no columns. */
export function keyColumns(table: string, columns: readonly string[]): string {
  return columns.length ? `${table}(${columns.join(', ')})` : table;
}

/** Mermaid node ids must be plain identifiers. */
export function mermaidId(name: string): string {
  return `s_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export function serviceGraphMermaid(plan: Plan): string {
  const lines = ['```mermaid', 'graph LR'];
  for (const s of plan.services) {
    lines.push(`  ${mermaidId(s.name)}["${s.name}<br/>${counted(s.size.files, 'file')} · ${counted(s.size.routes, 'route')} · wave ${s.wave}"]`);
  }
  if (plan.kernel.files.length > 0) lines.push(`  kernel[("shared kernel<br/>${counted(plan.kernel.files.length, 'file')}")]`);
  const { edges, omitted } = drawnEdges(plan);
  for (const e of edges) lines.push(`  ${mermaidId(e.from)} -->|"${edgeLabel(e.dependency)}"| ${mermaidId(e.to)}`);
  lines.push('```');
  if (omitted > 0) lines.push('', `_${omitted} weaker dependencies are not drawn; every service section lists all of them._`);
  return lines.join('\n');
}

export function edgeLabel(d: { calls: number; imports: number; tables: readonly string[] }): string {
  const parts: string[] = [];
  if (d.calls > 0) parts.push(`${d.calls} call${d.calls === 1 ? '' : 's'}`);
  if (d.imports > 0 && d.calls === 0) parts.push(`${d.imports} import${d.imports === 1 ? '' : 's'}`);
  if (d.tables.length > 0) parts.push(`${d.tables.length} table${d.tables.length === 1 ? '' : 's'}`);
  return parts.join(' · ') || 'depends';
}

function metricsSection(plan: Plan): string {
  const { proposed, unpinned, reference, unpinnedReference } = plan.metrics;
  const head = unpinned ? ['Metric', 'With pins', 'Without pins', 'Better', 'How to read it'] : ['Metric', 'Value', 'Better', 'How to read it'];
  const rows = METRIC_ROWS.map((row) => [
    row.label,
    metricValue(proposed, row.key),
    ...(unpinned ? [metricValue(unpinned, row.key)] : []),
    row.better,
    row.note,
  ]);
  if (reference) {
    rows.push([
      'MoJoFM',
      reference.mojofm.toFixed(1),
      ...(unpinned ? [unpinnedReference ? unpinnedReference.mojofm.toFixed(1) : '—'] : []),
      'higher',
      `agreement with the reference decomposition (100 = identical; ${reference.distance} move/join operations away over ${reference.compared} files)`,
    ]);
  }
  return ['## Metrics', '', table(head, rows)].join('\n');
}

function serviceSection(s: PlanService): string {
  const out = [`### ${s.name}`, '', `Wave ${s.wave} · ${counted(s.size.files, 'file')} · ${counted(s.size.loc, 'line')} · ${counted(s.size.routes, 'route')} · owner ${code(s.owner)}`, ''];
  out.push(`**Files:** ${list(s.files)}`, '');
  out.push(`**Tables** — owned: ${list(s.tables.owned)}; reads: ${list(s.tables.read)}; writes: ${list(s.tables.written)}`, '');
  out.push(`**Depends on:** ${s.dependsOn.length ? s.dependsOn.map((d) => `${mdText(d.service)} (${edgeLabel(d)})`).join(', ') : 'nothing'}`);
  out.push(`**Used by:** ${s.usedBy.length ? s.usedBy.map((d) => `${mdText(d.service)} (${edgeLabel(d)})`).join(', ') : 'nobody'}`, '');
  if (s.routes.length > 0) {
    out.push(table(['Route id', 'Method', 'Path', 'Registered at'], s.routes.map((r) => [{ code: r.id }, r.method, { code: r.path }, `${r.file}:${r.line}`])));
  } else out.push('_No HTTP routes: an internal service or a library._');
  return out.join('\n');
}

export function renderMarkdown(plan: Plan): string {
  const s = plan.summary;
  const aside = migrationsSetAside(plan, code);
  const out: string[] = [
    `# Strangler analysis of ${code(plan.root)}`,
    '',
    `${counted(s.files, 'file')} (${counted(s.loc, 'line')}), ${counted(s.routes, 'route')}, ${counted(s.tables, 'table')} → **${counted(s.services, 'candidate service')}** and a shared kernel of ${counted(s.kernelFiles, 'file')}.`,
    '',
    ...(aside ? [`${aside.files} set aside (${aside.folders}): ${MIGRATIONS_WHY}.`, ''] : []),
    '## Summary',
    '',
    table(
      ['Service', 'Wave', 'Files', 'Routes', 'Tables owned', 'Depends on', 'Used by'],
      plan.services.map((x) => [x.name, x.wave, x.size.files, x.size.routes, x.tables.owned.length, x.dependsOn.length, x.usedBy.length]),
    ),
    '',
    metricsSection(plan),
    '',
    '## Service map',
    '',
    'Arrows point from a service to what it depends on (static calls, imports, tables owned by the other side).',
    '',
    serviceGraphMermaid(plan),
    '',
    '## Extraction waves',
    '',
    'Leaves first: a service nothing else depends on can leave the monolith without making monolith code call out.',
    '',
    table(['Wave', 'Services', 'Why'], plan.waves.map((w) => [w.wave, w.services.join(', '), w.reason])),
    '',
    '## Services',
    '',
    plan.services.map(serviceSection).join('\n\n'),
    '',
    '## Shared kernel',
    '',
    plan.kernel.files.length
      ? 'Infrastructure every service needs (a database handle, helpers). Copy it into each service or publish it as a library; do not make it a service.\n\n' +
        table(['File', 'Why'], plan.kernel.files.map((k) => [{ code: k.file }, k.reason]))
      : '_None found._',
    ...(plan.kernel.routes.length
      ? ['', 'Routes served by shared-kernel code stay on the monolith:', '', table(['Method', 'Path', 'Registered at'], plan.kernel.routes.map((r) => [r.method, { code: r.path }, `${r.file}:${r.line}`]))]
      : []),
    '',
    '## Shared tables',
    '',
    plan.sharedTables.length
      ? table(
          ['Table', 'Writers', 'Readers', 'Recommended owner', 'Through the owner’s API', 'Why'],
          plan.sharedTables.map((t) => [{ code: t.table }, t.writers.join(', ') || '—', t.readers.join(', ') || '—', t.recommendation.owner, t.recommendation.viaApi.join(', '), t.recommendation.reason]),
        )
      : '_Every table is used by one service only._',
    '',
    '## Foreign keys across services',
    '',
    plan.crossServiceForeignKeys.length
      ? 'Keys between tables two services own: the database cannot enforce them once the tables are apart.\n\n' +
        table(
          ['Key', 'Owner', 'References', 'Owner', 'On delete', 'Declared at', 'What to do'],
          plan.crossServiceForeignKeys.map((k) => [
            { code: keyColumns(k.table, k.columns) },
            k.owner,
            { code: keyColumns(k.references, k.referencedColumns) },
            k.referencedOwner,
            k.onDelete ?? '—',
            `${k.file}:${k.line}`,
            k.advice,
          ]),
        )
      : '_No declared foreign key crosses a service boundary._',
    '',
    '## Cross-service calls',
    '',
    plan.crossServiceCalls.length
      ? `Calls that become network calls once both sides are extracted (${plan.crossServiceCalls.length}, busiest first${plan.crossServiceCalls.length > 30 ? ', top 30 shown' : ''}).\n\n` +
        table(['From', 'To', 'Caller', 'Callee', 'Calls'], plan.crossServiceCalls.slice(0, 30).map((c) => [c.from, c.to, { code: c.caller }, { code: c.callee }, c.count]))
      : '_No static call crosses a service boundary._',
    '',
    '## Warnings',
    '',
    plan.warnings.length ? plan.warnings.map((w) => `- **${w.kind}**: ${mdText(w.message)}${w.file ? ` (${code(w.file)})` : ''}`).join('\n') : '_None._',
    '',
  ];
  return out.join('\n');
}

// The few lines `strangler analyze` prints: services, metrics, shared tables, warnings, where the reports are.
import type { Facts } from '../extract/types.ts';
import type { Plan } from '../plan-schema.ts';
import { visible } from '../quote.ts';
import { MIGRATIONS_WHY, migrationsSetAside } from './migrations-note.ts';
import { counted } from './plural.ts';

type Warning = Plan['warnings'][number];

const KIND_LABELS: Record<Warning['kind'], [one: string, many: string]> = {
  extractor: ['extraction problem', 'extraction problems'],
  reference: ['reference mismatch', 'reference mismatches'],
  services: ['service count', 'service count'],
  cycle: ['cycle', 'cycles'],
  'god-module': ['god module', 'god modules'],
  'unresolved-route': ['unresolved route', 'unresolved routes'],
  'unresolved-calls': ['unresolved calls', 'unresolved calls'],
  'kernel-route': ['kernel route', 'kernel routes'],
};
/** kinds about the input the user gave (source that did not parse, a reference that does not fit): listed, not only counted */
const LISTED: ReadonlySet<Warning['kind']> = new Set(['extractor', 'reference', 'services']);
const SHOWN = 3;
const INDENT = ' '.repeat(11);

/**
 * Names from the analysed code (tables, files in warnings) and paths typed by the user reach the terminal: no
 * control or bidi character in them may move the cursor, recolour or reorder the output.
 */
const terminalLines = (lines: readonly string[]): string => lines.map(visible).join('\n');

const clip = (text: string, max = 140): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** `warnings N (2 reading the source, 1 cycle) — see <where>`, then the first few warnings about the input. */
function warningLines(warnings: readonly Warning[], where: string): string[] {
  if (warnings.length === 0) return [];
  const perKind = new Map<Warning['kind'], number>();
  for (const w of warnings) perKind.set(w.kind, (perKind.get(w.kind) ?? 0) + 1);
  const kinds = [...perKind].map(([kind, n]) => `${n} ${KIND_LABELS[kind][n === 1 ? 0 : 1]}`).join(', ');
  const lines = [`  warnings ${warnings.length} (${kinds}) — see ${where}`];
  const listed = warnings.filter((w) => LISTED.has(w.kind));
  for (const w of listed.slice(0, SHOWN)) lines.push(`${INDENT}${clip(visible(w.message))}`);
  if (listed.length > SHOWN) lines.push(`${INDENT}+${listed.length - SHOWN} more`);
  return lines;
}

export function formatSummary(plan: Plan, written: readonly string[], referenceLabel?: string): string {
  const s = plan.summary;
  const m = plan.metrics.proposed;
  const lines = [
    `${plan.root}: ${counted(s.files, 'file')}, ${counted(s.routes, 'route')}, ${counted(s.tables, 'table')} → ${counted(s.services, 'service')} + shared kernel (${counted(s.kernelFiles, 'file')})`,
  ];
  const aside = migrationsSetAside(plan, (folder) => folder);
  if (aside) lines.push(`  set aside ${aside.files} (${aside.folders}): ${MIGRATIONS_WHY}`);
  for (const w of plan.waves) {
    const names = w.services.map((name) => {
      const svc = plan.services.find((x) => x.name === name)!;
      return `${name} (${counted(svc.size.files, 'file')}, ${counted(svc.size.routes, 'route')})`;
    });
    lines.push(`  wave ${w.wave}   ${names.join(', ')}`);
  }
  lines.push(
    `  metrics  Q ${m.modularity.toFixed(3)} · SM ${m.sm.toFixed(3)} · MQ ${m.mq.toFixed(2)} · ICP ${m.icp.toFixed(1)}% · IFN ${m.ifn.toFixed(2)} · NED ${m.ned.toFixed(2)} · cycles ${m.cycles.length}`,
  );
  const u = plan.metrics.unpinned;
  if (u) {
    lines.push(`  unpinned Q ${u.modularity.toFixed(3)} · SM ${u.sm.toFixed(3)} · MQ ${u.mq.toFixed(2)} · ICP ${u.icp.toFixed(1)}% · IFN ${u.ifn.toFixed(2)} · NED ${u.ned.toFixed(2)} · cycles ${u.cycles.length}`);
  }
  const ref = plan.metrics.reference;
  if (ref) {
    const before = plan.metrics.unpinnedReference ? ` (without pins ${plan.metrics.unpinnedReference.mojofm.toFixed(1)})` : '';
    const missing = ref.onlyInReference.length > 0 ? `; ${ref.onlyInReference.length} of its files not analysed` : '';
    lines.push(`  MoJoFM   ${ref.mojofm.toFixed(1)}${before} against ${referenceLabel ?? 'the reference'} (${ref.compared} files${missing})`);
  }
  if (plan.sharedTables.length > 0) {
    const shown = plan.sharedTables.slice(0, 6).map((t) => `${t.table} → ${t.recommendation.owner}`);
    const more = plan.sharedTables.length > 6 ? `, +${plan.sharedTables.length - 6} more` : '';
    lines.push(`  shared   ${counted(plan.sharedTables.length, 'table')} used by several services: ${shown.join(', ')}${more}`);
  } else lines.push('  shared   no table is used by more than one service');
  const keys = plan.crossServiceForeignKeys;
  if (keys.length > 0) {
    const shown = keys.slice(0, 4).map((k) => `${k.table} → ${k.references}${k.onDelete ? ` (on delete ${k.onDelete})` : ''}`);
    const more = keys.length > 4 ? `, +${keys.length - 4} more` : '';
    lines.push(`  keys     ${counted(keys.length, 'foreign key')} across services: ${shown.join(', ')}${more}`);
  }
  lines.push(...warningLines(plan.warnings, written.find((p) => p.endsWith('report.md')) ?? 'report.md'));
  if (written.length > 0) lines.push(`  wrote    ${written.join(', ')}`);
  return terminalLines(lines);
}

/** What `strangler analyze --facts-only` prints. */
/** `, 3 foreign keys` when the schema declares any. */
function keysCount(facts: Facts): string {
  const n = facts.foreignKeys?.length ?? 0;
  return n === 0 ? '' : `, ${counted(n, 'foreign key')}`;
}

export function formatFactsSummary(root: string, facts: Facts, written: string): string {
  const tables = new Set(facts.tables.map((t) => t.table)).size;
  const warnings = facts.warnings.map((w): Warning => ({ kind: 'extractor', message: w.message }));
  return terminalLines([
    `${root}: ${counted(facts.files.length, 'file')}, ${counted(facts.imports.length, 'import')}, ${counted(facts.routes.length, 'route')}, ${counted(tables, 'table')}${keysCount(facts)}`,
    ...warningLines(warnings, `"warnings" in ${written}`),
    `  wrote    ${written}`,
  ]);
}

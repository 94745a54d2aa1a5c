// The few lines `strangler analyze` prints: services, metrics, shared tables, where the reports are.
import type { Plan } from '../plan-schema.ts';

export function formatSummary(plan: Plan, written: readonly string[], referenceLabel?: string): string {
  const s = plan.summary;
  const m = plan.metrics.proposed;
  const lines = [
    `${plan.root}: ${s.files} files, ${s.routes} routes, ${s.tables} tables → ${s.services} service${s.services === 1 ? '' : 's'} + shared kernel (${s.kernelFiles} files)`,
  ];
  for (const w of plan.waves) {
    const names = w.services.map((name) => {
      const svc = plan.services.find((x) => x.name === name)!;
      return `${name} (${svc.size.files} files, ${svc.size.routes} routes)`;
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
    lines.push(`  MoJoFM   ${ref.mojofm.toFixed(1)}${before} against ${referenceLabel ?? 'the reference'} (${ref.compared} files)`);
  }
  if (plan.sharedTables.length > 0) {
    const shown = plan.sharedTables.slice(0, 6).map((t) => `${t.table} → ${t.recommendation.owner}`);
    const more = plan.sharedTables.length > 6 ? `, +${plan.sharedTables.length - 6} more` : '';
    lines.push(`  shared   ${plan.sharedTables.length} tables used by several services: ${shown.join(', ')}${more}`);
  } else lines.push('  shared   no table is used by more than one service');
  const warnings = plan.warnings.filter((w) => w.kind !== 'extractor').length;
  if (warnings > 0) lines.push(`  warnings ${warnings} (see report.md)`);
  if (written.length > 0) lines.push(`  wrote    ${written.join(', ')}`);
  return lines.join('\n');
}

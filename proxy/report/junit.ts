// JUnit XML so any CI can gate on readiness: one test suite per owner and service, one test
// case per route. NOT READY is a failure; NOT ENOUGH DATA is skipped.
import { escapeXml } from './escape.ts';
import type { ReportData, RouteReport } from './model.ts';
import { formatPercent } from './verdict.ts';

export function renderJunit(data: ReportData): string {
  const suites = data.teams.flatMap((team) => team.services.map((service) => ({ name: `${team.owner} / ${service.service}`, routes: service.routes })));
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="strangler readiness" tests="${data.totals.routes}" failures="${data.totals.notReady}" skipped="${data.totals.notEnoughData}" timestamp="${escapeXml(data.generatedAt)}">`,
  );
  for (const suite of suites) {
    const failures = suite.routes.filter((r) => r.verdict === 'NOT READY').length;
    const skipped = suite.routes.filter((r) => r.verdict === 'NOT ENOUGH DATA').length;
    out.push(`  <testsuite name="${escapeXml(suite.name)}" tests="${suite.routes.length}" failures="${failures}" errors="0" skipped="${skipped}">`);
    for (const r of suite.routes) out.push(testcase(r));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

function testcase(r: RouteReport): string {
  const open = `    <testcase classname="${escapeXml(`${r.owner}.${r.service}`)}" name="${escapeXml(r.routeId)}">`;
  const since = r.startedOverAt === undefined ? '' : `; counted since it was started over, ${new Date(r.startedOverAt).toISOString()}`;
  const summary = `${r.compared} compared, match ${formatPercent(r.matchRate)} after noise, ${r.errors.total} candidate errors (${r.errors.timeout} timeouts), ${r.dropped} dropped; mode ${r.mode}${since}`;
  const body: string[] = [];
  if (r.verdict === 'NOT READY') {
    const groups = r.groups
      .filter((g) => g.real)
      .slice(0, 10)
      .map((g) => `${g.count} × ${g.fields.filter((f) => f.real).map((f) => `${f.path} ${f.kind}`).join(', ')}`);
    body.push(`      <failure type="NOT READY" message="${escapeXml(r.reasons.join('; '))}">${escapeXml([summary, ...groups].join('\n'))}</failure>`);
  } else if (r.verdict === 'NOT ENOUGH DATA') {
    body.push(`      <skipped message="${escapeXml(`NOT ENOUGH DATA: ${r.reasons.join('; ')}`)}"/>`);
  }
  body.push(`      <system-out>${escapeXml(summary)}</system-out>`);
  return [open, ...body, '    </testcase>'].join('\n');
}

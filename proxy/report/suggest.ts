// --suggest-rules: turns learned noise into config rules a team can review and commit, so
// the proxy stops spending noise samples on fields everyone agrees are noise.
import type { ReportData } from './model.ts';

export interface SuggestedRoute {
  id: string;
  compare: { ignore?: string[]; unordered?: string[] };
}

/**
 * Body fields that vary on the monolith itself and are not a real difference on the candidate:
 * order noise becomes `unordered`, everything else `ignore`. Header and status noise is left out
 * (headers are only compared when a route lists them).
 */
export function suggestRules(data: ReportData): SuggestedRoute[] {
  const out: SuggestedRoute[] = [];
  for (const team of data.teams) {
    for (const service of team.services) {
      for (const r of service.routes) {
        const realPaths = new Set(r.groups.flatMap((g) => g.fields.filter((f) => f.real).map((f) => `${f.path}\u0000${f.kind}`)));
        const ignore = new Set<string>();
        const unordered = new Set<string>();
        for (const n of r.noise) {
          if (!n.path.startsWith('$') || realPaths.has(`${n.path}\u0000${n.kind}`)) continue;
          (n.kind === 'order' ? unordered : ignore).add(n.path);
        }
        if (ignore.size === 0 && unordered.size === 0) continue;
        const compare: SuggestedRoute['compare'] = {};
        if (ignore.size) compare.ignore = [...ignore].sort();
        if (unordered.size) compare.unordered = [...unordered].sort();
        out.push({ id: r.routeId, compare });
      }
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

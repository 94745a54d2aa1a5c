// The service dependencies a picture shows. A big plan can have hundreds; Graphviz's layout time grows steeply
// with dense labelled edges (minutes at ~500) and nobody reads such a picture, so only the strongest are drawn.
import type { Dependency, Plan } from '../plan-schema.ts';

export const MAX_DRAWN_EDGES = 120;

export interface DrawnEdge {
  from: string;
  to: string;
  dependency: Dependency;
}

const strength = (d: Dependency): number => d.calls + d.imports + 5 * d.tables.length;

/** The strongest dependencies (calls + imports + 5 per table), at most `limit`, in plan order; and how many were left out. */
export function drawnEdges(plan: Plan, limit = MAX_DRAWN_EDGES): { edges: DrawnEdge[]; omitted: number } {
  const all = plan.services.flatMap((s) => s.dependsOn.map((d) => ({ from: s.name, to: d.service, dependency: d })));
  if (all.length <= limit) return { edges: all, omitted: 0 };
  const kept = new Set(
    all
      .map((e, i) => ({ i, w: strength(e.dependency) }))
      .sort((a, b) => b.w - a.w || a.i - b.i)
      .slice(0, limit)
      .map((x) => x.i),
  );
  return { edges: all.filter((_, i) => kept.has(i)), omitted: all.length - limit };
}

import type { LoadedProject } from './project.ts';
import type { RouteFact, UnresolvedRoute, Warning } from './types.ts';
export function extractRoutes(project: LoadedProject): { routes: RouteFact[]; unresolved: UnresolvedRoute[]; warnings: Warning[] } {
  void project;
  return { routes: [], unresolved: [], warnings: [] };
}

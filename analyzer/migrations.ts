// Database migrations and seeds (facts.migrations) are schema history, not service code: nobody extracts "the
// migrations service", and each one touches a few tables of one domain at one point in time. The cut, the shared
// kernel, table ownership and the metrics are computed on the code without them; the plan lists them apart. Their
// declarations (facts.schema, facts.foreignKeys) stay: a key a migration declares still crosses services.
import type { Facts } from './extract/types.ts';
import { compare } from './graph.ts';
import type { Plan } from './plan-schema.ts';

/** The facts the clustering sees: without the migration files, their imports, calls and table accesses. */
export function withoutMigrations(facts: Facts): Facts {
  const aside = new Set((facts.migrations ?? []).map((m) => m.file));
  if (aside.size === 0) return facts;
  const kept = (file: string): boolean => !aside.has(file);
  return {
    ...facts,
    files: facts.files.filter((f) => kept(f.path)),
    imports: facts.imports.filter((e) => kept(e.from) && kept(e.to)),
    calls: {
      ...facts.calls,
      edges: facts.calls.edges.filter((e) => kept(e.fromFile) && kept(e.toFile)),
      fileEdges: facts.calls.fileEdges.filter((e) => kept(e.from) && kept(e.to)),
    },
    tables: facts.tables.filter((t) => kept(t.file)),
  };
}

/** plan.migrations: the files, and their folders with how many each holds (most first). */
export function migrationsOfPlan(facts: Facts): Plan['migrations'] {
  const files = (facts.migrations ?? []).map((m) => m.file).sort(compare);
  const perFolder = new Map<string, number>();
  for (const m of facts.migrations ?? []) perFolder.set(m.folder, (perFolder.get(m.folder) ?? 0) + 1);
  const folders = [...perFolder].map(([folder, n]) => ({ folder, files: n })).sort((a, b) => b.files - a.files || compare(a.folder, b.folder));
  return { folders, files };
}

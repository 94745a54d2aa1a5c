// extractFacts(root): read a TypeScript/JavaScript codebase and return plain facts (files, imports,
// calls, routes, tables). The library entry point of the analyzer's first half.
import { newCallTally, extractCalls, type CallTally } from './calls.ts';
import { guarded } from './guard.ts';
import { extractImports } from './imports.ts';
import { findMigrations } from './migrations.ts';
import { loadProject } from './project.ts';
import { extractRoutes, type RouteResult } from './routes.ts';
import { extractNestRoutes } from './routes-nest.ts';
import { extractNextRoutes } from './routes-next.ts';
import { extractTables } from './tables.ts';
import type { CallFacts, ExtractOptions, Facts, FileCallCount, FileFact, ImportEdge } from './types.ts';

export type * from './types.ts';

function callFacts(tally: CallTally): CallFacts {
  const edges: CallFacts['edges'] = [];
  const byFile = new Map<string, number>();
  for (const [key, count] of tally.edges) {
    const [from, to, fromFile, toFile] = key.split('\0');
    edges.push({ from, to, fromFile, toFile, count });
    const fileKey = `${fromFile}\0${toFile}`;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + count);
  }
  const fileEdges: FileCallCount[] = [];
  for (const [key, count] of byFile) {
    const [from, to] = key.split('\0');
    fileEdges.push({ from, to, count });
  }
  edges.sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to));
  fileEdges.sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to));
  return { edges, fileEdges, resolved: tally.resolved, unresolved: tally.unresolved, external: tally.external };
}

/** Routes of two extractors (Express/Fastify/Koa, NestJS, Next.js) in one list, in route-tree.ts's order (path, method, file, line). */
function mergeRoutes(a: RouteResult, b: RouteResult): RouteResult {
  if (b.routes.length === 0 && b.unresolved.length === 0 && b.warnings.length === 0) return a;
  return {
    routes: [...a.routes, ...b.routes].sort((x, y) => cmp(x.path, y.path) || cmp(x.method, y.method) || cmp(x.file, y.file) || x.line - y.line),
    unresolved: [...a.unresolved, ...b.unresolved].sort((x, y) => cmp(x.file, y.file) || x.line - y.line),
    warnings: [...a.warnings, ...b.warnings],
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function extractFacts(root: string, options: ExtractOptions = {}): Promise<Facts> {
  const project = loadProject(root, options);
  const warnings = [...project.warnings];
  const files: FileFact[] = [];
  const imports: ImportEdge[] = [];
  const tally = newCallTally();
  const total = project.files.length;
  let done = 0;
  for (const file of project.files) {
    let externals: string[] = [];
    guarded(file, warnings, 'imports', () => {
      const fileImports = extractImports(project, file);
      imports.push(...fileImports.edges);
      warnings.push(...fileImports.warnings);
      externals = fileImports.externals;
    });
    files.push({ path: file.rel, loc: file.loc, size: file.size, language: file.language, externals });
    guarded(file, warnings, 'calls', () => extractCalls(project, file, tally));
    options.onProgress?.(++done, total, 'analyze');
    // Yield now and then so that a caller's progress display (and signals) stay live on big codebases.
    if (done % 200 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const routes = mergeRoutes(mergeRoutes(extractRoutes(project), extractNestRoutes(project)), extractNextRoutes(project));
  const tables = extractTables(project, routes.routes);
  warnings.push(...routes.warnings, ...tables.warnings);
  const migrations = findMigrations(project.files, imports, routes.routes, warnings, options);
  return {
    version: 1,
    root: project.root,
    files,
    imports,
    calls: callFacts(tally),
    routes: routes.routes,
    unresolvedRoutes: routes.unresolved,
    tables: tables.accesses,
    schema: tables.schema,
    foreignKeys: tables.foreignKeys,
    migrations,
    warnings,
  };
}

// Builds the migration plan from the facts and the cut: services with their routes and tables, who owns each
// shared table, which foreign keys cross services, which calls become network calls, and the order of extraction
// (waves).
import type { Facts, ForeignKey } from './extract/types.ts';
import type { Decomposition } from './decompose.ts';
import { appSegments, argmax, compare, routeOwnerFile, routePrefix, type FileGraph } from './graph.ts';
import { stronglyConnected, type MetricSet, type MoJoResult } from './metrics.ts';
import { migrationsOfPlan } from './migrations.ts';
import { codeSpan, hasUnprintable } from './quote.ts';
import { assignRouteIds } from './route-id.ts';
import {
  PLAN_VERSION,
  planSchema,
  type CrossServiceForeignKey,
  type Dependency,
  type Plan,
  type PlanWarning,
  type SharedTable,
  type Wave,
} from './plan-schema.ts';

export { planSchema, PLAN_VERSION, type Plan } from './plan-schema.ts';
import { proxyMethod, proxyPaths } from './proxy-config.ts';
export { toProxyConfig, type ProxyConfigOptions } from './proxy-config.ts';

export interface PlanInput {
  root: string;
  facts: Facts;
  fileGraph: FileGraph;
  decomposition: Decomposition;
  metrics: { proposed: MetricSet; unpinned?: MetricSet; reference?: MoJoResult; unpinnedReference?: MoJoResult };
  options: Plan['options'];
}

const sortStrings = (xs: Iterable<string>): string[] => [...new Set(xs)].sort(compare);

export function buildPlan(input: PlanInput): Plan {
  const { facts, decomposition } = input;
  const service = decomposition.assignment;
  const names = sortStrings(service.values());
  const kernelFiles = new Set(decomposition.kernel.map((k) => k.file));
  const warnings: PlanWarning[] = [];

  // Routes: a route belongs to the service of its handler, else of the file that registers it. A path with control or
  // bidi characters is left out (a warning names it): the proxy refuses it, and every report would show it forged.
  const usable = facts.routes.filter((r) => !hasUnprintable(r.path));
  const routed = usable
    .sort((a, b) => compare(a.path, b.path) || compare(a.method, b.method) || compare(a.file, b.file) || a.line - b.line)
    .map((r) => ({
      service: service.get(routeOwnerFile(r)) ?? service.get(r.file) ?? '',
      method: r.method.toUpperCase(),
      path: r.path,
      file: r.file,
      line: r.line,
      ...(r.handler.file && r.handler.name ? { handler: `${r.handler.file}#${r.handler.name}` } : {}),
    }));
  // A route registered inline in shared-kernel code (app.ts answering GET /categories) goes to the service that
  // serves the most routes under the same path prefix; with none, it stays on the monolith.
  const prefixOwners = new Map<string, Map<string, number>>();
  const shared = appSegments(facts.routes);
  for (const r of routed) {
    const prefix = routePrefix(r.path, shared);
    if (r.service === '' || prefix === undefined) continue;
    const perService = prefixOwners.get(prefix) ?? new Map<string, number>();
    perService.set(r.service, (perService.get(r.service) ?? 0) + 1);
    prefixOwners.set(prefix, perService);
  }
  for (const r of routed) {
    const prefix = routePrefix(r.path, shared);
    if (r.service === '' && prefix !== undefined && prefixOwners.has(prefix)) r.service = argmax(prefixOwners.get(prefix)!);
  }
  const kernelRoutes = routed.filter((r) => r.service === '').map(({ service: _s, ...r }) => r);
  for (const r of kernelRoutes) {
    warnings.push({ kind: 'kernel-route', message: `${r.method} ${r.path} is served by shared-kernel code; it stays on the monolith`, file: r.file });
  }
  const routes = assignRouteIds(routed.filter((r) => r.service !== ''));

  // Tables: count accesses per service (kernel accesses — schema, seeds — say nothing about ownership).
  const access = new Map<string, Map<string, { reads: number; writes: number }>>(); // table → service → counts
  for (const a of facts.tables) {
    const s = service.get(a.file);
    if (s === undefined) continue;
    const perService = access.get(a.table) ?? new Map<string, { reads: number; writes: number }>();
    const c = perService.get(s) ?? { reads: 0, writes: 0 };
    if (a.access === 'write') c.writes++;
    else c.reads++;
    perService.set(s, c);
    access.set(a.table, perService);
  }
  const owner = new Map<string, string>();
  const sharedTables: SharedTable[] = [];
  for (const table of sortStrings(access.keys())) {
    const perService = [...access.get(table)!].sort(
      (a, b) => b[1].writes - a[1].writes || b[1].reads - a[1].reads || compare(a[0], b[0]),
    );
    const [top, counts] = perService[0];
    owner.set(table, top);
    if (perService.length < 2) continue;
    const writers = sortStrings(perService.filter(([, c]) => c.writes > 0).map(([s]) => s));
    const readers = sortStrings(perService.filter(([, c]) => c.reads > 0).map(([s]) => s));
    const viaApi = sortStrings(perService.map(([s]) => s).filter((s) => s !== top));
    sharedTables.push({
      table,
      writers,
      readers,
      recommendation: {
        owner: top,
        viaApi,
        reason:
          counts.writes > 0
            ? `${top} writes it most (${counts.writes} write${counts.writes === 1 ? '' : 's'}); ${viaApi.join(', ')} should use ${possessive(top)} API instead of the table`
            : `nobody writes it; ${top} reads it most, ${viaApi.join(', ')} should read it through ${possessive(top)} API`,
      },
    });
  }

  const crossServiceForeignKeys = foreignKeysAcross(facts.foreignKeys ?? [], owner);

  // Dependencies between services: calls, imports, and touching another service's tables.
  const deps = new Map<string, Dependency>(); // "a\0b"
  const dep = (a: string, b: string): Dependency => {
    const key = `${a}\u0000${b}`;
    let d = deps.get(key);
    if (!d) deps.set(key, (d = { service: b, calls: 0, imports: 0, tables: [] }));
    return d;
  };
  for (const e of facts.calls.fileEdges) {
    const a = service.get(e.from);
    const b = service.get(e.to);
    if (a !== undefined && b !== undefined && a !== b) dep(a, b).calls += e.count;
  }
  for (const e of facts.imports) {
    const a = service.get(e.from);
    const b = service.get(e.to);
    if (a !== undefined && b !== undefined && a !== b && !e.typeOnly) dep(a, b).imports++;
  }
  for (const a of facts.tables) {
    const s = service.get(a.file);
    const o = owner.get(a.table);
    if (s !== undefined && o !== undefined && s !== o && !dep(s, o).tables.includes(a.table)) dep(s, o).tables.push(a.table);
  }
  for (const d of deps.values()) d.tables.sort(compare);

  const crossServiceCalls = facts.calls.edges
    .map((e) => ({ from: service.get(e.fromFile), to: service.get(e.toFile), caller: e.from, callee: e.to, count: e.count }))
    .filter((c): c is { from: string; to: string; caller: string; callee: string; count: number } =>
      c.from !== undefined && c.to !== undefined && c.from !== c.to && c.count > 0)
    .sort((a, b) => b.count - a.count || compare(a.caller, b.caller) || compare(a.callee, b.callee));

  const sharedWrites = new Map<string, number>();
  for (const t of sharedTables) for (const w of t.writers) sharedWrites.set(w, (sharedWrites.get(w) ?? 0) + 1);
  const waves = extractionWaves(names, deps, sharedWrites);
  const waveOf = new Map(waves.flatMap((w) => w.services.map((s) => [s, w.wave] as const)));

  const loc = new Map(facts.files.map((f) => [f.path, f.loc]));
  // group once: a plan of a 4,000-file monolith has a hundred services and thousands of accesses
  const group = <T>(items: Iterable<T>, key: (item: T) => string | undefined): Map<string, T[]> => {
    const out = new Map<string, T[]>();
    for (const item of items) {
      const k = key(item);
      if (k !== undefined) out.set(k, [...(out.get(k) ?? []), item]);
    }
    return out;
  };
  const filesOf = group(service, ([, s]) => s);
  const routesOf = group(routes, (r) => r.service);
  const readsOf = new Map<string, string[]>();
  const writesOf = new Map<string, string[]>();
  for (const [table, perService] of access) {
    for (const [s, c] of perService) {
      if (c.reads > 0) readsOf.set(s, [...(readsOf.get(s) ?? []), table]);
      if (c.writes > 0) writesOf.set(s, [...(writesOf.get(s) ?? []), table]);
    }
  }
  const ownedBy = group(owner, ([, o]) => o);
  const depsFrom = group(deps, ([k]) => k.split('\u0000')[0]);
  const depsTo = group(deps, ([k]) => k.split('\u0000')[1]);
  const services = names.map((name) => {
    const files = (filesOf.get(name) ?? []).map(([f]) => f).sort(compare);
    const own = (routesOf.get(name) ?? []).map(({ service: _s, ...r }) => r);
    const read = sortStrings(readsOf.get(name) ?? []);
    const written = sortStrings(writesOf.get(name) ?? []);
    const owned = sortStrings((ownedBy.get(name) ?? []).map(([t]) => t));
    const dependsOn = (depsFrom.get(name) ?? []).map(([, d]) => d).sort((a, b) => compare(a.service, b.service));
    const usedBy = (depsTo.get(name) ?? [])
      .map(([k, d]) => ({ ...d, service: k.split('\u0000')[0] }))
      .sort((a, b) => compare(a.service, b.service));
    return {
      name,
      owner: `team-${name}`,
      files,
      routes: own,
      tables: { owned, read, written },
      dependsOn,
      usedBy,
      size: { files: files.length, loc: files.reduce((n, f) => n + (loc.get(f) ?? 0), 0), routes: own.length, tables: sortStrings([...read, ...written]).length },
      wave: waveOf.get(name)!,
    };
  });

  warnings.push(...structuralWarnings(input, services.map((s) => ({ name: s.name, files: s.files.length })), kernelFiles));

  const plan: Plan = {
    version: PLAN_VERSION,
    tool: 'strangler',
    root: input.root,
    options: input.options,
    summary: {
      files: facts.files.length,
      loc: facts.files.reduce((n, f) => n + f.loc, 0),
      routes: usable.length,
      tables: new Set(facts.tables.map((t) => t.table)).size,
      services: services.length,
      kernelFiles: kernelFiles.size,
      unresolvedRoutes: facts.unresolvedRoutes.length + facts.routes.length - usable.length,
      unresolvedCalls: facts.calls.unresolved,
    },
    metrics: {
      proposed: input.metrics.proposed,
      ...(input.metrics.unpinned ? { unpinned: input.metrics.unpinned } : {}),
      ...(input.metrics.reference ? { reference: roundScore(input.metrics.reference) } : {}),
      ...(input.metrics.unpinnedReference ? { unpinnedReference: roundScore(input.metrics.unpinnedReference) } : {}),
    },
    services,
    kernel: { files: decomposition.kernel, routes: kernelRoutes },
    sharedTables,
    crossServiceForeignKeys,
    crossServiceCalls,
    migrations: migrationsOfPlan(facts),
    waves,
    warnings,
  };
  // The plan is a contract: never hand out one the schema would refuse.
  return planSchema.parse(plan);
}

const possessive = (name: string): string => (name.endsWith('s') ? `${name}'` : `${name}'s`);

/**
 * The declared foreign keys whose two tables end up owned by different services (a table no service touches has
 * no owner and is left out), each with what to do once the tables are apart.
 */
function foreignKeysAcross(keys: readonly ForeignKey[], owner: ReadonlyMap<string, string>): CrossServiceForeignKey[] {
  const out: CrossServiceForeignKey[] = [];
  const seen = new Set<string>();
  for (const fk of keys) {
    const from = owner.get(fk.table);
    const to = owner.get(fk.references);
    if (from === undefined || to === undefined || from === to) continue;
    // the same key declared twice (a DDL string and a migration) is one key
    const id = JSON.stringify([fk.table, fk.columns, fk.references, fk.referencedColumns]);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({
      table: fk.table,
      owner: from,
      columns: fk.columns,
      references: fk.references,
      referencedOwner: to,
      referencedColumns: fk.referencedColumns,
      ...(fk.onDelete !== undefined && { onDelete: fk.onDelete }),
      file: fk.file,
      line: fk.line,
      advice: foreignKeyAdvice(fk, from, to),
    });
  }
  return out.sort((a, b) => compare(a.table, b.table) || compare(a.references, b.references) || compare(a.columns.join(), b.columns.join()));
}

function foreignKeyAdvice(fk: ForeignKey, from: string, to: string): string {
  const column = fk.columns.length ? `${fk.table}.${fk.columns.join(', ')}` : fk.table;
  const apart = `once ${fk.references} is in the ${to} service and ${fk.table} in the ${from} service`;
  const onDelete = fk.onDelete?.toLowerCase();
  if (onDelete === 'cascade') {
    return `deleting a ${fk.references} row deletes its ${fk.table} rows in the database; ${apart}, ${to} must tell ${from} (an event) and ${from} delete them itself`;
  }
  if (onDelete === 'set null' || onDelete === 'set default') {
    return `deleting a ${fk.references} row resets ${column} in the database; ${apart}, ${to} must tell ${from} (an event) and ${from} reset it itself`;
  }
  return `once ${fk.references} is in the ${to} service, the database can no longer check the ${fk.references} ids the ${from} service keeps in ${column}: drop the constraint, and check ids through the ${to} service's API (or accept a dangling id)`;
}

function roundScore(r: MoJoResult): MoJoResult {
  return { ...r, mojofm: Math.round(r.mojofm * 100) / 100 };
}

/**
 * Leaves first: a wave holds the services no remaining service depends on (extracting them makes no monolith code
 * call out over the network). When every remaining service is depended on, some of them form a cycle: among the
 * cycles nothing outside depends on, the service with the fewest inbound dependencies, then fewest shared-table
 * writes, goes alone to break it.
 */
export function extractionWaves(names: readonly string[], deps: ReadonlyMap<string, Dependency>, sharedWrites: ReadonlyMap<string, number>): Wave[] {
  const edges = [...deps.keys()].map((k) => k.split('\u0000') as [string, string]).filter(([a, b]) => a !== b);
  // inbound dependencies from services still in the monolith, kept up to date as services leave
  const inboundCount = new Map<string, number>(names.map((n) => [n, 0]));
  const outgoing = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const [a, b] of edges) {
    if (!inboundCount.has(a) || !inboundCount.has(b)) continue;
    inboundCount.set(b, inboundCount.get(b)! + 1);
    outgoing.get(a)!.push(b);
  }
  const inbound = (s: string, _remaining: Set<string>): number => inboundCount.get(s)!;
  const leave = (s: string, remaining: Set<string>): void => {
    remaining.delete(s);
    for (const b of outgoing.get(s)!) inboundCount.set(b, inboundCount.get(b)! - 1);
  };
  const remaining = new Set(names);
  const waves: Wave[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter((s) => inbound(s, remaining) === 0).sort(compare);
    if (ready.length > 0) {
      waves.push({ wave: waves.length + 1, services: ready, reason: 'no service left in the monolith depends on these' });
      for (const s of ready) leave(s, remaining);
      continue;
    }
    const adjacency = new Map<string, Set<string>>([...remaining].map((s) => [s, new Set<string>()]));
    for (const [a, b] of edges) if (remaining.has(a) && remaining.has(b)) adjacency.get(a)!.add(b);
    const components = stronglyConnected(adjacency);
    const componentOf = new Map(components.flatMap((c, i) => c.map((s) => [s, i] as const)));
    const fedFromOutside = new Set(edges.filter(([a, b]) => remaining.has(a) && remaining.has(b) && componentOf.get(a) !== componentOf.get(b)).map(([, b]) => componentOf.get(b)!));
    const candidates = components.filter((_, i) => !fedFromOutside.has(i)).flat();
    const pick = candidates.sort(
      (a, b) => inbound(a, remaining) - inbound(b, remaining) || (sharedWrites.get(a) ?? 0) - (sharedWrites.get(b) ?? 0) || compare(a, b),
    )[0];
    const cycle = components[componentOf.get(pick)!];
    waves.push({
      wave: waves.length + 1,
      services: [pick],
      reason: `breaks the cycle ${cycle.join(' ↔ ')}: fewest inbound dependencies (${inbound(pick, remaining)}) and shared-table writes`,
    });
    leave(pick, remaining);
  }
  return waves;
}

function structuralWarnings(input: PlanInput, sizes: Array<{ name: string; files: number }>, kernelFiles: Set<string>): PlanWarning[] {
  const { facts, fileGraph, decomposition } = input;
  const out: PlanWarning[] = [];
  for (const cycle of input.metrics.proposed.cycles) {
    out.push({ kind: 'cycle', message: `services in a dependency cycle (calls or imports both ways): ${cycle.join(' ↔ ')}; break it before deploying them apart` });
  }
  // God modules: a file entangled with half the services, or one service holding most of the code.
  const k = sizes.length;
  if (k >= 4) {
    const touched = new Map<string, Set<string>>();
    for (const e of fileGraph.dependencies.edges) {
      const a = decomposition.assignment.get(e.from);
      const b = decomposition.assignment.get(e.to);
      if (a === undefined || b === undefined || a === b) continue;
      touched.set(e.from, (touched.get(e.from) ?? new Set()).add(b));
      touched.set(e.to, (touched.get(e.to) ?? new Set()).add(a));
    }
    for (const [file, others] of [...touched].sort((x, y) => compare(x[0], y[0]))) {
      if (others.size >= Math.ceil(k / 2) && !kernelFiles.has(file)) {
        out.push({ kind: 'god-module', message: `${file} is entangled with ${others.size} other services (${sortStrings(others).join(', ')})`, file });
      }
    }
    const total = sizes.reduce((n, s) => n + s.files, 0);
    for (const s of sizes) {
      if (s.files >= 8 && s.files * 100 > total * 40) {
        out.push({ kind: 'god-module', message: `service ${s.name} holds ${s.files} of ${total} files; consider --services or pins to split it` });
      }
    }
  }
  for (const u of facts.unresolvedRoutes) {
    // the expression as written may span lines: show it on one
    const expression = u.expression.replace(/[ \t]*(\r\n|\r|\n)\s*/g, ' ');
    out.push({ kind: 'unresolved-route', message: `${u.method} route with a non-literal path ${codeSpan(expression)} (${u.reason})`, file: `${u.file}:${u.line}` });
  }
  for (const r of facts.routes.filter((x) => hasUnprintable(x.path))) {
    out.push({
      kind: 'unresolved-route',
      message: `${r.method.toUpperCase()} route with control or bidi characters in its path ${codeSpan(r.path)}: left out of the plan and strangler.config.json (the proxy refuses such a path)`,
      file: `${r.file}:${r.line}`,
    });
  }
  for (const r of facts.routes.filter((x) => !hasUnprintable(x.path) && proxyPaths(x.path) === undefined)) {
    out.push({
      kind: 'unresolved-route',
      message: `${r.method.toUpperCase()} route ${codeSpan(r.path)} cannot be written as a proxy rule (a wildcard before the end, a parameter inside a segment, a pattern operator): it is in the plan but not in strangler.config.json, so the monolith keeps serving it; add a rule by hand to move it`,
      file: `${r.file}:${r.line}`,
    });
  }
  for (const r of facts.routes.filter((x) => !hasUnprintable(x.path) && proxyMethod(x.method) === undefined)) {
    out.push({
      kind: 'unresolved-route',
      message: `${r.method} route ${codeSpan(r.path)} has a method no proxy rule can name: it is in the plan but not in strangler.config.json, so the monolith keeps serving it`,
      file: `${r.file}:${r.line}`,
    });
  }
  if (facts.calls.unresolved > 0) {
    const total = facts.calls.unresolved + facts.calls.resolved;
    out.push({ kind: 'unresolved-calls', message: `${facts.calls.unresolved} of ${total} calls do not resolve to a declaration in the analysed code (library calls included); coupling from calls is a lower bound` });
  }
  for (const w of decomposition.warnings) out.push({ kind: 'services', message: w });
  const ref = input.metrics.reference;
  if (ref && ref.onlyInReference.length > ref.compared) {
    const shown = ref.onlyInReference.slice(0, 2).join(', ');
    const total = ref.compared + ref.onlyInReference.length;
    out.push({
      kind: 'reference',
      message: `MoJoFM scores ${ref.compared} of the reference's ${total} files; not analysed: ${shown}${ref.onlyInReference.length > 2 ? ', ...' : ''} (its paths must be relative to the root)`,
    });
  }
  for (const w of facts.warnings) out.push({ kind: 'extractor', message: w.message, ...(w.file ? { file: w.file } : {}) });
  return out;
}

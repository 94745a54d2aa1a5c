// The shared kernel: files every service needs but none should own — a composition root, a schema or seed file,
// a db singleton or utils grab-bag. They become a library each service embeds, not a service of their own.
import type { Facts } from './extract/types.ts';
import { compare, routeOwnerFile, type FileGraph } from './graph.ts';

export interface KernelFile {
  file: string;
  reason: string;
}

/**
 * Shared-kernel files: not pinned, and either
 *  - a composition root: only entry scripts depend on it, it wires at least `min` other clusters and owns no
 *    table — it may register a few routes of its own, or
 *  - an entry script that answers one or two routes itself: nothing imports it and it touches no table, or one
 *    that starts the app: nothing imports it, it serves no route, touches no table and imports a composition root, or
 *  - a schema/seed file serving no routes: it writes at least half of all tables, belonging to at least `min`
 *    different clusters, and none of those writes is reached from a route handler through resolved calls (a
 *    repository that a small app's requests write several tables through is not a seed), or
 *  - a shared library serving no routes: used by files of at least `min` other clusters, owning no table.
 * A table belongs to the cluster whose other files touch it most (writes count double).
 */
export function detectKernel(
  facts: Facts,
  fg: FileGraph,
  clusters: ReadonlyMap<string, string>,
  pins: ReadonlyMap<string, string>,
  serving: Set<string>,
  min: number,
): KernelFile[] {
  const accessByFile = new Map<string, Map<string, 'read' | 'write'>>();
  for (const a of facts.tables) {
    if (!clusters.has(a.file)) continue;
    const m = accessByFile.get(a.file) ?? new Map<string, 'read' | 'write'>();
    if (m.get(a.table) !== 'write') m.set(a.table, a.access);
    accessByFile.set(a.file, m);
  }
  const allTables = new Set(facts.tables.map((a) => a.table)).size;
  const onRequest = reachedFromRoutes(facts);
  const routesServed = new Map<string, number>();
  for (const r of facts.routes) {
    const owner = routeOwnerFile(r);
    routesServed.set(owner, (routesServed.get(owner) ?? 0) + 1);
  }
  const writesOnRequest = new Set(facts.tables.filter((a) => a.access === 'write' && onRequest.has(`${a.file}#${a.function}`)).map((a) => a.file));
  // per table, the access score of each cluster; homeOf subtracts the asking file's own share
  const scores = new Map<string, Map<string, number>>();
  for (const [file, m] of accessByFile) {
    const c = clusters.get(file)!;
    for (const [table, access] of m) {
      const perCluster = scores.get(table) ?? new Map<string, number>();
      perCluster.set(c, (perCluster.get(c) ?? 0) + (access === 'write' ? 2 : 1));
      scores.set(table, perCluster);
    }
  }
  const homeOf = (table: string, except: string): string | undefined => {
    const own = accessByFile.get(except)?.get(table);
    const ownCluster = clusters.get(except);
    let best: string | undefined;
    let bestScore = 0;
    for (const [c, raw] of scores.get(table) ?? []) {
      const score = c === ownCluster && own !== undefined ? raw - (own === 'write' ? 2 : 1) : raw;
      if (score > 0 && (best === undefined || score > bestScore || (score === bestScore && c < best))) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  };
  const dependents = new Map<string, Set<string>>();
  const dependencies = new Map<string, Set<string>>();
  // over every file, kernel included: a router imported by app.ts is not an entry script because app.ts left
  const anyDependents = new Map<string, number>();
  for (const e of fg.dependencies.edges) {
    anyDependents.set(e.to, (anyDependents.get(e.to) ?? 0) + 1);
    if (!clusters.has(e.from) || !clusters.has(e.to)) continue;
    dependents.set(e.to, (dependents.get(e.to) ?? new Set()).add(e.from));
    dependencies.set(e.from, (dependencies.get(e.from) ?? new Set()).add(e.to));
  }
  const out: KernelFile[] = [];
  for (const file of [...clusters.keys()].sort()) {
    if (pins.has(file)) continue;
    const own = clusters.get(file)!;
    const tables = accessByFile.get(file) ?? new Map<string, 'read' | 'write'>();
    const homes = new Set<string>();
    let ownsTable = false;
    const writtenHomes = new Set<string>();
    const written = [...tables.values()].filter((a) => a === 'write').length;
    for (const [table, access] of tables) {
      const home = homeOf(table, file);
      if (home === undefined) ownsTable = true;
      else {
        homes.add(home);
        if (access === 'write') writtenHomes.add(home);
      }
    }
    const noOwnTables = !ownsTable && (homes.size === 0 || homes.size >= min);
    const users = new Set([...(dependents.get(file) ?? [])].map((f) => clusters.get(f)!).filter((c) => c !== own));
    const wired = new Set([...(dependencies.get(file) ?? [])].map((f) => clusters.get(f)!).filter((c) => c !== own));
    // only entry scripts (files nothing depends on) may depend on a composition root
    const onlyEntryScripts = [...(dependents.get(file) ?? [])].every((d) => (anyDependents.get(d) ?? 0) === 0);
    // a composition root may serve a few routes itself (health, version); an entry script may import it
    if (noOwnTables && written === 0 && onlyEntryScripts && wired.size >= min) {
      out.push({ file, reason: `composition root: wires ${wired.size} services` });
    } else if (serving.has(file)) {
      // an entry script answering a route or two itself (`GET /` in main.ts) is the app's, not a service of its own
      const served = routesServed.get(file) ?? 0;
      if ((anyDependents.get(file) ?? 0) === 0 && tables.size === 0 && served <= 2) {
        out.push({ file, reason: `entry script: nothing imports it, owns no table, answers ${served} route${served === 1 ? '' : 's'} itself` });
      }
      continue;
    }
    // a seed or migration writes most of the schema; a module that also cleans up a few foreign rows does not
    else if (writtenHomes.size >= min && written * 2 >= allTables && !writesOnRequest.has(file)) {
      out.push({ file, reason: `writes ${written} of ${allTables} tables, across ${writtenHomes.size} services (schema or seed)` });
    }
    else if (noOwnTables && users.size >= min) out.push({ file, reason: `used by ${users.size} services, serves no routes, owns no table` });
  }
  // the script that starts the app (main.ts: NestFactory.create(AppModule), app.listen()) goes with the composition
  // root it imports, not with whichever service's constants it also happens to import
  const roots = new Set(out.filter((k) => k.reason.startsWith('composition root')).map((k) => k.file));
  const kernel = new Set(out.map((k) => k.file));
  for (const file of [...clusters.keys()].sort()) {
    if (pins.has(file) || kernel.has(file) || serving.has(file) || accessByFile.has(file) || (anyDependents.get(file) ?? 0) > 0) continue;
    const root = [...(dependencies.get(file) ?? [])].find((d) => roots.has(d));
    if (root) out.push({ file, reason: `entry script: starts the app (imports the composition root ${root})` });
  }
  return out;
}

/**
 * The functions route handlers reach through resolved calls, the handlers included (ids `<file>#<name>`). An inline
 * handler written inside a named function has that function's id (docs/analyzer-extract.md, function ids): from a
 * composition root's `app.get('/health', …)` that would be everything the root calls, its seeding included, so only
 * handlers with an id of their own start the walk: named, factory-made, or inline at the top level.
 */
function reachedFromRoutes(facts: Facts): Set<string> {
  const callees = new Map<string, string[]>();
  for (const e of facts.calls.edges) {
    const list = callees.get(e.from);
    if (list) list.push(e.to);
    else callees.set(e.from, [e.to]);
  }
  const reached = new Set<string>();
  const ownId = (h: Facts['routes'][number]['handler']): boolean => h.kind === 'named' || h.kind === 'factory' || (h.kind === 'inline' && !!h.name?.startsWith('<anonymous@'));
  const stack = facts.routes.flatMap(({ handler: h }) => (h.file && h.name && ownId(h) ? [`${h.file}#${h.name}`] : []));
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (reached.has(id)) continue;
    reached.add(id);
    for (const next of callees.get(id) ?? []) if (!reached.has(next)) stack.push(next);
  }
  return reached;
}

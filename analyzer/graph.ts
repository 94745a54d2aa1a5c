// Turns the extracted facts into two graphs over files:
//  - the clustering graph (undirected, weighted): how strongly two files belong together; Louvain cuts it.
//  - the dependency graph (directed, weighted by call counts): who needs whom; the metrics and the plan read it.
import { UndirectedGraph } from 'graphology';
import type { Facts } from './extract/types.ts';
import type { DependencyGraph, WeightedEdge } from './metrics.ts';
import { domainWords, GENERIC_FOLDER_NAMES, GENERIC_PATH_SEGMENTS, singular } from './vocabulary.ts';

/** How much each kind of evidence pulls two files together. Every weight is ≥ 0; 0 switches a signal off. */
export interface GraphWeights {
  /** per value import edge between two files */
  import: number;
  /** per type-only import edge (types couple less than code) */
  typeImport: number;
  /** multiplier of log2(1 + calls) for the calls between two files (log: one chatty pair must not dominate) */
  call: number;
  /** multiplier of the shared-table affinity (see `tableWrite` / `tableRead`) */
  table: number;
  /** strength of a file's write access to a table */
  tableWrite: number;
  /** strength of a file's read access to a table */
  tableRead: number;
  /** multiplier of the affinity of files serving routes under the same path prefix */
  route: number;
  /** multiplier of the affinity of files in the same domain-named folder (`catalog/`, not `controllers/`) */
  folder: number;
  /** multiplier of the affinity of files in layer folders whose names say the same domain (`endpoints/posts.js`, `models/post.js`) */
  name: number;
}

export const DEFAULT_WEIGHTS: Readonly<GraphWeights> = Object.freeze({
  import: 1,
  typeImport: 0.2,
  call: 1,
  table: 2,
  tableWrite: 1,
  tableRead: 0.35,
  route: 1,
  folder: 2,
  name: 1,
});

export interface FileGraph {
  /** every analysed file, sorted */
  files: string[];
  /** clustering graph; edge attribute `weight` */
  graph: UndirectedGraph;
  /** the clustering graph's edges, one per unordered pair, sorted (from < to) */
  clusteringEdges: WeightedEdge[];
  /** directed dependencies: weight = static call count, or 1 for an import with no resolved call */
  dependencies: DependencyGraph;
  /** the route prefix (first meaningful path segment) each file serves most, when it serves routes */
  routePrefixes: Map<string, string>;
}


/**
 * A route's domain word: its first path segment that is not generic (`api`, `v1`), a parameter or a wildcard, nor one
 * of `shared` (the segments the codebase's routes mostly share: `appSegments`).
 */
export function routePrefix(path: string, shared: ReadonlySet<string> = NONE): string | undefined {
  for (const raw of path.split('/')) {
    const segment = raw.toLowerCase();
    if (GENERIC_PATH_SEGMENTS.has(segment) || shared.has(segment) || segment.startsWith(':') || segment.includes('*') || segment.startsWith('{')) {
      continue;
    }
    return segment;
  }
  return undefined;
}
const NONE: ReadonlySet<string> = new Set();

/** Below this many routes no segment is taken for the app's own. */
const APP_SEGMENT_MIN_ROUTES = 10;
/** The share of routes a leading segment must start (after those already taken) to be the app's own. */
const APP_SEGMENT_SHARE = 0.6;
const appSegmentsCache = new WeakMap<Facts['routes'], ReadonlySet<string>>();

/**
 * The leading path segments most of a codebase's routes share: its own mount (`/ghost/api/admin/posts`: `ghost` and
 * `admin`, started by 79% and 72% of Ghost's routes). They name the app, not a domain, so they are read past like `api`:
 * taken one level at a time while one segment starts at least 60% of the routes (10 routes at least).
 */
export function appSegments(routes: Facts['routes']): ReadonlySet<string> {
  const cached = appSegmentsCache.get(routes);
  if (cached) return cached;
  const shared = new Set<string>();
  if (routes.length >= APP_SEGMENT_MIN_ROUTES) {
    for (let level = 0; level < 3; level++) {
      const counts = new Map<string, number>();
      for (const r of routes) {
        const p = routePrefix(r.path, shared);
        if (p !== undefined) counts.set(p, (counts.get(p) ?? 0) + 1);
      }
      if (counts.size === 0) break;
      const top = argmax(counts);
      if (counts.get(top)! < APP_SEGMENT_SHARE * routes.length) break;
      shared.add(top);
    }
  }
  appSegmentsCache.set(routes, shared);
  return shared;
}

/** The file that serves a route: the handler's declaration when resolved, else where it is registered. */
export function routeOwnerFile(route: Facts['routes'][number]): string {
  return route.handler.file ?? route.file;
}

export function buildFileGraph(facts: Facts, weights: Partial<GraphWeights> = {}): FileGraph {
  const w: GraphWeights = { ...DEFAULT_WEIGHTS, ...weights };
  const files = [...new Set(facts.files.map((f) => f.path))].sort();
  const known = new Set(files);
  const pairs = new Map<string, number>();
  const add = (a: string, b: string, weight: number): void => {
    if (a === b || weight <= 0 || !known.has(a) || !known.has(b)) return;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    pairs.set(key, (pairs.get(key) ?? 0) + weight);
  };

  const damping = aggregatorDamping(facts.imports);
  for (const edge of facts.imports) add(edge.from, edge.to, (edge.typeOnly ? w.typeImport : w.import) * (damping.get(edge.from) ?? 1));
  for (const edge of facts.calls.fileEdges) add(edge.from, edge.to, w.call * Math.log2(1 + edge.count));
  addTableAffinity(facts, w, add);
  const routePrefixes = dominantRoutePrefixes(facts, known);
  addRouteAffinity(routePrefixes, w, add);
  addFolderAffinity(files, w, add);
  addNameAffinity(files, w, add);

  const graph = new UndirectedGraph();
  for (const f of files) graph.addNode(f);
  const clusteringEdges: WeightedEdge[] = [...pairs]
    .map(([key, weight]) => {
      const [from, to] = key.split('\u0000');
      return { from, to, weight };
    })
    .sort((x, y) => compare(x.from, y.from) || compare(x.to, y.to));
  for (const e of clusteringEdges) graph.addEdge(e.from, e.to, { weight: e.weight });

  return { files, graph, clusteringEdges, dependencies: dependencyGraph(facts, files, known), routePrefixes };
}

const HUB_TABLE_FILES = 200;

/**
 * Files touching the same tables belong together, writers more than readers. The affinity of two files is the
 * weighted Jaccard similarity of their table accesses, Σ min(sₐ(t), s_b(t)) / Σ max(sₐ(t), s_b(t)) with s = tableWrite
 * or tableRead, times `table`: two files that write exactly the same tables score `table`, a reporting module that
 * reads every table stays weakly tied to each writer but close to other read-everything modules.
 */
function addTableAffinity(facts: Facts, w: GraphWeights, add: (a: string, b: string, weight: number) => void): void {
  const byFile = new Map<string, Map<string, number>>(); // file → table → strength
  for (const access of facts.tables) {
    const s = access.access === 'write' ? w.tableWrite : w.tableRead;
    const perFile = byFile.get(access.file) ?? new Map<string, number>();
    perFile.set(access.table, Math.max(perFile.get(access.table) ?? 0, s));
    byFile.set(access.file, perFile);
  }
  const filesByTable = new Map<string, string[]>();
  for (const [file, tables] of byFile) for (const t of tables.keys()) filesByTable.set(t, [...(filesByTable.get(t) ?? []), file]);
  const pairs = new Set<string>();
  for (const files of filesByTable.values()) {
    // a table every part of the app touches (users, audit_log) says nothing about who belongs with whom, and
    // pairing its files would make the graph quadratic
    if (files.length > HUB_TABLE_FILES) continue;
    const sorted = [...files].sort(compare);
    for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) pairs.add(`${sorted[i]}\u0000${sorted[j]}`);
  }
  for (const key of [...pairs].sort(compare)) {
    const [a, b] = key.split('\u0000');
    const ta = byFile.get(a)!;
    const tb = byFile.get(b)!;
    let min = 0;
    let max = 0;
    for (const t of new Set([...ta.keys(), ...tb.keys()])) {
      min += Math.min(ta.get(t) ?? 0, tb.get(t) ?? 0);
      max += Math.max(ta.get(t) ?? 0, tb.get(t) ?? 0);
    }
    if (max > 0) add(a, b, (w.table * min) / max);
  }
}

function dominantRoutePrefixes(facts: Facts, known: Set<string>): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  const bump = (file: string, prefix: string): void => {
    if (!known.has(file)) return;
    const perFile = counts.get(file) ?? new Map<string, number>();
    perFile.set(prefix, (perFile.get(prefix) ?? 0) + 1);
    counts.set(file, perFile);
  };
  const shared = appSegments(facts.routes);
  for (const route of facts.routes) {
    const prefix = routePrefix(route.path, shared);
    if (prefix === undefined) continue;
    bump(routeOwnerFile(route), prefix);
    if (route.file !== routeOwnerFile(route)) bump(route.file, prefix);
  }
  const out = new Map<string, string>();
  for (const [file, perFile] of [...counts].sort((a, b) => compare(a[0], b[0]))) {
    out.set(file, argmax(perFile));
  }
  return out;
}

function addRouteAffinity(
  prefixes: Map<string, string>,
  w: GraphWeights,
  add: (a: string, b: string, weight: number) => void,
): void {
  const byPrefix = new Map<string, string[]>();
  for (const [file, prefix] of prefixes) byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), file]);
  for (const group of byPrefix.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) add(group[i], group[j], w.route / (group.length - 1));
    }
  }
}

/**
 * Developers put together what belongs together — when the folder is named after a domain. Files in the same
 * folder get folder/(k−1) per pair (a file gains at most `folder` in all); folders named after a layer
 * (controllers/, models/, routes/) or the root get nothing, or a layered codebase would be cut by layer.
 */
function addFolderAffinity(files: readonly string[], w: GraphWeights, add: (a: string, b: string, weight: number) => void): void {
  const byFolder = new Map<string, string[]>();
  for (const f of files) {
    const at = f.lastIndexOf('/');
    if (at < 0) continue;
    const folder = f.slice(0, at);
    const name = folder.slice(folder.lastIndexOf('/') + 1).toLowerCase();
    if (GENERIC_FOLDER_NAMES.has(name)) continue;
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), f]);
  }
  for (const group of byFolder.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) add(group[i], group[j], w.folder / (group.length - 1));
    }
  }
}

/** A file importing up to this many others is no aggregator: its imports count in full. */
const FANOUT_FREE = 8;

/**
 * An index that requires every serializer, or an app file that mounts every router, imports many files and says
 * nothing about which of them belong together; at full weight it glues them into one service (Ghost's
 * `serializers/output/index.js`, 41 requires; its `endpoints/index.js`, 82). A file importing k > FANOUT_FREE files gives each FANOUT_FREE/k.
 */
function aggregatorDamping(imports: Facts['imports']): Map<string, number> {
  const targets = new Map<string, Set<string>>();
  for (const edge of imports) {
    if (edge.from === edge.to) continue;
    const set = targets.get(edge.from) ?? new Set<string>();
    set.add(edge.to);
    targets.set(edge.from, set);
  }
  const out = new Map<string, number>();
  for (const [file, set] of targets) if (set.size > FANOUT_FREE) out.set(file, FANOUT_FREE / set.size);
  return out;
}

/** Two files named alike may be a coincidence (`routes/account.js`, `lib/accounts.js`); three say a layered domain. */
const NAME_GROUP_MIN = 3;
/** Past this many files one name is no domain's (`url.js` in every serializer folder). */
const NAME_GROUP_MAX = 12;

/**
 * Layered code says its domain in its file names: Ghost's `api/endpoints/posts.js`, `serializers/output/posts.js`,
 * `mappers/posts.js` and `models/post.js` are the posts domain, though a framework calls the serializers by name and no
 * import or call ties them. Files in layer folders (`controllers/`, `models/`, `output/`: a folder naming no domain)
 * whose own names say the same domain word — layer words dropped, singular (`PostsController.ts`, `post.model.ts`) —
 * get name/(k−1) per pair in a group of k, when the group spans two folders at least and holds at most NAME_GROUP_MAX.
 */
function addNameAffinity(files: readonly string[], w: GraphWeights, add: (a: string, b: string, weight: number) => void): void {
  if (w.name <= 0) return;
  const byName = new Map<string, string[]>();
  for (const f of files) {
    const parts = f.split('/');
    const base = parts.pop()!;
    const folder = parts.at(-1);
    if (folder === undefined || !GENERIC_FOLDER_NAMES.has(folder.toLowerCase())) continue;
    const words = domainWords(base.split('.')[0]);
    if (words === undefined) continue;
    const name = singular(words);
    byName.set(name, [...(byName.get(name) ?? []), f]);
  }
  for (const group of byName.values()) {
    if (group.length < NAME_GROUP_MIN || group.length > NAME_GROUP_MAX) continue;
    const folders = new Set(group.map((f) => f.slice(0, f.lastIndexOf('/'))));
    if (folders.size < 2) continue;
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) add(group[i], group[j], w.name / (group.length - 1));
    }
  }
}

function dependencyGraph(facts: Facts, files: string[], known: Set<string>): DependencyGraph {
  const weights = new Map<string, number>();
  for (const edge of facts.calls.fileEdges) {
    if (edge.from === edge.to || !known.has(edge.from) || !known.has(edge.to)) continue;
    const key = `${edge.from}\u0000${edge.to}`;
    weights.set(key, (weights.get(key) ?? 0) + edge.count);
  }
  // An import with no resolved call (a constant, a class used with `new`, a re-export) is still a dependency.
  for (const edge of facts.imports) {
    if (edge.typeOnly || edge.from === edge.to || !known.has(edge.from) || !known.has(edge.to)) continue;
    const key = `${edge.from}\u0000${edge.to}`;
    if (!weights.has(key)) weights.set(key, 1);
  }
  const edges = [...weights]
    .map(([key, weight]) => {
      const [from, to] = key.split('\u0000');
      return { from, to, weight };
    })
    .sort((x, y) => compare(x.from, y.from) || compare(x.to, y.to));
  return { nodes: files, edges };
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The key with the highest count; ties go to the alphabetically first key, so results never depend on order. */
export function argmax(counts: ReadonlyMap<string, number>): string {
  let best = '';
  let bestCount = -Infinity;
  for (const [key, count] of counts) {
    if (count > bestCount || (count === bestCount && key < best)) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

// Cuts the file graph into candidate services: seeded Louvain, then the post-processing a human would do —
// shared infrastructure set aside as a shared kernel, pins honoured, tiny clusters merged, services named.
import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';
import type { Facts } from './extract/types.ts';
import { compare, routeOwnerFile, type FileGraph } from './graph.ts';
import { detectKernel, type KernelFile } from './kernel.ts';
import { nameGroups } from './naming.ts';
import { mulberry32 } from '../common/random.ts';

export interface DecomposeOptions {
  /** seed of Louvain's random walk; the same facts and seed give the same cut (default 42) */
  seed?: number;
  /** Louvain resolution γ: higher gives more, smaller services (default 2.5) */
  resolution?: number;
  /** wanted number of services (shared kernel not counted): the resolution is searched to get it */
  services?: number;
  /** clusters with fewer files are merged into their best-connected neighbour (default 2) */
  minServiceFiles?: number;
  /** a file without routes used by (or wiring) at least this many services is shared kernel; 0 disables (default 3) */
  kernelMinServices?: number;
  /** file → service, fixed before clustering */
  pins?: ReadonlyMap<string, string>;
}

// The package is CommonJS typed as an ES default export; under NodeNext the default import is module.exports itself.
const louvain = louvainModule as unknown as typeof louvainModule.default;

interface DecomposeDefaults {
  seed: number;
  resolution: number;
  minServiceFiles: number;
  kernelMinServices: number;
}

export const DEFAULT_DECOMPOSE: Readonly<DecomposeDefaults> = Object.freeze({ seed: 42, resolution: 2.5, minServiceFiles: 2, kernelMinServices: 3 });

export const KERNEL = 'shared-kernel';

export interface Decomposition {
  /** file → service name for every file outside the shared kernel, in file order */
  assignment: Map<string, string>;
  kernel: KernelFile[];
  /** the resolution used (after the search when `services` was asked) */
  resolution: number;
  warnings: string[];
}

type Clusters = Map<string, string>; // file → cluster key

export type { KernelFile } from './kernel.ts';

export function decompose(facts: Facts, fileGraph: FileGraph, options: DecomposeOptions = {}): Decomposition {
  const o = { ...DEFAULT_DECOMPOSE, ...options };
  const pins = options.pins ?? new Map<string, string>();
  const warnings: string[] = [];
  const serving = routeServingFiles(facts);

  // A service exposes routes or owns data; a cluster with neither (a logger and its entry script) is not one.
  const writers = new Set(facts.tables.filter((t) => t.access === 'write').map((t) => t.file));
  const headless = (files: readonly string[]): boolean => !files.some((f) => serving.has(f) || writers.has(f) || pins.has(f));
  const run = (files: readonly string[], resolution: number): PostProcessed =>
    postProcess(fileGraph, cluster(fileGraph, files, pins, resolution, o.seed), o.minServiceFiles, headless);
  const leftovers = (p: PostProcessed): KernelFile[] =>
    p.isolated.filter((f) => !pins.has(f) && !serving.has(f)).map((file) => ({ file, reason: isolatedReason(facts, file) }));

  // Shared kernel first: a db singleton or utils module glues every cluster to every other; take it out and cut again.
  const kernel: KernelFile[] = [];
  let remaining = fileGraph.files;
  for (let pass = 0; pass < 3 && o.kernelMinServices > 0; pass++) {
    const clusters = run(remaining, o.resolution);
    const found = [...detectKernel(facts, fileGraph, clusters.clusters, pins, serving, o.kernelMinServices), ...leftovers(clusters)];
    if (found.length === 0) break;
    kernel.push(...found);
    const out = new Set(found.map((k) => k.file));
    remaining = remaining.filter((f) => !out.has(f));
  }

  let resolution = o.resolution;
  let result: PostProcessed;
  if (options.services !== undefined) {
    ({ resolution, result } = searchResolution(remaining, o, options.services, run));
  } else {
    result = run(remaining, resolution);
  }
  // what is still stranded after the last cut joins the kernel too
  for (const k of leftovers(result)) {
    kernel.push(k);
    result.clusters.delete(k.file);
  }
  if (options.services !== undefined && countClusters(result.clusters) !== options.services) {
    warnings.push(`asked for ${options.services} services, the closest cut found has ${countClusters(result.clusters)}`);
  }

  const groups = new Map<string, string[]>();
  for (const [file, key] of result.clusters) groups.set(key, [...(groups.get(key) ?? []), file]);
  const names = nameGroups(
    [...groups].map(([key, files]) => ({ key, files: files.sort(), fixed: pinnedName(files, pins) })),
    facts,
    [KERNEL],
  );
  const assignment = new Map<string, string>();
  for (const file of [...result.clusters.keys()].sort()) assignment.set(file, names.get(result.clusters.get(file)!)!);
  kernel.sort((a, b) => compare(a.file, b.file));
  return { assignment, kernel, resolution, warnings };
}

function pinnedName(files: string[], pins: ReadonlyMap<string, string>): string | undefined {
  for (const f of files) if (pins.has(f)) return pins.get(f);
  return undefined;
}

function routeServingFiles(facts: Facts): Set<string> {
  const out = new Set<string>();
  for (const route of facts.routes) out.add(routeOwnerFile(route));
  return out;
}

/** Louvain over `files`, with the files pinned to one service contracted into a single node. */
function cluster(fg: FileGraph, files: readonly string[], pins: ReadonlyMap<string, string>, resolution: number, seed: number): Clusters {
  const inSet = new Set(files);
  const nodeOf = (f: string): string => (pins.has(f) ? `\u0000pin:${pins.get(f)}` : f);
  const g = new UndirectedGraph();
  for (const f of files) g.mergeNode(nodeOf(f));
  for (const e of fg.clusteringEdges) {
    if (!inSet.has(e.from) || !inSet.has(e.to)) continue;
    const a = nodeOf(e.from);
    const b = nodeOf(e.to);
    if (a === b) continue;
    if (g.hasEdge(a, b)) g.updateEdgeAttribute(a, b, 'weight', (w: number | undefined) => (w ?? 0) + e.weight);
    else g.addEdge(a, b, { weight: e.weight });
  }
  let communities: Record<string, number>;
  if (g.size === 0) {
    communities = Object.fromEntries(g.nodes().map((n, i) => [n, i]));
  } else {
    communities = louvain.detailed(g, { getEdgeWeight: 'weight', resolution, rng: mulberry32(seed), randomWalk: true }).communities;
  }
  const out: Clusters = new Map();
  for (const f of files) out.set(f, `c${communities[nodeOf(f)]}`);
  return splitPinned(fg, out, pins);
}

/** Two pinned services that Louvain put together are split: each unpinned file follows the pin it is closest to. */
function splitPinned(fg: FileGraph, clusters: Clusters, pins: ReadonlyMap<string, string>): Clusters {
  const pinsPerCluster = new Map<string, Set<string>>();
  for (const [file, key] of clusters) {
    if (pins.has(file)) pinsPerCluster.set(key, (pinsPerCluster.get(key) ?? new Set()).add(pins.get(file)!));
  }
  const out: Clusters = new Map(clusters);
  for (const [file, key] of clusters) {
    if (pins.has(file)) out.set(file, `pin:${pins.get(file)}`);
  }
  for (const [key, services] of pinsPerCluster) {
    const ordered = [...services].sort();
    for (const [file, k] of clusters) {
      if (k !== key || pins.has(file)) continue;
      const toPin = new Map<string, number>(ordered.map((s) => [s, 0]));
      for (const neighbour of fg.graph.neighbors(file)) {
        const s = pins.get(neighbour);
        if (s !== undefined && toPin.has(s)) toPin.set(s, toPin.get(s)! + (fg.graph.getEdgeAttribute(file, neighbour, 'weight') as number));
      }
      let best = ordered[0];
      for (const s of ordered) if (toPin.get(s)! > toPin.get(best)!) best = s;
      out.set(file, `pin:${best}`);
    }
  }
  return out;
}

/** Why a file connected to no service is left out: it serves no route, and what it does with tables, if anything. */
function isolatedReason(facts: Facts, file: string): string {
  const byAccess = { write: new Set<string>(), read: new Set<string>() };
  for (const t of facts.tables) if (t.file === file) byAccess[t.access].add(t.table);
  const read = [...byAccess.read].filter((t) => !byAccess.write.has(t));
  const touches = [
    byAccess.write.size > 0 && `writes ${[...byAccess.write].sort().join(', ')}`,
    read.length > 0 && `reads ${read.sort().join(', ')}`,
  ].filter(Boolean);
  if (touches.length === 0) return 'no routes, no tables, connected to no service';
  return `no routes, connected to no service; ${touches.join('; ')}`;
}

interface PostProcessed {
  clusters: Clusters;
  /** files of clusters too small to stand alone and connected to nothing */
  isolated: string[];
}

/**
 * Merges clusters below `minFiles`, and clusters that are not a service (`headless`), into the neighbour they share
 * the most weight with, smallest first. Pinned clusters are never merged.
 */
function postProcess(fg: FileGraph, clusters: Clusters, minFiles: number, headless: (files: readonly string[]) => boolean): PostProcessed {
  const out: Clusters = new Map(clusters);
  const isolated: string[] = [];
  const stuck = new Set<string>();
  for (;;) {
    const groups = new Map<string, string[]>();
    for (const [file, key] of out) groups.set(key, [...(groups.get(key) ?? []), file]);
    const tiny = [...groups]
      .filter(([key, files]) => (files.length < minFiles || headless(files)) && !key.startsWith('pin:') && !stuck.has(key))
      .sort((a, b) => a[1].length - b[1].length || compare(a[1][0], b[1][0]));
    if (tiny.length === 0 || groups.size < 2) break;
    const [key, files] = tiny[0];
    const toCluster = new Map<string, number>();
    for (const file of files) {
      for (const neighbour of fg.graph.neighbors(file)) {
        const other = out.get(neighbour);
        if (other === undefined || other === key) continue;
        toCluster.set(other, (toCluster.get(other) ?? 0) + (fg.graph.getEdgeAttribute(file, neighbour, 'weight') as number));
      }
    }
    if (toCluster.size === 0) {
      stuck.add(key);
      isolated.push(...files);
      continue;
    }
    let best = '';
    let bestWeight = -1;
    for (const [other, weight] of [...toCluster].sort((a, b) => compare(a[0], b[0]))) {
      if (weight > bestWeight) {
        best = other;
        bestWeight = weight;
      }
    }
    for (const file of files) out.set(file, best);
  }
  return { clusters: out, isolated: isolated.sort() };
}

function countClusters(clusters: Clusters): number {
  return new Set(clusters.values()).size;
}

/** Bisection on log(resolution) for the cut whose service count is closest to `wanted`. */
function searchResolution(
  files: readonly string[],
  o: DecomposeDefaults,
  wanted: number,
  run: (files: readonly string[], resolution: number) => PostProcessed,
): { resolution: number; result: PostProcessed } {
  let lo = Math.log(0.01);
  let hi = Math.log(50);
  let best = { resolution: o.resolution, result: run(files, o.resolution) };
  let bestGap = Math.abs(countClusters(best.result.clusters) - wanted);
  for (let i = 0; i < 24 && bestGap > 0; i++) {
    const mid = (lo + hi) / 2;
    const resolution = Number(Math.exp(mid).toPrecision(6));
    const result = run(files, resolution);
    const count = countClusters(result.clusters);
    const gap = Math.abs(count - wanted);
    if (gap < bestGap) {
      best = { resolution, result };
      bestGap = gap;
    }
    if (count < wanted) lo = mid;
    else hi = mid;
  }
  return best;
}

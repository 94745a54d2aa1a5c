// How good a cut is, in the numbers the decomposition literature uses. Every function is pure and works on
// plain data: a directed, weighted dependency graph over files and a partition (file → service).
//
// Sources of the formulas:
//  - SM, ICP, IFN, NED: Kalia et al., "Mono2Micro: a practical and effective tool for decomposing monolithic
//    Java applications to microservices", ESEC/FSE 2021 (SM after Jin et al., ICWS 2019).
//  - MQ: Mancoridis, Mitchell et al., "Bunch" (ICSM 1999; TurboMQ variant, weighted).
//  - Modularity: Newman & Girvan, Phys. Rev. E 69 (2004); weighted form with resolution γ (Reichardt & Bornholdt).
//  - MoJoFM (agreement with a reference decomposition): see mojofm.ts.

export interface WeightedEdge {
  from: string;
  to: string;
  weight: number;
}

/** A file → file dependency graph. Self-loops are ignored by every metric. */
export interface DependencyGraph {
  nodes: string[];
  edges: WeightedEdge[];
}

/** file → service (or cluster) name */
export type Partition = ReadonlyMap<string, string>;

export interface MetricSet {
  /** structural modularity, higher is better (≤ 1) */
  sm: number;
  /** inter-partition call percentage (0–100), lower is better */
  icp: number;
  /** interface number: mean count of files per service called from other services, lower is better */
  ifn: number;
  /** non-extreme distribution: share of files in services whose size is outside [5, 20] (0–1), lower is better */
  ned: number;
  /** modularization quality (sum of cluster factors), higher is better, at most the number of services */
  mq: number;
  /** Newman modularity Q on the clustering graph, higher is better (≤ 1) */
  modularity: number;
  /** number of tables written by more than one service */
  sharedWriteTables: number;
  /** dependency cycles between services (each a sorted list of service names) */
  cycles: string[][];
  services: number;
}

function groups(partition: Partition): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [node, cluster] of partition) {
    const list = out.get(cluster);
    if (list) list.push(node);
    else out.set(cluster, [node]);
  }
  return out;
}

/** Edges whose both ends are in the partition and are distinct files. */
function partitionedEdges(graph: DependencyGraph, partition: Partition): WeightedEdge[] {
  return graph.edges.filter((e) => e.from !== e.to && partition.has(e.from) && partition.has(e.to));
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/**
 * SM = (1/K)·Σᵢ scohᵢ − (1/(K(K−1)/2))·Σ_{i<j} scopᵢⱼ, with scohᵢ = μᵢ/Nᵢ² (μᵢ: edges inside i) and
 * scopᵢⱼ = σᵢⱼ/(2·Nᵢ·Nⱼ) (σᵢⱼ: edges between i and j, either direction). Edges are counted, not weighted.
 */
export function structuralModularity(graph: DependencyGraph, partition: Partition): number {
  const sizes = new Map([...groups(partition)].map(([c, files]) => [c, files.length]));
  const k = sizes.size;
  if (k === 0) return 0;
  const intra = new Map<string, number>();
  const inter = new Map<string, number>();
  const seen = new Set<string>();
  for (const e of partitionedEdges(graph, partition)) {
    // SM counts dependencies, not their strength: a repeated from→to pair is one edge (a→b and b→a are two)
    const key = `${e.from}\u0000${e.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const a = partition.get(e.from)!;
    const b = partition.get(e.to)!;
    if (a === b) intra.set(a, (intra.get(a) ?? 0) + 1);
    else inter.set(pairKey(a, b), (inter.get(pairKey(a, b)) ?? 0) + 1);
  }
  let cohesion = 0;
  for (const [c, n] of sizes) cohesion += (intra.get(c) ?? 0) / (n * n);
  let coupling = 0;
  for (const [key, sigma] of inter) {
    const [a, b] = key.split('\u0000');
    coupling += sigma / (2 * sizes.get(a)! * sizes.get(b)!);
  }
  const pairs = (k * (k - 1)) / 2;
  return cohesion / k - (pairs > 0 ? coupling / pairs : 0);
}

/** ICP = 100 · (call weight crossing services) / (total call weight). */
export function interPartitionCallPercentage(graph: DependencyGraph, partition: Partition): number {
  let total = 0;
  let crossing = 0;
  for (const e of partitionedEdges(graph, partition)) {
    total += e.weight;
    if (partition.get(e.from) !== partition.get(e.to)) crossing += e.weight;
  }
  return total === 0 ? 0 : (100 * crossing) / total;
}

/** IFN = (1/K)·Σᵢ ifnᵢ, ifnᵢ = number of files in service i that are called from another service. */
export function interfaceNumber(graph: DependencyGraph, partition: Partition): number {
  const k = groups(partition).size;
  if (k === 0) return 0;
  const interfaces = new Set<string>();
  for (const e of partitionedEdges(graph, partition)) {
    if (partition.get(e.from) !== partition.get(e.to)) interfaces.add(e.to);
  }
  return interfaces.size / k;
}

/** NED = 1 − (Σ over services with min ≤ size ≤ max of size) / N. Mono2Micro uses [5, 20]. */
export function nonExtremeDistribution(partition: Partition, min = 5, max = 20): number {
  const n = partition.size;
  if (n === 0) return 0;
  let nonExtreme = 0;
  for (const files of groups(partition).values()) {
    if (files.length >= min && files.length <= max) nonExtreme += files.length;
  }
  return 1 - nonExtreme / n;
}

/**
 * MQ = Σᵢ CFᵢ with CFᵢ = 2μᵢ / (2μᵢ + Σ_{j≠i}(εᵢⱼ + εⱼᵢ)) (0 when μᵢ = 0); μᵢ is the weight inside i and εᵢⱼ the
 * weight from i to j.
 */
export function modularizationQuality(graph: DependencyGraph, partition: Partition): number {
  const intra = new Map<string, number>();
  const boundary = new Map<string, number>();
  for (const e of partitionedEdges(graph, partition)) {
    const a = partition.get(e.from)!;
    const b = partition.get(e.to)!;
    if (a === b) intra.set(a, (intra.get(a) ?? 0) + e.weight);
    else {
      boundary.set(a, (boundary.get(a) ?? 0) + e.weight);
      boundary.set(b, (boundary.get(b) ?? 0) + e.weight);
    }
  }
  let mq = 0;
  for (const c of groups(partition).keys()) {
    const mu = intra.get(c) ?? 0;
    if (mu > 0) mq += (2 * mu) / (2 * mu + (boundary.get(c) ?? 0));
  }
  return mq;
}

/**
 * Newman modularity on an undirected weighted graph: Q = Σ_c [ L_c/m − γ·(D_c/2m)² ], where m is the total edge
 * weight, L_c the weight inside c and D_c the sum of weighted degrees of c's nodes. Each undirected edge is given once.
 */
export function newmanModularity(edges: WeightedEdge[], partition: Partition, resolution = 1): number {
  let m = 0;
  const inside = new Map<string, number>();
  const degree = new Map<string, number>();
  for (const e of edges) {
    if (e.from === e.to || !partition.has(e.from) || !partition.has(e.to)) continue;
    const a = partition.get(e.from)!;
    const b = partition.get(e.to)!;
    m += e.weight;
    degree.set(a, (degree.get(a) ?? 0) + e.weight);
    degree.set(b, (degree.get(b) ?? 0) + e.weight);
    if (a === b) inside.set(a, (inside.get(a) ?? 0) + e.weight);
  }
  if (m === 0) return 0;
  let q = 0;
  for (const [c, d] of degree) q += (inside.get(c) ?? 0) / m - resolution * (d / (2 * m)) ** 2;
  return q;
}

/** Strongly connected components of size > 1 in the service graph (Tarjan), each sorted, listed sorted. */
export function crossServiceCycles(graph: DependencyGraph, partition: Partition): string[][] {
  const adjacency = new Map<string, Set<string>>();
  for (const c of groups(partition).keys()) adjacency.set(c, new Set());
  for (const e of partitionedEdges(graph, partition)) {
    const a = partition.get(e.from)!;
    const b = partition.get(e.to)!;
    if (a !== b) adjacency.get(a)!.add(b);
  }
  return stronglyConnected(adjacency).filter((c) => c.length > 1);
}

export function stronglyConnected(adjacency: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of [...(adjacency.get(v) ?? [])].sort()) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      out.push(component.sort());
    }
  };
  for (const v of [...adjacency.keys()].sort()) if (!indices.has(v)) visit(v);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Tables written by files of more than one service. */
export function sharedWriteTables(
  writes: ReadonlyArray<{ file: string; table: string }>,
  partition: Partition,
): string[] {
  const writers = new Map<string, Set<string>>();
  for (const w of writes) {
    const service = partition.get(w.file);
    if (service === undefined) continue;
    const set = writers.get(w.table) ?? new Set<string>();
    set.add(service);
    writers.set(w.table, set);
  }
  return [...writers].filter(([, s]) => s.size > 1).map(([t]) => t).sort();
}

export { mojoFM, type MoJoResult } from './mojofm.ts';

export interface MeasureInput {
  /** directed file dependencies (calls and imports), see graph.ts */
  dependencies: DependencyGraph;
  /** the undirected clustering graph's edges, for Newman modularity */
  clustering: WeightedEdge[];
  /** service files only: shared-kernel files are libraries every service embeds, so they are left out */
  partition: Partition;
  writes: ReadonlyArray<{ file: string; table: string }>;
}

export function measure(input: MeasureInput): MetricSet {
  const { dependencies, partition } = input;
  return {
    sm: round(structuralModularity(dependencies, partition)),
    icp: round(interPartitionCallPercentage(dependencies, partition)),
    ifn: round(interfaceNumber(dependencies, partition)),
    ned: round(nonExtremeDistribution(partition)),
    mq: round(modularizationQuality(dependencies, partition)),
    modularity: round(newmanModularity(input.clustering, partition)),
    sharedWriteTables: sharedWriteTables(input.writes, partition).length,
    cycles: crossServiceCycles(dependencies, partition),
    services: groups(partition).size,
  };
}

/** Four decimals: enough to compare cuts, and keeps plan.json stable across floating-point summation order. */
export function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

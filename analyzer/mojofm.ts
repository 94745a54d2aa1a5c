// MoJoFM: how close a proposed decomposition is to a reference one (Wen & Tzerpos, "An effectiveness measure for
// software clustering algorithms", IWPC 2004), with the optimal MoJo algorithm of Wen & Tzerpos, IWPC 2003
// (tie-aware tagging + maximum bipartite matching).
import type { Partition } from './metrics.ts';

export interface MoJoResult {
  /** 0–100, 100 = identical to the reference */
  mojofm: number;
  /** mno(A, B): minimum number of Move and Join operations turning the proposal into the reference */
  distance: number;
  /** files scored (in both partitions) */
  compared: number;
  /** files only in the proposal / only in the reference (ignored, as MoJo does) */
  onlyInProposal: string[];
  onlyInReference: string[];
}

/**
 * MoJoFM(A, B) = (1 − mno(A,B) / max_A' mno(A',B)) · 100 on the files both partitions hold.
 * mno(A,B) = Σᵢ(|Aᵢ| − maxⱼ|Aᵢ∩Bⱼ|) + (l − g): moves plus joins, where every cluster Aᵢ is tagged with a reference
 * cluster it shares the most files with (all ties are candidates) and g, the number of distinct groups, is
 * maximised by a maximum bipartite matching between A-clusters and their candidate tags.
 * max mno(·, B) = n − g_B, with g_B found by walking B's cluster sizes in ascending order and counting a new
 * group whenever the size exceeds the groups counted so far.
 */
export function mojoFM(proposal: Partition, reference: Partition): MoJoResult {
  const files = [...proposal.keys()].filter((f) => reference.has(f)).sort();
  const onlyInProposal = [...proposal.keys()].filter((f) => !reference.has(f)).sort();
  const onlyInReference = [...reference.keys()].filter((f) => !proposal.has(f)).sort();
  const n = files.length;
  const aIndex = new Map<string, number>();
  const bIndex = new Map<string, number>();
  const overlap: number[][] = [];
  const bSizes: number[] = [];
  for (const f of files) {
    const a = proposal.get(f)!;
    const b = reference.get(f)!;
    if (!aIndex.has(a)) {
      aIndex.set(a, aIndex.size);
      overlap.push([]);
    }
    if (!bIndex.has(b)) {
      bIndex.set(b, bIndex.size);
      bSizes.push(0);
    }
    const row = overlap[aIndex.get(a)!];
    const j = bIndex.get(b)!;
    row[j] = (row[j] ?? 0) + 1;
    bSizes[j]++;
  }
  let moves = 0;
  const candidates: number[][] = [];
  for (const row of overlap) {
    let best = 0;
    let size = 0;
    for (const v of row) if (v !== undefined) {
      size += v;
      best = Math.max(best, v);
    }
    moves += size - best;
    const tags: number[] = [];
    row.forEach((v, j) => {
      if (v === best) tags.push(j);
    });
    candidates.push(tags);
  }
  const g = maximumMatching(candidates, bSizes.length);
  const distance = moves + (overlap.length - g);
  let gB = 0;
  for (const size of [...bSizes].sort((x, y) => x - y)) if (gB < size) gB++;
  const max = n - gB;
  const mojofm = max === 0 ? (distance === 0 ? 100 : 0) : (1 - distance / max) * 100;
  return { mojofm, distance, compared: n, onlyInProposal, onlyInReference };
}

/** Size of a maximum bipartite matching (Kuhn's augmenting paths); left i may take any right in edges[i]. */
function maximumMatching(edges: number[][], rightCount: number): number {
  const matchOfRight = new Array<number>(rightCount).fill(-1);
  const augment = (left: number, seen: boolean[]): boolean => {
    for (const right of edges[left]) {
      if (seen[right]) continue;
      seen[right] = true;
      if (matchOfRight[right] === -1 || augment(matchOfRight[right], seen)) {
        matchOfRight[right] = left;
        return true;
      }
    }
    return false;
  };
  let size = 0;
  for (let i = 0; i < edges.length; i++) if (augment(i, new Array<boolean>(rightCount).fill(false))) size++;
  return size;
}

// How two arrays are aligned before their elements are compared:
//  - unordered rule: as a multiset, or matched by the rule's key field;
//  - elements that all carry a unique `id`: matched by id, a reorder is ONE `order` entry;
//  - otherwise by position, where a pure permutation is ONE `order` entry, a pure insertion or
//    deletion is `extra` / `missing` per element, and anything else is a `length` entry plus the
//    element-wise diff of the overlapping middle.
import type { Walker } from './walker.ts';
import type { States } from './rules.ts';
import { hashValue } from './value-hash.ts';
import { isIncreasing, longestIncreasing } from './lis.ts';

const MAX_LISTED_MOVES = 20;

export function diffArray(w: Walker, a: unknown[], b: unknown[], st: States, unord: string | undefined): boolean {
  if (unord !== undefined) {
    if (unord !== '') {
      const r = keyed(w, a, b, st, unord, false);
      if (r !== undefined) return r;
    }
    return multiset(w, a, b, st);
  }
  // An ignored position (e.g. $.items[0]) means positions matter here, so ids are not used to align.
  if (allHaveId(a) && allHaveId(b) && !anyIgnored(w, st, Math.max(a.length, b.length))) {
    const r = keyed(w, a, b, st, 'id', true);
    if (r !== undefined) return r;
  }
  return positional(w, a, b, st);
}

function keyOf(el: unknown, key: string): unknown {
  if (typeof el !== 'object' || el === null || Array.isArray(el)) return undefined;
  const k = (el as Record<string, unknown>)[key];
  return typeof k === 'string' || typeof k === 'number' ? k : undefined;
}

function allHaveId(arr: unknown[]): boolean {
  if (arr.length === 0) return false;
  for (let i = 0; i < arr.length; i++) if (keyOf(arr[i], 'id') === undefined) return false;
  return true;
}

/** Walks a[i] against b[j] with the paths set on both sides. */
function pair(w: Walker, a: unknown[], b: unknown[], i: number, j: number, st: States): boolean {
  const cs = w.childStates(st, i);
  if (w.sr.ignored) return true;
  const un = w.sr.unordered;
  w.pa.push(i);
  w.pb.push(j);
  const eq = w.walk(a[i], b[j], cs, un);
  w.pa.pop();
  w.pb.pop();
  return eq;
}

function equalAt(w: Walker, a: unknown[], b: unknown[], i: number, j: number, st: States): boolean {
  const cs = w.childStates(st, i);
  return w.sr.ignored || w.equal(a[i], b[j], cs, w.sr.unordered);
}

function anyIgnored(w: Walker, st: States, n: number): boolean {
  if (st.length === 0) return false;
  for (let i = 0; i < n; i++) if (ignoredAt(w, st, i)) return true;
  return false;
}

function ignoredAt(w: Walker, st: States, i: number): boolean {
  w.childStates(st, i);
  return w.sr.ignored;
}

/** Matches elements by a key field. Returns undefined when keys are missing or not unique (caller falls back). */
function keyed(w: Walker, a: unknown[], b: unknown[], st: States, key: string, ordered: boolean): boolean | undefined {
  if (a.length === b.length) {
    let aligned = true;
    for (let i = 0; i < a.length; i++) {
      const k = keyOf(a[i], key);
      if (k === undefined || k !== keyOf(b[i], key)) {
        aligned = false;
        break;
      }
    }
    if (aligned) {
      let eq = true;
      for (let i = 0; i < a.length; i++) {
        if (!pair(w, a, b, i, i, st)) {
          if (!w.emit) return false;
          eq = false;
        }
      }
      return eq;
    }
  }
  const ib = new Map<unknown, number>();
  for (let j = 0; j < b.length; j++) {
    const k = keyOf(b[j], key);
    if (k === undefined || ib.has(k)) return undefined;
    ib.set(k, j);
  }
  const seenA = new Set<unknown>();
  for (let i = 0; i < a.length; i++) {
    const k = keyOf(a[i], key);
    if (k === undefined || seenA.has(k)) return undefined;
    seenA.add(k);
  }
  // Ids that never overlap are likely generated per request: positions then say more than ids
  // (one `$.lines[*].id changed` the noise can learn, instead of every element missing and extra).
  if (ordered && a.length > 0 && b.length > 0 && !a.some((el) => ib.has(keyOf(el, key)))) return undefined;
  // with index ignores, kept elements can match even when lengths differ
  if (!w.emit && a.length !== b.length && st.length === 0) return false;
  let eq = true;
  const usedB = new Uint8Array(b.length);
  const seqA: number[] = [];
  const seqB: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const j = ib.get(keyOf(a[i], key));
    if (j === undefined) {
      if (ignoredAt(w, st, i)) continue;
      if (!w.emit) return false;
      eq = false;
      w.reportAt('missing', 'a', i, a[i], undefined);
      continue;
    }
    usedB[j] = 1;
    if (ignoredAt(w, st, i)) continue;
    seqA.push(i);
    seqB.push(j);
    if (!pair(w, a, b, i, j, st)) {
      if (!w.emit) return false;
      eq = false;
    }
  }
  for (let j = 0; j < b.length; j++) {
    if (usedB[j] || ignoredAt(w, st, j)) continue;
    if (!w.emit) return false;
    eq = false;
    w.reportAt('extra', 'b', j, undefined, b[j]);
  }
  if (ordered && !isIncreasing(seqB)) {
    if (!w.emit) return false;
    reportMoves(w, seqA, seqB, (i) => keyOf(a[i], key));
    eq = false;
  }
  return eq;
}

/** One `order` entry for the array: which elements moved, from where to where. */
function reportMoves(w: Walker, seqA: number[], seqB: number[], idOf?: (i: number) => unknown): void {
  const keep = longestIncreasing(seqB);
  const from: unknown[] = [];
  const to: unknown[] = [];
  for (let n = 0; n < seqA.length && from.length < MAX_LISTED_MOVES; n++) {
    if (keep[n]) continue;
    const id = idOf?.(seqA[n]);
    from.push(id === undefined ? { index: seqA[n] } : { id, index: seqA[n] });
    to.push(id === undefined ? { index: seqB[n] } : { id, index: seqB[n] });
  }
  w.mismatch('order', from, to);
}

/**
 * Matches the elements of a[idxA] to those of b[idxB] as multisets. Returns for each matched position
 * of idxA the index in b, or -1; `misses` counts the unmatched ones.
 */
function matchBags(w: Walker, a: unknown[], b: unknown[], idxA: number[], idxB: number[], st: States) {
  const tolerant = w.rules.tolerance > 0;
  const buckets = new Map<number, number[]>();
  for (const j of idxB) {
    const cs = w.childStates(st, j);
    const h = hashValue(w, b[j], cs, w.sr.unordered, tolerant);
    const list = buckets.get(h);
    if (list) list.push(j);
    else buckets.set(h, [j]);
  }
  const used = new Set<number>();
  const match = new Array<number>(idxA.length).fill(-1);
  let misses = 0;
  for (let n = 0; n < idxA.length; n++) {
    const i = idxA[n];
    const cs = w.childStates(st, i);
    const un = w.sr.unordered;
    const list = buckets.get(hashValue(w, a[i], cs, un, tolerant));
    let found = -1;
    if (list) for (const j of list) if (!used.has(j) && w.equal(a[i], b[j], cs, un)) { found = j; break; }
    if (found < 0) misses++;
    else used.add(found);
    match[n] = found;
  }
  return { match, used, misses };
}

function multiset(w: Walker, a: unknown[], b: unknown[], st: States): boolean {
  if (a.length === b.length) {
    let same = true;
    for (let i = 0; i < a.length && same; i++) same = equalAt(w, a, b, i, i, st);
    if (same) return true;
  }
  // with index ignores, kept elements can match even when lengths differ
  if (!w.emit && a.length !== b.length && st.length === 0) return false;
  const idxA: number[] = [];
  const idxB: number[] = [];
  for (let i = 0; i < a.length; i++) if (!ignoredAt(w, st, i)) idxA.push(i);
  for (let j = 0; j < b.length; j++) if (!ignoredAt(w, st, j)) idxB.push(j);
  const { match, used, misses } = matchBags(w, a, b, idxA, idxB, st);
  if (misses === 0 && used.size === idxB.length) return true;
  if (!w.emit) return false;
  for (let n = 0; n < idxA.length; n++) if (match[n] < 0) w.reportAt('missing', 'a', idxA[n], a[idxA[n]], undefined);
  for (const j of idxB) if (!used.has(j)) w.reportAt('extra', 'b', j, undefined, b[j]);
  return false;
}

function positional(w: Walker, a: unknown[], b: unknown[], st: States): boolean {
  const la = a.length;
  const lb = b.length;
  if (la === lb) {
    const differ: number[] = [];
    for (let i = 0; i < la; i++) {
      if (equalAt(w, a, b, i, i, st)) continue;
      if (!w.emit) return false;
      differ.push(i);
    }
    if (differ.length === 0) return true;
    if (differ.length >= 2) {
      const { match, misses } = matchBags(w, a, b, differ, differ, st);
      if (misses === 0) {
        reportMoves(w, differ, match);
        return false;
      }
    }
    for (const i of differ) pair(w, a, b, i, i, st);
    return false;
  }
  if (!w.emit) return false;
  const min = Math.min(la, lb);
  let p = 0;
  while (p < min && equalAt(w, a, b, p, p, st)) p++;
  let s = 0;
  while (s < min - p && equalAt(w, a, b, la - 1 - s, lb - 1 - s, st)) s++;
  const midA = la - p - s;
  const midB = lb - p - s;
  if (midA === 0 || midB === 0) {
    const side = midA === 0 ? 'b' : 'a';
    const from = p;
    const to = side === 'b' ? lb - s : la - s;
    let anyIgnored = false;
    for (let k = from; k < to && !anyIgnored; k++) anyIgnored = ignoredAt(w, st, k);
    if (anyIgnored) return w.mismatch('length', la, lb);
    for (let k = from; k < to; k++) {
      if (side === 'b') w.reportAt('extra', 'b', k, undefined, b[k]);
      else w.reportAt('missing', 'a', k, a[k], undefined);
    }
    return false;
  }
  w.mismatch('length', la, lb);
  const overlap = Math.min(midA, midB);
  for (let k = p; k < p + overlap; k++) pair(w, a, b, k, k, st);
  return false;
}

// The structural diff of two parsed JSON values. One recursive walk serves two purposes: with `emit`
// on it collects DiffEntries, with `emit` off it is an early-exit equality test under the same rules
// (used to align array elements). Paths are kept as key stacks and only formatted when reported.
import type { DiffEntry, DiffKind } from '../types.ts';
import { formatPath, type PathKey } from './json-path.ts';
import { step, type CompiledRules, type States, type StepResult } from './rules.ts';
import { diffArray } from './array-diff.ts';

const OBJECT_PROTO = Object.prototype as unknown as Record<string, unknown>;

/** Own-key test that costs nothing for ordinary keys: JSON values are never undefined. */
function has(o: Record<string, unknown>, k: string, v: unknown): boolean {
  if (v === undefined) return false;
  return (v !== OBJECT_PROTO[k] && k !== '__proto__') || Object.hasOwn(o, k);
}

/**
 * How two different values that are not both objects or both arrays differ: 'type' (other JSON types, or
 * null against a value), 'changed', or undefined for numbers within the relative tolerance. Shared with the
 * byte-level pass (lockstep.ts), so both judge a leaf alike.
 */
export function leafDifference(a: unknown, b: unknown, tolerance: number): 'type' | 'changed' | undefined {
  const ta = typeof a;
  if (ta !== typeof b || a === null || b === null) return 'type';
  if (ta === 'number' && tolerance > 0) {
    const x = a as number;
    const y = b as number;
    if (Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y))) return undefined;
  }
  return 'changed';
}

export class Walker {
  readonly entries: DiffEntry[] = [];
  emit = true;
  /** the current path with monolith-side indices */
  readonly pa: PathKey[] = [];
  /** the current path with candidate-side indices (differs from pa inside arrays matched by key) */
  readonly pb: PathKey[] = [];
  /** scratch result of the last step(); read it right after calling childStates() */
  readonly sr: StepResult = { ignored: false, unordered: undefined };
  readonly rules: CompiledRules;
  private readonly tol: number;

  constructor(rules: CompiledRules) {
    this.rules = rules;
    this.tol = rules.tolerance;
  }

  childStates(states: States, key: PathKey): States {
    return step(this.rules, states, key, this.sr);
  }

  /** Compares a (monolith) with b (candidate); returns true when equal under the rules. */
  walk(a: unknown, b: unknown, st: States, unord: string | undefined): boolean {
    if (a === b) return true;
    const ta = typeof a;
    if (ta === 'object' && a !== null && typeof b === 'object' && b !== null) {
      const aa = Array.isArray(a);
      if (aa !== Array.isArray(b)) return this.mismatch('type', a, b);
      if (aa) return diffArray(this, a as unknown[], b as unknown[], st, unord);
      return this.object(a as Record<string, unknown>, b as Record<string, unknown>, st);
    }
    const kind = leafDifference(a, b, this.tol);
    return kind === undefined || this.mismatch(kind, a, b);
  }

  /** The same walk with reporting off: a pure equality test under the rules. */
  equal(a: unknown, b: unknown, st: States, unord: string | undefined): boolean {
    if (a === b) return true;
    const emit = this.emit;
    this.emit = false;
    const eq = this.walk(a, b, st, unord);
    this.emit = emit;
    return eq;
  }

  private object(a: Record<string, unknown>, b: Record<string, unknown>, st: States): boolean {
    const { pa, pb, sr } = this;
    const rules = st.length === 0 ? undefined : this.rules;
    let eq = true;
    let shared = 0;
    // for-in and a value probe instead of Object.keys + hasOwn: this loop is most of the diff's time.
    for (const k in a) {
      let cs = st;
      let un: string | undefined;
      if (rules) {
        cs = step(rules, st, k, sr);
        if (sr.ignored) continue;
        un = sr.unordered;
      }
      const bv = b[k];
      if (!has(b, k, bv)) {
        if (!this.emit) return false;
        eq = false;
        this.reportAt('missing', 'a', k, a[k], undefined);
        continue;
      }
      shared++;
      pa.push(k);
      pb.push(k);
      const same = this.walk(a[k], bv, cs, un);
      pa.pop();
      pb.pop();
      if (!same) {
        if (!this.emit) return false;
        eq = false;
      }
    }
    // Extra keys exist only if b has more keys than it shares with a (ignored ones aside): count first.
    let nb = 0;
    for (const _ in b) nb++;
    if (nb === shared) return eq;
    for (const k in b) {
      if (has(a, k, a[k])) continue;
      if (rules) {
        step(rules, st, k, sr);
        if (sr.ignored) continue;
      }
      if (!this.emit) return false;
      eq = false;
      this.reportAt('extra', 'b', k, undefined, b[k]);
    }
    return eq;
  }

  /** Reports a difference at the current path; returns false so callers can `return w.mismatch(...)`. */
  mismatch(kind: DiffKind, a: unknown, b: unknown): false {
    if (this.emit) this.entries.push({ path: formatPath(this.pa), kind, monolith: a, candidate: b });
    return false;
  }

  /**
   * Reports a difference at a child of the current node. Side 'a' paths use monolith indices and
   * side 'b' candidate indices, so every reported path exists in the side it is read from.
   */
  reportAt(kind: DiffKind, side: 'a' | 'b', key: PathKey, a: unknown, b: unknown): void {
    if (!this.emit) return;
    const keys = side === 'a' ? this.pa : this.pb;
    keys.push(key);
    const entry: DiffEntry = { path: formatPath(keys), kind };
    if (a !== undefined) entry.monolith = a;
    if (b !== undefined) entry.candidate = b;
    this.entries.push(entry);
    keys.pop();
  }
}

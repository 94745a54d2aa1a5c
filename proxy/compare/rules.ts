// A route's compare rules compiled once into a small path automaton. The diff walks a body and carries a
// set of automaton states down the tree; with no path rules the set is empty and costs nothing.
import type { CompareRules } from '../types.ts';
import { UserError } from '../../common/user-error.ts';
import { parsePattern, type PathKey, type Segment } from './json-path.ts';

const COMPILED: unique symbol = Symbol('strangler.compiledRules');

interface Pattern {
  segs: Segment[];
  ignore: boolean;
  /** for unordered patterns: the field elements are keyed by, '' for a plain multiset */
  key: string;
}

/** States are encoded as pattern index * 256 + segment index. */
export type States = readonly number[];
export const NO_STATES: States = Object.freeze([]) as States;

export interface CompiledRules {
  readonly [COMPILED]: true;
  readonly source: CompareRules;
  readonly patterns: readonly Pattern[];
  readonly rootStates: States;
  /** unordered rule on the root itself ("$"): '' for multiset, a field name when keyed, undefined otherwise */
  readonly rootUnordered: string | undefined;
  /** ignore "$": the body is not compared at all, only status and headers */
  readonly ignoreBody: boolean;
  readonly tolerance: number;
  /** lower-cased names of the headers compared */
  readonly headers: readonly string[];
}

/** What one step down the tree found about the child. Reused across steps to avoid allocation. */
export interface StepResult {
  ignored: boolean;
  /** undefined: ordered; '': multiset; otherwise the key field */
  unordered: string | undefined;
}

const cache = new WeakMap<CompareRules, CompiledRules>();

function compileNow(rules: CompareRules): CompiledRules {
  const patterns: Pattern[] = [];
  let rootUnordered: string | undefined;
  let ignoreBody = false;
  for (const p of rules.ignore ?? []) {
    const segs = parsePattern(p);
    if (segs.length === 0) ignoreBody = true;
    else patterns.push({ segs, ignore: true, key: '' });
  }
  for (const u of rules.unordered ?? []) {
    const path = typeof u === 'string' ? u : u.path;
    const key = typeof u === 'string' ? '' : u.key;
    if (typeof u !== 'string' && (typeof key !== 'string' || key === '')) {
      throw new UserError(`compare rule unordered "${path}" has an empty key; give the field elements are matched by`);
    }
    const segs = parsePattern(path);
    if (segs.length === 0) rootUnordered = key;
    else patterns.push({ segs, ignore: false, key });
  }
  if (patterns.some((p) => p.segs.length > 255) || patterns.length > 0x7fffff) {
    throw new UserError('compare rules are too long: at most 255 path segments per rule');
  }
  const tolerance = rules.tolerance ?? 0;
  if (typeof tolerance !== 'number' || !(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new UserError(`compare rule tolerance ${String(tolerance)} is not valid; use a relative tolerance >= 0 such as 0.005`);
  }
  const headers = (rules.headers ?? ['content-type']).map((h) => h.toLowerCase());
  return Object.freeze({
    [COMPILED]: true as const,
    source: rules,
    patterns,
    rootStates: patterns.map((_, i) => i * 256),
    rootUnordered,
    ignoreBody,
    tolerance,
    headers,
  });
}

export function isCompiled(rules: CompareRules | CompiledRules): rules is CompiledRules {
  return (rules as CompiledRules)[COMPILED] === true;
}

/** Compiles rules once; the same rules object always yields the same compiled form. */
export function compileRules(rules: CompareRules | CompiledRules = {}): CompiledRules {
  if (isCompiled(rules)) return rules;
  let c = cache.get(rules);
  if (!c) {
    c = compileNow(rules);
    cache.set(rules, c);
  }
  return c;
}

/**
 * Moves every state one key down. Writes whether the child is ignored / unordered into `out` and
 * returns the child's states (the same array when nothing changed, so `$..x` rules do not allocate).
 */
export function step(rules: CompiledRules, states: States, key: PathKey, out: StepResult): States {
  out.ignored = false;
  out.unordered = undefined;
  if (states.length === 0) return NO_STATES;
  const pats = rules.patterns;
  let next: number[] | undefined;
  let unchanged = true;
  for (let n = 0; n < states.length; n++) {
    const st = states[n];
    const p = st >> 8;
    const s = st & 255;
    const pat = pats[p];
    const seg = pat.segs[s];
    let advance = false;
    let keep = false;
    switch (seg.t) {
      case 'key':
        advance = key === seg.k;
        break;
      case 'index':
        advance = key === seg.i;
        break;
      case 'any':
        advance = true;
        break;
      case 'desc':
        keep = true;
        advance = key === seg.k;
        break;
    }
    if (!keep) unchanged = false;
    if (advance) {
      if (s + 1 === pat.segs.length) {
        if (pat.ignore) out.ignored = true;
        else out.unordered = pat.key;
      } else {
        unchanged = false;
        (next ??= []).push(st + 1);
      }
    }
    if (keep) (next ??= []).push(st);
  }
  if (unchanged) return states;
  return next ? dedupe(next) : NO_STATES;
}

function dedupe(a: number[]): number[] {
  if (a.length < 2) return a;
  const out: number[] = [];
  for (const x of a) if (!out.includes(x)) out.push(x);
  return out;
}

// A route's compare rules compiled once into a small path automaton. The diff walks a body and carries a
// set of automaton states down the tree; with no path rules the set is empty and costs nothing. State
// sets are interned and their transitions cached per key, so a `$..field` rule costs one Map lookup
// per key instead of re-running the automaton (a lazily built DFA).
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

interface Transition {
  next: States;
  ignored: boolean;
  unordered: string | undefined;
}

/** An interned set of automaton states, each encoded as pattern index * 256 + segment index. */
export interface States {
  /** number of states; 0 means no rule can match below this node */
  readonly length: number;
  readonly list: readonly number[];
  readonly trans: Map<PathKey, Transition>;
}

export const NO_STATES: States = Object.freeze({ length: 0, list: [], trans: new Map() });

/** Transitions cached per state set; past this (e.g. indices of a huge array) they are recomputed. */
const MAX_CACHED_TRANSITIONS = 4096;

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
  /** interned state sets by their sorted list */
  readonly interned: Map<string, States>;
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
  const interned = new Map<string, States>();
  const rootList = patterns.map((_, i) => i * 256);
  const rootStates = rootList.length === 0 ? NO_STATES : internStates(interned, rootList);
  return Object.freeze({
    [COMPILED]: true as const,
    source: rules,
    patterns,
    rootStates,
    rootUnordered,
    ignoreBody,
    tolerance,
    headers,
    interned,
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

function internStates(interned: Map<string, States>, list: number[]): States {
  if (list.length === 0) return NO_STATES;
  list.sort((x, y) => x - y);
  const id = list.join(',');
  let st = interned.get(id);
  if (!st) {
    st = { length: list.length, list, trans: new Map() };
    interned.set(id, st);
  }
  return st;
}

/**
 * Moves every state one key down. Writes whether the child is ignored / unordered into `out` and
 * returns the child's (interned) states.
 */
export function step(rules: CompiledRules, states: States, key: PathKey, out: StepResult): States {
  if (states.length === 0) {
    out.ignored = false;
    out.unordered = undefined;
    return NO_STATES;
  }
  let t = states.trans.get(key);
  if (!t) {
    t = computeStep(rules, states, key);
    if (states.trans.size < MAX_CACHED_TRANSITIONS) states.trans.set(key, t);
  }
  out.ignored = t.ignored;
  out.unordered = t.unordered;
  return t.next;
}

function computeStep(rules: CompiledRules, states: States, key: PathKey): Transition {
  const pats = rules.patterns;
  const next: number[] = [];
  let ignored = false;
  let unordered: string | undefined;
  for (const st of states.list) {
    const p = st >> 8;
    const s = st & 255;
    const pat = pats[p];
    const seg = pat.segs[s];
    let advance = false;
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
        // a descendant segment can still match deeper, whatever this key is
        if (!next.includes(st)) next.push(st);
        advance = key === seg.k;
        break;
    }
    if (!advance) continue;
    if (s + 1 === pat.segs.length) {
      if (pat.ignore) ignored = true;
      else unordered = pat.key;
    } else if (!next.includes(st + 1)) {
      next.push(st + 1);
    }
  }
  return { next: internStates(rules.interned, next), ignored, unordered };
}

// Diffs two JSON bodies by reading their bytes side by side, without parsing them. A service extracted
// from the monolith usually answers with the same shape (same keys in the same order, same array
// lengths) and differs in a few values: then the bytes alone say where, and only those values are
// parsed. Whenever the shapes part, or the walker would align arrays in a way bytes cannot show, it
// gives up and the caller parses both bodies as before. What it returns is always exactly what
// diffValues returns on the parsed bodies (test/proxy/compare/lockstep.test.ts checks it on random
// bodies); it only decides when that answer is cheap to get.
import { isUtf8 } from 'node:buffer';
import type { DiffEntry, DiffKind } from '../types.ts';
import { formatPath, type PathKey } from './json-path.ts';
import { compileRules, NO_STATES, step, type CompiledRules, type States, type StepResult } from './rules.ts';
import { leafDifference } from './walker.ts';

/** Thrown (one preallocated object, no stack capture) when the bytes cannot give the walker's answer. */
const GIVE_UP = new Error('lockstep: the bodies differ in shape');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** lastId bits, set by an object as it closes: what keyOf(el, 'id') would find on each side. */
const ID_A = 1;
const ID_B = 2;
const ID_SAME = 4;

/** The field names a compiled rules object mentions, as bytes by length (see keyFor). */
interface RuleNames {
  /** names of n bytes at byLength[n]; past MAX_NAME_LENGTH at byLength[MAX_NAME_LENGTH + 1] */
  byLength: ({ bytes: Buffer; name: string }[] | undefined)[];
  /** a key equal to no rule name moves the automaton exactly as this one does */
  other: string | undefined;
}
const MAX_NAME_LENGTH = 64;
const OTHER_KEY = '\u0000strangler:any-other-key';
const namesCache = new WeakMap<CompiledRules, RuleNames>();

function ruleNames(rules: CompiledRules): RuleNames {
  let n = namesCache.get(rules);
  if (n) return n;
  const byLength: RuleNames['byLength'] = [];
  let clash = false;
  for (const p of rules.patterns) {
    for (const s of p.segs) {
      if (s.t !== 'key' && s.t !== 'desc') continue;
      const bytes = Buffer.from(s.k);
      const slot = Math.min(bytes.length, MAX_NAME_LENGTH + 1);
      (byLength[slot] ??= []).push({ bytes, name: s.k });
      if (s.k === OTHER_KEY) clash = true;
    }
  }
  n = { byLength, other: clash ? undefined : OTHER_KEY };
  namesCache.set(rules, n);
  return n;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(buf: Buffer, p: number): number {
  while (isWs(buf[p])) p++;
  return p;
}

/** A byte that can follow a complete value: whitespace, a separator, a closing bracket, the end. */
function endsValue(c: number | undefined): boolean {
  return c === undefined || c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isWs(c);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** Length of the valid escape at p (after the backslash is p - 1); gives up on an invalid one. */
function escapeLength(buf: Buffer, p: number): number {
  const c = buf[p];
  if (c === 0x75) {
    if (isHex(buf[p + 1]) && isHex(buf[p + 2]) && isHex(buf[p + 3]) && isHex(buf[p + 4])) return 5;
    throw GIVE_UP;
  }
  // " \ / b f n r t
  if (c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) return 1;
  throw GIVE_UP;
}

/** p at the opening quote; returns the index after the closing one. Validates like JSON.parse. */
function skipString(buf: Buffer, p: number): number {
  p++;
  for (;;) {
    const c = buf[p];
    if (c === QUOTE) return p + 1;
    if (c === BACKSLASH) p += 1 + escapeLength(buf, p + 1);
    else if (c >= 0x20) p++;
    else throw GIVE_UP; // a raw control character, or the end of the body
  }
}

function skipDigits(buf: Buffer, p: number): number {
  const from = p;
  while (buf[p] >= 0x30 && buf[p] <= 0x39) p++;
  if (p === from) throw GIVE_UP;
  return p;
}

/** -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
function skipNumber(buf: Buffer, p: number): number {
  if (buf[p] === 0x2d) p++;
  if (buf[p] === 0x30) p++;
  else p = skipDigits(buf, p);
  if (buf[p] === 0x2e) p = skipDigits(buf, p + 1);
  if (buf[p] === 0x65 || buf[p] === 0x45) {
    p++;
    if (buf[p] === 0x2b || buf[p] === 0x2d) p++;
    p = skipDigits(buf, p);
  }
  return p;
}

function skipWord(buf: Buffer, p: number, word: string): number {
  for (let k = 0; k < word.length; k++) if (buf[p + k] !== word.charCodeAt(k)) throw GIVE_UP;
  return p + word.length;
}

/** p at a value; returns the index after it. Validates like JSON.parse. */
function skipValue(buf: Buffer, p: number): number {
  const c = buf[p];
  if (c === QUOTE) return skipString(buf, p);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    const close = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
    p = skipWs(buf, p + 1);
    if (buf[p] === close) return p + 1;
    for (;;) {
      if (close === CLOSE_OBJECT) {
        if (buf[p] !== QUOTE) throw GIVE_UP;
        p = skipWs(buf, skipString(buf, p));
        if (buf[p] !== COLON) throw GIVE_UP;
        p = skipWs(buf, p + 1);
      }
      p = skipWs(buf, skipValue(buf, p));
      if (buf[p] === close) return p + 1;
      if (buf[p] !== COMMA) throw GIVE_UP;
      p = skipWs(buf, p + 1);
    }
  }
  if (c === 0x74) return skipWord(buf, p, 'true');
  if (c === 0x66) return skipWord(buf, p, 'false');
  if (c === 0x6e) return skipWord(buf, p, 'null');
  return skipNumber(buf, p);
}

function sameRange(a: Buffer, sa: number, ea: number, b: Buffer, sb: number, eb: number): boolean {
  const len = ea - sa;
  if (len !== eb - sb) return false;
  if (len > 32) return a.compare(b, sb, eb, sa, ea) === 0;
  for (let k = 0; k < len; k++) if (a[sa + k] !== b[sb + k]) return false;
  return true;
}

/** Objects that differ with more keys than this are left to the walker (checking them for repeats would be quadratic). */
const MAX_LISTED_KEYS = 64;


/** isIndexKey for a key that had escapes or non-ASCII characters. */
function isIndexString(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
}

/** A canonical array index ("0", "17"; not "017"): for-in visits such keys first, in numeric order. */
function isIndexKey(buf: Buffer, s: number, e: number): boolean {
  const len = e - s;
  if (len === 0 || len > 10 || (buf[s] === 0x30 && len > 1)) return false;
  let v = 0;
  for (let k = s; k < e; k++) {
    const c = buf[k];
    if (c < 0x30 || c > 0x39) return false;
    v = v * 10 + (c - 0x30);
  }
  return v < 4294967295;
}

class Lockstep {
  entries: DiffEntry[] = [];
  /** positions in a and b */
  i = 0;
  j = 0;
  lastId = 0;
  private readonly sr: StepResult = { ignored: false, unordered: undefined };
  /** the current path, slot by slot: a key as a string, an index, or undefined with the key's byte range in a */
  private depth = 0;
  private readonly path: (PathKey | undefined)[] = [];
  private readonly pathStart: number[] = [];
  private readonly pathEnd: number[] = [];
  private names: RuleNames = { byLength: [], other: undefined };
  /** the keys of the objects being read (a stack, one run per object), to notice a repeated key: JSON.parse keeps the last */
  private keyTop = 0;
  private readonly keySig: number[] = [];
  private readonly keyStart: number[] = [];
  private readonly keyEnd: number[] = [];
  private readonly keyText: (string | undefined)[] = [];
  /** the last step() taken with names.other, reused while the states are the same (all keys of one object) */
  private otherFrom: States | undefined;
  private otherNext: States = NO_STATES;
  private otherIgnored = false;
  private otherUnordered: string | undefined;

  a: Buffer = EMPTY;
  b: Buffer = EMPTY;
  rules: CompiledRules = compileRules({});

  /** One instance serves every call (nothing here is reentrant): only the entries are new per call. */
  reset(a: Buffer, b: Buffer, rules: CompiledRules): void {
    this.a = a;
    this.b = b;
    this.rules = rules;
    this.names = ruleNames(rules);
    this.entries = [];
    this.i = 0;
    this.j = 0;
    this.lastId = 0;
    this.depth = 0;
    this.keyTop = 0;
  }

  /** Compares the values at i and j, moving past both; false (and entries) when they differ. */
  value(st: States, unord: string | undefined): boolean {
    const ca = this.a[this.i];
    const cb = this.b[this.j];
    if (ca === OPEN_OBJECT && cb === OPEN_OBJECT) return this.object(st);
    if (ca === OPEN_ARRAY && cb === OPEN_ARRAY) return unord === undefined ? this.array(st) : this.unorderedArray();
    if (ca === QUOTE && cb === QUOTE && this.sameString()) return true;
    return this.scalars();
  }

  /** Two strings with the same bytes: moves past both and returns true; else moves nothing. */
  private sameString(): boolean {
    const { a, b } = this;
    let p = this.i + 1;
    const d = this.j - this.i;
    for (;;) {
      const c = a[p];
      if (c !== b[p + d]) return false;
      if (c >= 0x5d || (c >= 0x23 && c <= 0x5b) || c === 0x20 || c === 0x21) {
        p++;
      } else if (c === QUOTE) {
        this.i = p + 1;
        this.j = p + 1 + d;
        return true;
      } else if (c === BACKSLASH) {
        const n = escapeLength(a, p + 1);
        if (!sameRange(a, p + 1, p + 1 + n, b, p + d + 1, p + d + 1 + n)) return false;
        p += 1 + n;
      } else {
        throw GIVE_UP; // a raw control character, or the end of the body
      }
    }
  }

  /** Values that are not both objects, both arrays or byte-identical strings: parsed only when their bytes differ. */
  private scalars(): boolean {
    const { a, b } = this;
    const sa = this.i;
    const sb = this.j;
    const ea = skipValue(a, sa);
    const len = ea - sa;
    // b's value is the same valid token when it has the same bytes and ends where a's does
    if (sameRange(a, sa, ea, b, sb, sb + len) && endsValue(b[sb + len])) {
      this.i = ea;
      this.j = sb + len;
      return true;
    }
    const eb = skipValue(b, sb);
    this.i = ea;
    this.j = eb;
    const va = JSON.parse(a.toString('utf8', sa, ea)) as unknown;
    const vb = JSON.parse(b.toString('utf8', sb, eb)) as unknown;
    // the walker's rules: an object against an array is a type change, anything else is judged as a leaf
    if (va === vb) return true;
    if (typeof va === 'object' && va !== null && typeof vb === 'object' && vb !== null) return this.report('type', va, vb);
    const kind = leafDifference(va, vb, this.rules.tolerance);
    return kind === undefined || this.report(kind, va, vb);
  }

  private report(kind: DiffKind, monolith: unknown, candidate: unknown): false {
    const keys: PathKey[] = [];
    for (let k = 0; k < this.depth; k++) keys.push(this.path[k] ?? this.a.toString('latin1', this.pathStart[k], this.pathEnd[k]));
    this.entries.push({ path: formatPath(keys), kind, monolith, candidate });
    return false;
  }

  /**
   * At an opening bracket on both sides: moves to the first member. When both are empty, moves past them
   * and returns true; when only one is, the shapes differ.
   */
  private enter(close: number): boolean {
    const { a, b } = this;
    let i = this.i + 1;
    let j = this.j + 1;
    if (a[i] <= 0x20) i = skipWs(a, i);
    if (b[j] <= 0x20) j = skipWs(b, j);
    if (a[i] === close || b[j] === close) {
      if (a[i] !== b[j]) throw GIVE_UP; // one side has members, the other none
      this.i = i + 1;
      this.j = j + 1;
      this.lastId = 0;
      return true;
    }
    this.i = i;
    this.j = j;
    return false;
  }

  /**
   * After a member on both sides: past a comma to the next member (true), or past the closing bracket
   * (false). One side going on while the other closes means another count of keys or elements.
   */
  private next(close: number): boolean {
    const { a, b } = this;
    let i = this.i;
    let j = this.j;
    if (a[i] <= 0x20) i = skipWs(a, i);
    if (b[j] <= 0x20) j = skipWs(b, j);
    const ca = a[i];
    if (ca !== b[j]) throw GIVE_UP; // one side has more members (or is not JSON)
    if (ca === COMMA) {
      i++;
      j++;
      if (a[i] <= 0x20) i = skipWs(a, i);
      if (b[j] <= 0x20) j = skipWs(b, j);
      this.i = i;
      this.j = j;
      return true;
    }
    if (ca !== close) throw GIVE_UP;
    this.i = i + 1;
    this.j = j + 1;
    return false;
  }

  private object(st: States): boolean {
    if (this.enter(CLOSE_OBJECT)) return true;
    const { a, b, sr } = this;
    let i = this.i;
    let j = this.j;
    const slot = this.depth++;
    const keyBase = this.keyTop;
    let eq = true;
    let indexKeys = false;
    let childrenWithEntries = 0;
    let id = 0;
    for (;;) {
      if (a[i] !== QUOTE || b[j] !== QUOTE) throw GIVE_UP;
      // the key: the same bytes on both sides, or the shapes differ
      const ks = i + 1;
      const d = j - i;
      let p = ks;
      let plain = true; // ASCII without escapes: its bytes are its characters
      for (;;) {
        const c = a[p];
        if (c !== b[p + d]) throw GIVE_UP;
        if ((c >= 0x23 && c < 0x80 && c !== BACKSLASH) || c === 0x20 || c === 0x21) {
          p++;
        } else if (c === QUOTE) {
          break;
        } else if (c === BACKSLASH) {
          plain = false;
          const n = escapeLength(a, p + 1);
          if (!sameRange(a, p + 1, p + 1 + n, b, p + d + 1, p + d + 1 + n)) throw GIVE_UP;
          p += 1 + n;
        } else if (c >= 0x80) {
          plain = false;
          p++;
        } else {
          throw GIVE_UP; // a raw control character, or the end of the body
        }
      }
      const ke = p;
      i = ke + 1;
      j = ke + 1 + d;
      const key = plain ? undefined : (JSON.parse(a.toString('utf8', ks - 1, ke + 1)) as string);
      this.recordKey(ks, ke, key);
      if (plain ? a[ks] <= 0x39 && isIndexKey(a, ks, ke) : isIndexString(key!)) indexKeys = true;
      const isId = plain ? ke - ks === 2 && a[ks] === 0x69 && a[ks + 1] === 0x64 : key === 'id';
      if (a[i] <= 0x20) i = skipWs(a, i);
      if (b[j] <= 0x20) j = skipWs(b, j);
      if (a[i] !== COLON || b[j] !== COLON) throw GIVE_UP;
      i++;
      j++;
      if (a[i] <= 0x20) i = skipWs(a, i);
      if (b[j] <= 0x20) j = skipWs(b, j);
      let cs = NO_STATES;
      let ignored = false;
      let unord: string | undefined;
      if (st.length > 0) {
        const k = this.keyFor(key, ks, ke);
        if (k === this.names.other && st === this.otherFrom) {
          cs = this.otherNext;
          ignored = this.otherIgnored;
          unord = this.otherUnordered;
        } else {
          cs = step(this.rules, st, k, sr);
          ignored = sr.ignored;
          unord = sr.unordered;
          if (k === this.names.other) {
            this.otherFrom = st;
            this.otherNext = cs;
            this.otherIgnored = ignored;
            this.otherUnordered = unord;
          }
        }
      }
      const sa = i;
      const sb = j;
      if (ignored) {
        i = skipValue(a, i);
        j = skipValue(b, j);
      } else {
        this.i = i;
        this.j = j;
        this.path[slot] = key;
        this.pathStart[slot] = ks;
        this.pathEnd[slot] = ke;
        const before = this.entries.length;
        if (!this.value(cs, unord)) eq = false;
        if (this.entries.length !== before) childrenWithEntries++;
        i = this.i;
        j = this.j;
      }
      if (isId) id = idBits(a, sa, i, b, sb, j);
      this.i = i;
      this.j = j;
      if (!this.next(CLOSE_OBJECT)) break; // one side having more keys gives up in there
      i = this.i;
      j = this.j;
    }
    if (!eq) this.checkRepeats(keyBase);
    this.keyTop = keyBase;
    this.depth = slot;
    // for-in visits index-like keys first: entries from two children could come out in another order
    if (indexKeys && childrenWithEntries > 1) throw GIVE_UP;
    this.lastId = id;
    return eq;
  }

  private recordKey(ks: number, ke: number, text: string | undefined): void {
    const top = this.keyTop;
    this.keyStart[top] = ks;
    this.keyEnd[top] = ke;
    this.keyText[top] = text;
    this.keyTop = top + 1;
  }

  /**
   * Gives up when the object whose keys start at keyBase has a key twice. Only asked of objects that differ:
   * JSON.parse keeps a repeated key's last value, so in an equal object a repeat changes nothing, while in
   * one that differs the entries could name a value the walker never sees. Keys are told apart by length and
   * first and last character, and compared in full only when those match.
   */
  private checkRepeats(keyBase: number): void {
    const { a, keySig, keyStart, keyEnd, keyText } = this;
    const top = this.keyTop;
    if (top - keyBase > MAX_LISTED_KEYS) throw GIVE_UP; // a big map: the walker's for-in handles it without a quadratic check
    for (let n = keyBase; n < top; n++) {
      const text = keyText[n];
      const ks = keyStart[n];
      const ke = keyEnd[n];
      const sig = text === undefined ? ((ke - ks) << 16) ^ (a[ks] << 8) ^ a[ke - 1] : (text.length << 16) ^ (text.charCodeAt(0) << 8) ^ text.charCodeAt(text.length - 1);
      for (let k = keyBase; k < n; k++) {
        if (keySig[k] !== sig) continue;
        const other = keyText[k];
        if (text === undefined && other === undefined) {
          if (sameRange(a, ks, ke, a, keyStart[k], keyEnd[k])) throw GIVE_UP;
        } else if ((text ?? a.toString('latin1', ks, ke)) === (other ?? a.toString('latin1', keyStart[k], keyEnd[k]))) {
          throw GIVE_UP;
        }
      }
      keySig[n] = sig;
    }
  }

  /** The key as step() needs it; a key equal to no rule name moves the automaton like any other such key. */
  private keyFor(key: string | undefined, ks: number, ke: number): string {
    if (key !== undefined) return key;
    const { other, byLength } = this.names;
    const len = ke - ks;
    if (other === undefined || len > MAX_NAME_LENGTH) return this.a.toString('latin1', ks, ke);
    const names = byLength[len];
    if (names !== undefined) {
      for (const n of names) if (sameRange(this.a, ks, ke, n.bytes, 0, len)) return n.name;
    }
    return other;
  }

  private array(st: States): boolean {
    if (this.enter(CLOSE_ARRAY)) return true;
    const { a, b, sr } = this;
    let i = this.i;
    let j = this.j;
    const slot = this.depth++;
    let index = 0;
    let differing = 0;
    let anyIgnored = false;
    let allIdA = true;
    let allIdB = true;
    let idsSame = true;
    for (;;) {
      let cs = NO_STATES;
      let ignored = false;
      let unord: string | undefined;
      if (st.length > 0) {
        cs = step(this.rules, st, index, sr);
        ignored = sr.ignored;
        unord = sr.unordered;
      }
      if (ignored) {
        anyIgnored = true;
        i = skipValue(a, i);
        j = skipValue(b, j);
      } else {
        this.i = i;
        this.j = j;
        this.lastId = 0;
        this.path[slot] = index;
        const same = this.value(cs, unord);
        const id = this.lastId;
        if ((id & ID_A) === 0) allIdA = false;
        if ((id & ID_B) === 0) allIdB = false;
        if ((id & ID_SAME) === 0) idsSame = false;
        // two differing elements and no aligned ids: declined below anyway, so stop before diffing the rest
        // (a moved element would otherwise have every element after it diffed for nothing)
        if (!same && ++differing > 1 && (anyIgnored || !allIdA || !allIdB || !idsSame)) throw GIVE_UP;
        i = this.i;
        j = this.j;
      }
      this.i = i;
      this.j = j;
      if (!this.next(CLOSE_ARRAY)) break; // lengths that differ give up in there
      i = this.i;
      j = this.j;
      index++;
    }
    this.depth = slot;
    this.lastId = 0;
    if (!anyIgnored && allIdA && allIdB) {
      // the walker aligns these by id; element by element only when every id matches in place
      if (!idsSame) throw GIVE_UP;
      return differing === 0;
    }
    // by position: two or more differing elements could be a reordering, which is another entry
    if (differing > 1) throw GIVE_UP;
    return differing === 0;
  }

  /** An array compared as a multiset or by a key field: equal bytes are equal, anything else is for the walker. */
  private unorderedArray(): boolean {
    const { a, b } = this;
    const sa = this.i;
    const sb = this.j;
    this.i = skipValue(a, sa);
    this.j = skipValue(b, sb);
    if (!sameRange(a, sa, this.i, b, sb, this.j)) throw GIVE_UP;
    this.lastId = 0;
    return true;
  }
}

const EMPTY = Buffer.alloc(0);
const scratch = new Lockstep();

/** ID_A / ID_B when that side's value is a string or a number (keyOf), ID_SAME when both are and their bytes match. */
function idBits(a: Buffer, sa: number, ea: number, b: Buffer, sb: number, eb: number): number {
  const sideA = isScalarId(a[sa]) ? ID_A : 0;
  const sideB = isScalarId(b[sb]) ? ID_B : 0;
  const same = sideA !== 0 && sideB !== 0 && sameRange(a, sa, ea, b, sb, eb) ? ID_SAME : 0;
  return sideA | sideB | same;
}

function isScalarId(c: number): boolean {
  return c === QUOTE || c === 0x2d || (c >= 0x30 && c <= 0x39);
}

/**
 * The walker's entries for two JSON bodies (raw UTF-8 bytes, no content-encoding), or undefined when
 * they must be parsed to tell: not both valid JSON, different keys or lengths, arrays the walker would
 * realign (by id or as a reordering), or a repeated key.
 */
export function lockstepDiff(a: Buffer, b: Buffer, rules: CompiledRules): DiffEntry[] | undefined {
  // JSON.parse reads decoded text: invalid UTF-8 is compared as binary, a byte-order mark is dropped first
  if (a[0] === 0xef || b[0] === 0xef || !isUtf8(a) || !isUtf8(b)) return undefined;
  const s = scratch;
  s.reset(a, b, rules);
  try {
    s.i = skipWs(a, 0);
    s.j = skipWs(b, 0);
    s.value(rules.rootStates, rules.rootUnordered);
    if (skipWs(a, s.i) !== a.length || skipWs(b, s.j) !== b.length) return undefined;
  } catch {
    return undefined; // GIVE_UP, or a RangeError from a body nested deeper than the stack
  } finally {
    s.a = s.b = EMPTY; // the scratch instance must not keep the last bodies alive
  }
  return s.entries;
}

/** Consecutive declines on one rules object (one route) after which the pass is only tried now and then. */
export const DECLINES_BEFORE_BACKOFF = 8;
/** While backing off, one pair in this many is still tried, so a route whose candidate got fixed gets the fast path back. */
export const BACKOFF_EVERY = 32;
const backoff = new WeakMap<CompiledRules, { declines: number; skipped: number }>();

/**
 * lockstepDiff for the comparator: a route whose pairs keep being declined (its candidate answers in another
 * shape) would pay a wasted scan on every pair, so after DECLINES_BEFORE_BACKOFF declines in a row only one
 * pair in BACKOFF_EVERY is tried until one is answered again.
 */
export function tryLockstep(a: Buffer, b: Buffer, rules: CompiledRules): DiffEntry[] | undefined {
  let state = backoff.get(rules);
  if (state === undefined) backoff.set(rules, (state = { declines: 0, skipped: 0 }));
  if (state.declines >= DECLINES_BEFORE_BACKOFF && ++state.skipped % BACKOFF_EVERY !== 0) return undefined;
  const entries = lockstepDiff(a, b, rules);
  if (entries === undefined) state.declines++;
  else state.declines = state.skipped = 0;
  return entries;
}

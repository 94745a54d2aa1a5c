// JSON paths as the comparison engine speaks them: patterns in rules ($.a.b, $..field, $.items[*].x,
// $.items[0], $["odd key"]), concrete paths in diff entries ($.items[3].price) and their folded form.
import { UserError } from '../../common/user-error.ts';

export type Segment =
  | { t: 'key'; k: string }
  | { t: 'index'; i: number }
  | { t: 'any' }
  | { t: 'desc'; k: string };

export type PathKey = string | number;

const NAME = /[^.[\]\s]+/y;
const DIGITS = /\d+/y;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const FOLDABLE = /\["(?:[^"\\]|\\.)*"\]|\[\d+\]/g;

function bad(src: string, why: string): UserError {
  return new UserError(
    `compare rule path "${src}" is not valid: ${why}. Write a JSON path such as $.a.b, $..field, $.items[*].x or $.items[0]`,
  );
}

function readName(src: string, at: number): string {
  NAME.lastIndex = at;
  const m = NAME.exec(src);
  if (!m) throw bad(src, `expected a field name at position ${at}`);
  return m[0];
}

function readQuoted(src: string, at: number): { key: string; end: number } {
  const quote = src[at];
  let i = at + 1;
  let key = '';
  while (i < src.length && src[i] !== quote) {
    if (src[i] === '\\' && i + 1 < src.length) i++;
    key += src[i];
    i++;
  }
  if (src[i] !== quote || src[i + 1] !== ']') throw bad(src, `unterminated quoted key at position ${at}`);
  return { key, end: i + 2 };
}

/** Parses a rule pattern into segments. Throws UserError naming the pattern when it is malformed. */
export function parsePattern(src: string): Segment[] {
  if (typeof src !== 'string' || src[0] !== '$') throw bad(String(src), 'it must start with $');
  const segs: Segment[] = [];
  let i = 1;
  while (i < src.length) {
    if (src.startsWith('..', i)) {
      const k = readName(src, i + 2);
      if (k === '*') throw bad(src, '$..* is not supported, name the field: $..field');
      segs.push({ t: 'desc', k });
      i += 2 + k.length;
    } else if (src[i] === '.') {
      const k = readName(src, i + 1);
      segs.push(k === '*' ? { t: 'any' } : { t: 'key', k });
      i += 1 + k.length;
    } else if (src[i] === '[') {
      const c = src[i + 1];
      if (c === '*' && src[i + 2] === ']') {
        segs.push({ t: 'any' });
        i += 3;
      } else if (c === '"' || c === "'") {
        const q = readQuoted(src, i + 1);
        segs.push({ t: 'key', k: q.key });
        i = q.end;
      } else {
        DIGITS.lastIndex = i + 1;
        const m = DIGITS.exec(src);
        if (!m || src[i + 1 + m[0].length] !== ']') throw bad(src, `expected [n], [*] or ["key"] at position ${i}`);
        segs.push({ t: 'index', i: Number(m[0]) });
        i += 2 + m[0].length;
      }
    } else {
      throw bad(src, `unexpected "${src[i]}" at position ${i}`);
    }
  }
  return segs;
}

/** Formats a concrete path from its keys: ['items', 3, 'price'] -> "$.items[3].price". */
export function formatPath(keys: readonly PathKey[], length = keys.length): string {
  let out = '$';
  for (let i = 0; i < length; i++) {
    const k = keys[i];
    if (typeof k === 'number') out += `[${k}]`;
    else if (IDENTIFIER.test(k)) out += `.${k}`;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

/** '$.items[3].price' -> '$.items[*].price'. Quoted keys are left alone; non-body paths pass through. */
export function foldPath(path: string): string {
  return path.replace(FOLDABLE, (m) => (m[1] === '"' ? m : '[*]'));
}

/** Parses a concrete path (as produced by formatPath) back into keys; undefined when it is not one. */
export function parseConcretePath(path: string): PathKey[] | undefined {
  if (path[0] !== '$') return undefined;
  const keys: PathKey[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(path);
      if (!m) return undefined;
      keys.push(m[0]);
      i += 1 + m[0].length;
    } else if (path[i] === '[' && path[i + 1] === '"') {
      let j = i + 2;
      while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
      keys.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
      i = j + 2;
    } else if (path[i] === '[') {
      DIGITS.lastIndex = i + 1;
      const m = DIGITS.exec(path);
      if (!m) return undefined;
      keys.push(Number(m[0]));
      i += 2 + m[0].length;
    } else {
      return undefined;
    }
  }
  return keys;
}

/** Whether a concrete path names an existing node of a parsed JSON value. */
export function pathExists(value: unknown, path: string): boolean {
  const keys = parseConcretePath(path);
  if (!keys) return false;
  let cur: unknown = value;
  for (const k of keys) {
    if (typeof k === 'number') {
      if (!Array.isArray(cur) || k >= cur.length) return false;
      cur = cur[k];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, k)) return false;
      cur = (cur as Record<string, unknown>)[k];
    }
  }
  return true;
}

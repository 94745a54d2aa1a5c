// A small JSON path matcher for redaction: compiles patterns such as `$..password`,
// `$.customer.cardNumber`, `$.items[*].token` once and tests concrete paths against them.

/** One step of a concrete path: an object key or an array index. */
export type PathSegment = string | number;

type Token =
  | { t: 'child'; name: string }
  | { t: 'descendant'; name: string } // `..name`, name '*' = any
  | { t: 'anyChild' }
  | { t: 'index'; n: number }
  | { t: 'anyIndex' };

export interface CompiledPath {
  source: string;
  tokens: Token[];
}

const IDENT = /^[A-Za-z_$][\w$-]*/;

/** Parses `$`-rooted JSON path text; returns undefined when the text is not a JSON path. */
export function compilePath(source: string): CompiledPath | undefined {
  if (!source.startsWith('$')) return undefined;
  const tokens: Token[] = [];
  let rest = source.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith('..')) {
      rest = rest.slice(2);
      const m = rest.startsWith('*') ? ['*'] : IDENT.exec(rest);
      if (!m) return undefined;
      tokens.push({ t: 'descendant', name: m[0] });
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith('.')) {
      rest = rest.slice(1);
      if (rest.startsWith('*')) {
        tokens.push({ t: 'anyChild' });
        rest = rest.slice(1);
        continue;
      }
      const m = IDENT.exec(rest);
      if (!m) return undefined;
      tokens.push({ t: 'child', name: m[0] });
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith('[')) {
      const end = bracketEnd(rest);
      if (end < 0) return undefined;
      const inner = rest.slice(1, end).trim();
      rest = rest.slice(end + 1);
      if (inner === '*') tokens.push({ t: 'anyIndex' });
      else if (/^\d+$/.test(inner)) tokens.push({ t: 'index', n: Number(inner) });
      else if (/^(['"]).*\1$/s.test(inner)) tokens.push({ t: 'child', name: unquote(inner) });
      else return undefined;
    } else {
      return undefined;
    }
  }
  return { source, tokens };
}

/** Splits a concrete path such as `$.items[3]["odd key"].price` into segments. */
export function pathSegments(path: string): PathSegment[] | undefined {
  const compiled = compilePath(path);
  if (!compiled) return undefined;
  const segs: PathSegment[] = [];
  for (const tok of compiled.tokens) {
    if (tok.t === 'child') segs.push(tok.name);
    else if (tok.t === 'index') segs.push(tok.n);
    else return undefined; // wildcards are not concrete
  }
  return segs;
}

export function matchesPath(pattern: CompiledPath, segs: readonly PathSegment[]): boolean {
  return matchFrom(pattern.tokens, 0, segs, 0);
}

/** Key names a pattern ends on (`$..password` → password), for redacting text that is not JSON. */
export function terminalName(pattern: CompiledPath): string | undefined {
  const last = pattern.tokens[pattern.tokens.length - 1];
  if (last && (last.t === 'child' || last.t === 'descendant') && last.name !== '*') return last.name;
  return undefined;
}

function matchFrom(tokens: Token[], i: number, segs: readonly PathSegment[], j: number): boolean {
  if (i === tokens.length) return j === segs.length;
  if (j >= segs.length) return false;
  const tok = tokens[i];
  const seg = segs[j];
  switch (tok.t) {
    case 'child':
      return seg === tok.name && matchFrom(tokens, i + 1, segs, j + 1);
    case 'anyChild':
      return matchFrom(tokens, i + 1, segs, j + 1);
    case 'index':
      return seg === tok.n && matchFrom(tokens, i + 1, segs, j + 1);
    case 'anyIndex':
      return typeof seg === 'number' && matchFrom(tokens, i + 1, segs, j + 1);
    case 'descendant':
      for (let k = j; k < segs.length; k++) {
        if ((tok.name === '*' || segs[k] === tok.name) && matchFrom(tokens, i + 1, segs, k + 1)) return true;
      }
      return false;
  }
}

function bracketEnd(text: string): number {
  const quote = text[1] === '"' || text[1] === "'" ? text[1] : undefined;
  if (!quote) return text.indexOf(']');
  for (let i = 2; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return text[i + 1] === ']' ? i + 1 : -1;
  }
  return -1;
}

function unquote(inner: string): string {
  const body = inner.slice(1, -1);
  return body.replace(/\\(.)/g, '$1');
}

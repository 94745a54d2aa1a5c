// A small SQL reader: which tables a statement reads and writes, and which it declares (DDL).
// Not a full parser — a tokenizer plus the handful of clauses that name tables (FROM, JOIN, INTO,
// UPDATE, DELETE FROM, CREATE/DROP/ALTER TABLE), with CTE names and function calls
// (EXTRACT(x FROM y)) kept out. Parts built at run time arrive as PLACEHOLDER and are never tables.
export const PLACEHOLDER = '__strangler_expr__';

export interface SqlTables {
  reads: string[];
  writes: string[];
  /** tables declared or altered by DDL (CREATE/DROP/ALTER TABLE) */
  ddl: string[];
}

const NAME = String.raw`[\w."\x60[\]$]+`;
const STARTS_LIKE_SQL = new RegExp(
  [
    String.raw`select\b[\s\S]*\bfrom\b`,
    String.raw`(?:insert|replace)\s+(?:or\s+\w+\s+)?into\s+${NAME}\s*(?:\(|values\b|select\b|default\b|set\b|${PLACEHOLDER}|$)`,
    String.raw`update\s+(?:or\s+\w+\s+)?${NAME}\s+set\b`,
    String.raw`delete\s+from\s+${NAME}\s*(?:$|;|where\b|returning\b|using\b|limit\b|order\b|as\b|${PLACEHOLDER})`,
    String.raw`with\s+(?:recursive\s+)?[\w"]+\s*(?:\([^)]*\))?\s+as\s*(?:not\s+)?(?:materialized\s+)?\(`,
    String.raw`create\s+(?:temp(?:orary)?\s+|virtual\s+)?(?:table|view|index|unique|trigger)\b`,
    String.raw`drop\s+(?:table|view|index|trigger)\b`,
    String.raw`alter\s+table\b`,
    String.raw`merge\s+into\b`,
    String.raw`truncate\s+(?:table\s+)?\w`,
  ].map((p) => `(?:${p})`).join('|').replace(/^/, '^(?:') + ')',
  'i',
);

/** A SELECT must show something SQL-ish too: "Select a book from the list, then …" is not a query. */
const COLUMN = String.raw`(?:[\w.*"\x60]+|\w+\([^)]*\))(?:\s+as\s+\w+)?`;
const COLUMN_LIST = new RegExp(String.raw`^select\s+(?:distinct\s+)?${COLUMN}(?:\s*,\s*${COLUMN})*\s+from\s+[\w."\x60]+`, 'i');
const SELECT_EVIDENCE = /[*=?]|\$\d|\bjoin\b|\bgroup\s+by\b|\border\s+by\b/i;

export function looksLikeSql(text: string): boolean {
  const t = text.replace(/^(?:\s|\(|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '');
  if (!STARTS_LIKE_SQL.test(t)) return false;
  if (/^select\b/i.test(t)) return COLUMN_LIST.test(t) || SELECT_EVIDENCE.test(t);
  return true;
}

/** `at`: the token's offset in the text. */
export type Token = { kind: 'word' | 'ident' | 'punct'; text: string; upper: string; at: number };

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const start = i;
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'") {
      i++;
      while (i < n) {
        if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
      tokens.push({ kind: 'punct', text: "''", upper: "''", at: start });
    } else if (c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      const end = sql.indexOf(close, i + 1);
      const text = sql.slice(i + 1, end < 0 ? n : end);
      tokens.push({ kind: 'ident', text, upper: text.toUpperCase(), at: start });
      i = end < 0 ? n : end + 1;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(sql[j])) j++;
      const text = sql.slice(i, j);
      tokens.push({ kind: 'word', text, upper: text.toUpperCase(), at: start });
      i = j;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      tokens.push({ kind: 'punct', text: c, upper: c, at: start });
      i++;
    }
  }
  return tokens;
}

/** Words that can follow a clause keyword without being a table. */
const NOT_TABLES = new Set([
  'SELECT', 'WHERE', 'SET', 'VALUES', 'DEFAULT', 'AS', 'ON', 'USING', 'LATERAL', 'ONLY', 'IF', 'NOT', 'EXISTS', 'OR', 'IGNORE',
  'REPLACE', 'ROLLBACK', 'ABORT', 'FAIL', 'TABLE', 'INTO', 'FROM', 'JOIN', 'GROUP', 'ORDER', 'LIMIT', 'UNION', 'DUAL',
  'LEFT', 'RIGHT', 'INNER', 'OUTER', 'CROSS', 'NATURAL', 'FULL', 'HAVING', 'WINDOW', 'RETURNING', 'OFFSET',
]);
/** Keywords before `(` that open a subquery or a list, not a function call. */
const NON_FUNCTION_PARENS = new Set(['IN', 'EXISTS', 'AS', 'FROM', 'JOIN', 'ON', 'VALUES', 'AND', 'OR', 'NOT', 'ANY', 'ALL', 'SOME', 'USING', 'WHERE', 'SELECT', 'THEN', 'ELSE', 'WHEN', 'SET', 'INTO', 'UNION', 'EXCEPT', 'INTERSECT', 'RETURNING', 'BY', 'HAVING', 'LATERAL', 'MATERIALIZED']);

export function tablesInSql(sql: string): SqlTables {
  const tokens = tokenize(sql);
  const reads = new Set<string>();
  const writes = new Set<string>();
  const ddl = new Set<string>();
  const ctes = new Set<string>();
  const parenIsFunction: boolean[] = [];
  let inFunction = 0;

  /** Reads a (possibly schema-qualified) table name at i; returns the name and the index after it. */
  const tableAt = (i: number, parenFollows = false): { name?: string; next: number } => {
    const t = tokens[i];
    if (!t || t.kind === 'punct' || (t.kind === 'word' && NOT_TABLES.has(t.upper))) return { next: i };
    let name = t.text;
    let j = i + 1;
    while (tokens[j]?.text === '.' && tokens[j + 1] && tokens[j + 1].kind !== 'punct') {
      name = tokens[j + 1].text;
      j += 2;
    }
    if (tokens[j]?.text === '(' && !parenFollows) return { next: j }; // a table-valued function
    if (name.includes(PLACEHOLDER)) return { next: j };
    return { name, next: j };
  };
  const skipAlias = (i: number): number => {
    let j = i;
    if (tokens[j]?.upper === 'AS') j++;
    const t = tokens[j];
    if (t && (t.kind === 'ident' || (t.kind === 'word' && !isClauseWord(t.upper)))) j++;
    return j;
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === '(') {
      const prev = tokens[i - 1];
      const isFn = !!prev && prev.kind === 'word' && !NON_FUNCTION_PARENS.has(prev.upper);
      parenIsFunction.push(isFn);
      if (isFn) inFunction++;
      continue;
    }
    if (t.text === ')') {
      if (parenIsFunction.pop()) inFunction--;
      continue;
    }
    if (t.kind !== 'word') continue;
    const next = tokens[i + 1];
    switch (t.upper) {
      case 'WITH': {
        // WITH [RECURSIVE] name [(cols)] AS (...), name2 AS (...)
        let j = i + 1;
        if (tokens[j]?.upper === 'RECURSIVE') j++;
        if (tokens[j] && tokens[j].kind !== 'punct') ctes.add(tokens[j].upper);
        break;
      }
      case 'AS': {
        // `, name AS (` continues a CTE list
        const prev = tokens[i - 1];
        const before = tokens[i - 2];
        if (next?.text === '(' && prev && prev.kind !== 'punct' && before?.text === ',') ctes.add(prev.upper);
        break;
      }
      case 'INTO': {
        const { name } = tableAt(i + 1, true); // INSERT INTO t (cols)
        if (name) writes.add(name);
        break;
      }
      case 'UPDATE': {
        // `ON UPDATE CASCADE` (a key's action, MySQL's `ON UPDATE CURRENT_TIMESTAMP`), `ON DUPLICATE KEY UPDATE a = …`: no table
        const before = tokens[i - 1]?.upper;
        if (before === 'ON' || (before === 'KEY' && tokens[i - 2]?.upper === 'DUPLICATE')) break;
        let j = i + 1;
        if (tokens[j]?.upper === 'OR') j += 2;
        if (tokens[j]?.upper === 'ONLY') j++;
        const { name } = tableAt(j);
        if (name) writes.add(name);
        break;
      }
      case 'TRUNCATE': {
        let j = i + 1;
        if (tokens[j]?.upper === 'TABLE') j++;
        const { name } = tableAt(j);
        if (name) writes.add(name);
        break;
      }
      case 'FROM': {
        if (inFunction > 0) break; // EXTRACT(YEAR FROM d), SUBSTRING(s FROM 2)
        const isDelete = tokens[i - 1]?.upper === 'DELETE';
        let j = i + 1;
        for (;;) {
          const { name, next: after } = tableAt(j);
          if (name) (isDelete ? writes : reads).add(name);
          j = skipAlias(after);
          if (tokens[j]?.text !== ',' || isDelete) break;
          j++;
        }
        break;
      }
      case 'JOIN': {
        const { name } = tableAt(i + 1);
        if (name) reads.add(name);
        break;
      }
      case 'TABLE': {
        const prev = tokens[i - 1]?.upper;
        const isDdl = prev === 'CREATE' || prev === 'TEMP' || prev === 'TEMPORARY' || prev === 'DROP' || prev === 'ALTER' || prev === 'VIRTUAL';
        if (!isDdl) break;
        let j = i + 1;
        while (tokens[j] && (tokens[j].upper === 'IF' || tokens[j].upper === 'NOT' || tokens[j].upper === 'EXISTS')) j++;
        const { name } = tableAt(j, true); // CREATE TABLE t (cols)
        if (name) ddl.add(name);
        break;
      }
      default:
        break;
    }
  }
  const notCte = (name: string): boolean => !ctes.has(name.toUpperCase());
  return { reads: [...reads].filter(notCte), writes: [...writes].filter(notCte), ddl: [...ddl] };
}

function isClauseWord(upper: string): boolean {
  return NOT_TABLES.has(upper) || upper === 'WHERE' || upper === 'INNER' || upper === 'LEFT';
}

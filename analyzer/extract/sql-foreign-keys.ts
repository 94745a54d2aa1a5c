// Foreign keys declared by SQL DDL, read from the tokens sql.ts makes: a column's own
// `author_id INT REFERENCES authors(id) ON DELETE CASCADE`, a table constraint
// `[CONSTRAINT c] FOREIGN KEY [index] (a, b) REFERENCES t (x, y)`, and `ALTER TABLE t [WITH CHECK] ADD [COLUMN …|CONSTRAINT c FOREIGN KEY …]`.
// Schema qualifiers are dropped, as the SQL reader drops them for table names. ON UPDATE is not kept.
import { PLACEHOLDER, tokenize, type Token } from './sql.ts';

export interface SqlForeignKey {
  table: string;
  columns: string[];
  references: string;
  referencedColumns: string[];
  onDelete?: string;
  /** its name, `CONSTRAINT name` (or MySQL's `FOREIGN KEY name (…)`), when the DDL gives one */
  constraint?: string;
  /** offset of the REFERENCES keyword in the text */
  at: number;
}

/** What starts a table element that is not a column: these never declare a column's own key. */
const NOT_COLUMNS = new Set(['PRIMARY', 'UNIQUE', 'CHECK', 'KEY', 'INDEX', 'EXCLUDE', 'LIKE', 'FULLTEXT', 'SPATIAL', 'PERIOD']);
const ACTIONS: Record<string, string> = { CASCADE: 'cascade', RESTRICT: 'restrict' };

export function foreignKeysInSql(sql: string): SqlForeignKey[] {
  const tokens = tokenize(sql);
  const keys: SqlForeignKey[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'word' || t.upper !== 'TABLE') continue;
    const prev = tokens[i - 1]?.upper;
    const create = prev === 'CREATE' || prev === 'TEMP' || prev === 'TEMPORARY' || prev === 'UNLOGGED';
    if (!create && prev !== 'ALTER') continue;
    let j = i + 1;
    while (tokens[j] && ['IF', 'NOT', 'EXISTS', 'ONLY'].includes(tokens[j].upper)) j++;
    const { name: table, next } = qualifiedName(tokens, j);
    if (!table) continue;
    const elements = create ? createElements(tokens, next) : alterElements(tokens, next);
    for (const el of elements) {
      const key = elementKey(el, table);
      if (key) keys.push(key);
    }
  }
  return keys;
}

/** `schema.table` → table; undefined for a keyword, punctuation or a run-time part. */
export function qualifiedName(tokens: Token[], i: number): { name?: string; next: number } {
  const t = tokens[i];
  if (!t || t.kind === 'punct') return { next: i };
  let name = t.text;
  let j = i + 1;
  while (tokens[j]?.text === '.' && tokens[j + 1] && tokens[j + 1].kind !== 'punct') {
    name = tokens[j + 1].text;
    j += 2;
  }
  return name.includes(PLACEHOLDER) ? { next: j } : { name, next: j };
}

/** `( element, element, … )` after CREATE TABLE name: each element's tokens. */
function createElements(tokens: Token[], i: number): Token[][] {
  if (tokens[i]?.text !== '(') return [];
  const elements: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.text === '(') {
      if (depth++ === 0) continue;
    } else if (t.text === ')') {
      if (--depth === 0) break;
    } else if (t.text === ',' && depth === 1) {
      elements.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  elements.push(current);
  return elements;
}

/** `ADD …, ADD …` after ALTER TABLE name, up to the end of the statement: each ADD's tokens (ADD, COLUMN, IF NOT EXISTS left out). */
function alterElements(tokens: Token[], i: number): Token[][] {
  const elements: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let j = i; j < tokens.length && !(tokens[j].text === ';' && depth === 0); j++) {
    const t = tokens[j];
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (t.text === ',' && depth === 0) {
      elements.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  elements.push(current);
  return elements
    .map((el) => (el[0]?.upper === 'WITH' && /^(?:NO)?CHECK$/.test(el[1]?.upper ?? '') ? el.slice(2) : el)) // SQL Server: WITH CHECK ADD …
    .filter((el) => el[0]?.upper === 'ADD')
    .map((el) => {
      let k = 1;
      while (el[k] && ['COLUMN', 'IF', 'NOT', 'EXISTS'].includes(el[k].upper)) k++;
      return el.slice(k);
    });
}

function elementKey(el: Token[], table: string): SqlForeignKey | undefined {
  let k = 0;
  let constraint: string | undefined;
  if (el[k]?.upper === 'CONSTRAINT') {
    constraint = el[k + 1]?.kind !== 'punct' ? el[k + 1]?.text : undefined;
    k += 2;
  }
  const first = el[k];
  if (!first || first.kind === 'punct') return undefined;
  let columns: string[];
  let from: number;
  if (first.upper === 'FOREIGN' && el[k + 1]?.upper === 'KEY') {
    // MySQL may name the key's index: FOREIGN KEY fk_author (author_id)
    const at = el[k + 2]?.text !== '(' && el[k + 3]?.text === '(' ? k + 3 : k + 2;
    if (at === k + 3) constraint ??= el[k + 2].text;
    const list = nameList(el, at);
    columns = list.names;
    from = list.next;
  } else if (first.kind === 'word' && NOT_COLUMNS.has(first.upper)) {
    return undefined;
  } else {
    if (first.text.includes(PLACEHOLDER)) return undefined;
    columns = [first.text];
    from = k + 1;
  }
  const r = el.findIndex((t, idx) => idx >= from && t.kind === 'word' && t.upper === 'REFERENCES');
  if (r < 0) return undefined;
  const { name: references, next } = qualifiedName(el, r + 1);
  if (!references) return undefined;
  const referenced = nameList(el, next);
  // a column's own `author_id INT CONSTRAINT fk_author REFERENCES authors`
  if (el[r - 2]?.upper === 'CONSTRAINT' && el[r - 1].kind !== 'punct') constraint = el[r - 1].text;
  const key: SqlForeignKey = { table, columns, references, referencedColumns: referenced.names, at: el[r].at };
  if (constraint && !constraint.includes(PLACEHOLDER)) key.constraint = constraint;
  const onDelete = deleteAction(el, referenced.next);
  if (onDelete) key.onDelete = onDelete;
  return key;
}

/** `(a, "b", c)` at i: the names, and the index after the list (i itself when there is no list). */
function nameList(el: Token[], i: number): { names: string[]; next: number } {
  if (el[i]?.text !== '(') return { names: [], next: i };
  const names: string[] = [];
  let j = i + 1;
  for (; j < el.length && el[j].text !== ')'; j++) if (el[j].kind !== 'punct' && !el[j].text.includes(PLACEHOLDER)) names.push(el[j].text);
  return { names, next: j + 1 };
}

/** `ON DELETE <action>` among the clauses after REFERENCES t (cols). */
function deleteAction(el: Token[], i: number): string | undefined {
  for (let j = i; j < el.length - 2; j++) {
    if (el[j].upper !== 'ON' || el[j + 1].upper !== 'DELETE') continue;
    const a = el[j + 2].upper;
    if (a === 'SET') {
      const b = el[j + 3]?.upper;
      return b === 'NULL' ? 'set null' : b === 'DEFAULT' ? 'set default' : undefined;
    }
    if (a === 'NO') return el[j + 3]?.upper === 'ACTION' ? 'no action' : undefined;
    return ACTIONS[a] || undefined;
  }
  return undefined;
}

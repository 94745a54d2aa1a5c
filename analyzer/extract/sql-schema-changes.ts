// The tables and keys that `.sql` files leave once each statement is applied in order: CREATE TABLE and key clauses
// add, DROP TABLE removes a table with its keys, a rename carries its keys and the keys pointing at it, and
// DROP CONSTRAINT / DROP FOREIGN KEY remove one key. Table names compare as written (case included), as the readers
// name them. The statements' tokens come from sql.ts; CREATE TABLE and the keys are read by sql-files.ts and sql-foreign-keys.ts.
import { qualifiedName, type SqlForeignKey } from './sql-foreign-keys.ts';
import { PLACEHOLDER, type Token } from './sql.ts';

/** Where a table or key is declared. */
export interface Place {
  file: string;
  line: number;
}

export type SqlKey = Omit<SqlForeignKey, 'at'>;

export type SqlChange =
  | { kind: 'create'; table: string; at: Place }
  | { kind: 'key'; key: SqlKey; at: Place }
  /** `cascade`: DROP … CASCADE, which drops the keys pointing at the tables too */
  | { kind: 'drop'; tables: string[]; cascade: boolean }
  | { kind: 'rename'; from: string; to: string; at: Place }
  | { kind: 'drop-constraint'; table: string; name: string };

export interface SqlSchema {
  tables: ({ table: string } & Place)[];
  foreignKeys: (Omit<SqlKey, 'constraint'> & Place)[];
}

interface KeyState {
  key: SqlKey;
  at: Place;
  /** the table it points at was dropped (without CASCADE) and not created again yet */
  dangling: boolean;
}

/** Postgres's name for an unnamed key, `<table>_<columns>_fkey` (its 63-byte cut aside). */
function defaultName(key: SqlKey): string {
  return `${key.table}_${key.columns.join('_')}_fkey`;
}

export function applySqlChanges(changes: Iterable<SqlChange>): SqlSchema {
  let tables: ({ table: string } & Place)[] = [];
  let keys: KeyState[] = [];
  for (const change of changes) {
    switch (change.kind) {
      case 'create':
        tables.push({ table: change.table, ...change.at });
        // MySQL and SQLite keep a key whose table was dropped under it; it holds again once the table is back
        for (const k of keys) if (k.key.references === change.table) k.dangling = false;
        break;
      case 'key':
        keys.push({ key: change.key, at: change.at, dangling: false });
        break;
      case 'drop': {
        const dropped = new Set(change.tables);
        tables = tables.filter((t) => !dropped.has(t.table));
        keys = keys.filter((k) => !dropped.has(k.key.table) && !(change.cascade && dropped.has(k.key.references)));
        for (const k of keys) if (dropped.has(k.key.references)) k.dangling = true;
        break;
      }
      case 'rename': {
        const { from, to } = change;
        tables = tables.filter((t) => t.table !== from);
        tables.push({ table: to, ...change.at });
        for (const k of keys) {
          if (k.key.table === from) k.key = { ...k.key, table: to };
          if (k.key.references === from) k.key = { ...k.key, references: to };
        }
        break;
      }
      case 'drop-constraint': {
        const name = change.name.toLowerCase();
        keys = keys.filter((k) => k.key.table !== change.table || (k.key.constraint ?? defaultName(k.key)).toLowerCase() !== name);
        break;
      }
    }
  }
  const foreignKeys = keys.filter((k) => !k.dangling).map(({ key: { constraint: _constraint, ...key }, at }) => ({ ...key, ...at }));
  return { tables, foreignKeys };
}

/** `DROP [TEMPORARY] TABLE [IF EXISTS] a, b [CASCADE]` and MySQL's `RENAME TABLE a TO b, c TO d`. */
export function dropOrRename(tokens: Token[], place: (t: Token) => Place): SqlChange[] {
  let j = 1;
  if (tokens[0].upper === 'DROP' && tokens[j]?.upper === 'TEMPORARY') j++;
  if (tokens[j]?.upper !== 'TABLE') return [];
  j++;
  if (tokens[0].upper === 'DROP') {
    while (tokens[j] && ['IF', 'EXISTS'].includes(tokens[j].upper)) j++;
    const tables: string[] = [];
    for (;;) {
      const { name, next } = qualifiedName(tokens, j);
      if (!name) break;
      tables.push(name);
      if (tokens[next]?.text !== ',') break;
      j = next + 1;
    }
    return tables.length > 0 ? [{ kind: 'drop', tables, cascade: tokens.some((t) => t.upper === 'CASCADE') }] : [];
  }
  const renames: SqlChange[] = [];
  for (;;) {
    const from = qualifiedName(tokens, j);
    if (!from.name || tokens[from.next]?.upper !== 'TO') break;
    const to = qualifiedName(tokens, from.next + 1);
    if (!to.name) break;
    renames.push({ kind: 'rename', from: from.name, to: to.name, at: place(tokens[0]) });
    if (tokens[to.next]?.text !== ',') break;
    j = to.next + 1;
  }
  return renames;
}

/** `ALTER TABLE t RENAME TO u` (also `RENAME AS`), `ALTER TABLE t DROP CONSTRAINT [IF EXISTS] c, DROP FOREIGN KEY c`. */
export function alterTable(tokens: Token[], place: (t: Token) => Place): SqlChange[] {
  if (tokens[1]?.upper !== 'TABLE') return [];
  let j = 2;
  while (tokens[j] && ['IF', 'EXISTS', 'ONLY'].includes(tokens[j].upper)) j++;
  const { name: table, next } = qualifiedName(tokens, j);
  if (!table) return [];
  const changes: SqlChange[] = [];
  let depth = 0;
  for (let i = next; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth !== 0 || t.kind !== 'word') continue;
    // each action starts the statement's rest or follows a comma
    if (i !== next && tokens[i - 1].text !== ',') continue;
    if (t.upper === 'RENAME' && (tokens[i + 1]?.upper === 'TO' || tokens[i + 1]?.upper === 'AS')) {
      const { name: to } = qualifiedName(tokens, i + 2);
      if (to) changes.push({ kind: 'rename', from: table, to, at: place(tokens[0]) });
    } else if (t.upper === 'DROP' && (tokens[i + 1]?.upper === 'CONSTRAINT' || (tokens[i + 1]?.upper === 'FOREIGN' && tokens[i + 2]?.upper === 'KEY'))) {
      let k = tokens[i + 1].upper === 'CONSTRAINT' ? i + 2 : i + 3;
      while (tokens[k] && ['IF', 'EXISTS'].includes(tokens[k].upper)) k++;
      const name = tokens[k];
      if (name && name.kind !== 'punct' && !name.text.includes(PLACEHOLDER)) changes.push({ kind: 'drop-constraint', table, name: name.text });
    }
  }
  return changes;
}

// Tables and foreign keys declared in `.sql` files (schema.sql, db/init.sql, migrations/001_init.sql,
// migrations/*/up.sql, Flyway's V1__init.sql): statement by statement, the up half of a migration only,
// with comments and dollar-quoted bodies (Postgres functions, DO blocks) left out. Tables are named as the
// SQL in code names them (sql.ts: the last part of a qualified name, as written), so one table is one name. DROP TABLE,
// renames and dropped constraints are applied in file order across the files (sql-schema-changes.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AccessCollector } from './access-collector.ts';
import type { LoadedProject } from './project.ts';
import { foreignKeysInSql, qualifiedName } from './sql-foreign-keys.ts';
import { alterTable, applySqlChanges, dropOrRename, type Place, type SqlChange, type SqlSchema } from './sql-schema-changes.ts';
import { tokenize, type Token } from './sql.ts';
import type { Warning } from './types.ts';

/** A statement's text, its comments and dollar-quoted bodies blanked (offsets and lines kept); `at`: its offset in the file. */
interface Statement {
  at: number;
  text: string;
}

/** Words between CREATE and TABLE that still make a table. */
const CREATE_TABLE_MODIFIERS = new Set(['OR', 'REPLACE', 'GLOBAL', 'LOCAL', 'TEMP', 'TEMPORARY', 'UNLOGGED', 'VIRTUAL']);

/**
 * Comment lines that open a migration's up or down half: dbmate (`-- migrate:up`), node-pg-migrate
 * (`-- Up Migration`), goose and sql-migrate (`-- +goose Up`, `-- +migrate Down`).
 */
const SECTION = /^--\s*(?:migrate:(up|down)\b|(up|down)\s+migration\b|\+(?:goose|migrate)\s+(up|down)\b)/i;

/** Files that undo a migration: diesel's `down.sql`, golang-migrate's `1_init.down.sql`, Flyway's undo `U2__drop.sql`. */
export function isDownMigration(rel: string): boolean {
  const name = path.posix.basename(rel).toLowerCase();
  return name === 'down.sql' || name.endsWith('.down.sql') || /^u\d[\w.]*__/.test(name);
}

/** The schema one file leaves on its own (as the first file read). */
export function schemaInSqlFile(text: string): SqlSchema {
  return applySqlChanges(changesInSqlFile(text, ''));
}

/** What each statement does to the schema, in file order: a table or a key declared, a table dropped or renamed, a key dropped. */
export function changesInSqlFile(text: string, file: string): SqlChange[] {
  const lineAt = lineFinder(text);
  const changes: SqlChange[] = [];
  for (const statement of statements(text)) {
    const tokens = tokenize(statement.text);
    const place = (t: Token): Place => ({ file, line: lineAt(statement.at + t.at) });
    const verb = tokens[0]?.upper;
    if (verb === 'DROP' || verb === 'RENAME') {
      changes.push(...dropOrRename(tokens, place));
      continue;
    }
    if (verb !== 'CREATE' && verb !== 'ALTER') continue;
    if (verb === 'CREATE') {
      let j = 1;
      while (tokens[j] && CREATE_TABLE_MODIFIERS.has(tokens[j].upper)) j++;
      if (tokens[j]?.upper !== 'TABLE') continue;
      j++;
      while (tokens[j] && ['IF', 'NOT', 'EXISTS'].includes(tokens[j].upper)) j++;
      const { name } = qualifiedName(tokens, j);
      if (name) changes.push({ kind: 'create', table: name, at: place(tokens[0]) });
    } else {
      // before the statement's keys: DROP CONSTRAINT c, ADD CONSTRAINT c … replaces the key
      changes.push(...alterTable(tokens, place));
    }
    if (!/\breferences\b/i.test(statement.text)) continue;
    for (const { at, ...key } of foreignKeysInSql(statement.text)) changes.push({ kind: 'key', key, at: { file, line: lineAt(statement.at + at) } });
  }
  return changes;
}

/** A line of its own that ends a batch (SQL Server's `GO`) or sets the statement terminator (MySQL's `DELIMITER //`). */
const DIRECTIVE = /[ \t]*(?:(go)|delimiter[ \t]+(\S+))[ \t]*(?=\r?\n|$)/iy;

/** A file written for MySQL (mysqldump's `/*!40101 … *\/`, backquoted names, `ENGINE=`), whose strings escape quotes with a backslash. */
const MYSQL_FLAVOUR = /`|\/\*!\d|\bENGINE\s*=/i;

/** `COPY … FROM stdin;` (pg_dump's data blocks), after the comments that lead the statement. */
const COPY_FROM_STDIN = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*copy\b[\s\S]*\bfrom\s+stdin\b/i;

/** The line that ends a COPY data block. */
const END_OF_COPY = /^\\\.[ \t]*\r?$/m;

/**
 * The file's statements, split at semicolons (or the DELIMITER set, or GO lines) outside strings, quoted names,
 * comments and dollar quotes. Comments, string contents and `$tag$ … $tag$` bodies are blanked; so are the rows of
 * pg_dump's `COPY … FROM stdin;` (any text, up to a `\.` line) and every down section, from its marker to the next up
 * marker.
 */
function statements(text: string): Statement[] {
  const blanks: [number, number][] = [];
  /** statement ends: where one stops, where the next starts */
  const cuts: [number, number][] = [];
  let delimiter = ';';
  const n = text.length;
  const backslashEscapes = MYSQL_FLAVOUR.test(text);
  let downFrom = -1;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (i === 0 || text[i - 1] === '\n') {
      DIRECTIVE.lastIndex = i;
      const directive = DIRECTIVE.exec(text);
      if (directive) {
        if (directive[2]) delimiter = directive[2];
        blanks.push([i, DIRECTIVE.lastIndex]);
        cuts.push([i, DIRECTIVE.lastIndex]);
        i = DIRECTIVE.lastIndex;
        continue;
      }
    }
    if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? n : nl;
      const section = SECTION.exec(text.slice(i, end));
      const half = section && (section[1] ?? section[2] ?? section[3]).toLowerCase();
      if (half === 'down' && downFrom < 0) downFrom = i;
      else if (half === 'up' && downFrom >= 0) {
        blanks.push([downFrom, i]);
        downFrom = -1;
      }
      blanks.push([i, end]);
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      blanks.push([i, end]);
      i = end;
    } else if (c === "'") {
      // Postgres's E'…' escapes with a backslash too; its contents never name a table, so they are blanked
      const escapes = backslashEscapes || (/[eE]/.test(text[i - 1] ?? '') && !/[\w$]/.test(text[i - 2] ?? ''));
      const open = i++;
      while (i < n && !(text[i] === "'" && text[i + 1] !== "'")) i += text[i] === "'" || (escapes && text[i] === '\\') ? 2 : 1;
      blanks.push([open + 1, Math.min(i, n)]);
      i++;
    } else if (c === '"' || c === '`') {
      const close = text.indexOf(c, i + 1);
      i = close < 0 ? n : close + 1;
    } else if (c === '$' && delimiter === ';' && !/[\w$]/.test(text[i - 1] ?? '')) {
      // (once MySQL's DELIMITER is set, often to `$$`, there are no dollar quotes)
      const tag = /\$(?:[A-Za-z_]\w*)?\$/y;
      tag.lastIndex = i;
      const open = tag.exec(text);
      if (!open) {
        i++;
        continue;
      }
      const close = text.indexOf(open[0], i + open[0].length);
      const end = close < 0 ? n : close + open[0].length;
      blanks.push([i, end]);
      i = end;
    } else if (text.startsWith(delimiter, i)) {
      const from = cuts.length > 0 ? cuts[cuts.length - 1][1] : 0;
      if (delimiter === ';' && COPY_FROM_STDIN.test(text.slice(from, i))) {
        // the rows that follow are data, not SQL: quotes, semicolons and dashes in them mean nothing
        const rows = text.indexOf('\n', i);
        const end = END_OF_COPY.exec(text.slice(rows < 0 ? n : rows));
        const next = rows < 0 ? n : end ? rows + end.index + end[0].length : n;
        blanks.push([i + 1, next]);
        cuts.push([i, next]);
        i = next;
        continue;
      }
      cuts.push([i, i + delimiter.length]);
      i += delimiter.length;
    } else {
      i++;
    }
  }
  if (downFrom >= 0) blanks.push([downFrom, n]);
  const masked = blank(text, blanks);
  const out: Statement[] = [];
  let start = 0;
  for (const [end, next] of [...cuts, [n, n]]) {
    out.push({ at: start, text: masked.slice(start, end) });
    start = next;
  }
  return out;
}

/** The text with the ranges' characters turned to spaces, newlines kept (ranges may overlap; in order of their start or nested). */
function blank(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let from = 0;
  for (const [s, e] of ranges) {
    if (e <= from) continue;
    const start = Math.max(s, from);
    out += text.slice(from, start) + text.slice(start, e).replace(/[^\n]/g, ' ');
    from = e;
  }
  return out + text.slice(from);
}

/** offset → 1-based line */
function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * Reads the project's `.sql` files (down halves of migrations left out) into declared tables and keys, `via: 'sql'`:
 * their statements applied in the order the walk gives the files (by name, folder by folder: `001_` before `002_`),
 * so a table dropped or renamed by a later migration takes its keys along.
 */
export function loadSqlFiles(project: LoadedProject, out: AccessCollector, warnings: Warning[]): void {
  const changes: SqlChange[] = [];
  for (const file of project.sqlFiles) {
    if (isDownMigration(file.rel)) continue;
    let text: string;
    try {
      text = readFileSync(file.abs, 'utf8');
    } catch (err) {
      warnings.push({ file: file.rel, message: `cannot read ${file.rel}: ${(err as Error).message}` });
      continue;
    }
    try {
      changes.push(...changesInSqlFile(text, file.rel));
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      warnings.push({ file: file.rel, message: `${file.rel}: reading its SQL failed (${reason}); tables and keys from this file are incomplete` });
    }
  }
  const { tables, foreignKeys } = applySqlChanges(changes);
  for (const t of tables) out.declare({ ...t, via: 'sql' });
  for (const key of foreignKeys) out.foreignKey({ ...key, via: 'sql' });
}

// Opens a service's own SQLite database, creates its schema and, when it is empty, fills it from the
// committed export of the monolith's tables that the service owns (seed/monolith-export.json).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface TableExport {
  columns: string[];
  rows: unknown[][];
}

export interface MonolithExport {
  /** where the rows came from, for humans */
  source: string;
  tables: Record<string, TableExport>;
}

export function openServiceDatabase(path: string, schema: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const conn = new Database(path);
  if (path !== ':memory:') conn.pragma('journal_mode = WAL');
  conn.exec(schema);
  return conn;
}

export function isEmpty(conn: Database.Database, table: string): boolean {
  return (conn.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n === 0;
}

export function readExport(file: URL): MonolithExport {
  return JSON.parse(readFileSync(file, 'utf8')) as MonolithExport;
}

/** Inserts every exported row, in one transaction, keeping the monolith's ids. */
export function loadExport(conn: Database.Database, data: MonolithExport, tables: readonly string[]): void {
  conn.transaction(() => {
    for (const table of tables) {
      const t = data.tables[table];
      if (!t) throw new Error(`the export has no table ${table}`);
      const insert = conn.prepare(`INSERT INTO "${table}" (${t.columns.map((c) => `"${c}"`).join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`);
      for (const row of t.rows) insert.run(...row);
    }
  })();
}

/**
 * Copies the owned tables straight from a monolith database file (the migration a real team would run
 * at cut-over). Columns are taken from the target's schema, so extra monolith columns are left behind.
 */
export function copyFromMonolith(conn: Database.Database, monolithDbPath: string, tables: readonly string[]): void {
  conn.prepare('ATTACH DATABASE ? AS legacy').run(monolithDbPath);
  try {
    conn.transaction(() => {
      for (const table of tables) {
        const cols = (conn.prepare(`PRAGMA main.table_info("${table}")`).all() as { name: string }[]).map((c) => `"${c.name}"`).join(', ');
        conn.exec(`DELETE FROM main."${table}"; INSERT INTO main."${table}" (${cols}) SELECT ${cols} FROM legacy."${table}" ORDER BY rowid`);
      }
    })();
  } finally {
    conn.exec('DETACH DATABASE legacy');
  }
}

/** Reads the owned tables of a monolith database file into the export format. */
export function exportFromMonolith(monolithDbPath: string, tables: readonly string[], source: string): MonolithExport {
  const conn = new Database(monolithDbPath, { readonly: true, fileMustExist: true });
  try {
    const out: MonolithExport = { source, tables: {} };
    for (const table of tables) {
      const stmt = conn.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw(true);
      out.tables[table] = { columns: stmt.columns().map((c) => c.name), rows: stmt.all() as unknown[][] };
    }
    return out;
  } finally {
    conn.close();
  }
}

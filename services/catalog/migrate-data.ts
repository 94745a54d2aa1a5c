// The catalog's data: the tables it owns, its schema, and the copy from a monolith database file.
// CLI: tsx services/catalog/migrate-data.ts <monolith.sqlite> <catalog.sqlite>
import type Database from 'better-sqlite3';
import { copyFromMonolith, isEmpty, loadExport, openServiceDatabase, readExport } from '../kit/database.ts';
import { isMain } from '../kit/main.ts';

export const CATALOG_TABLES = ['authors', 'categories', 'books'] as const;

export const CATALOG_SCHEMA = `
CREATE TABLE IF NOT EXISTS authors (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL, born INTEGER
);
CREATE TABLE IF NOT EXISTS categories (
  id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS books (
  id INTEGER PRIMARY KEY, isbn TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
  author_id INTEGER NOT NULL REFERENCES authors(id), category_id INTEGER NOT NULL REFERENCES categories(id),
  price_cents INTEGER NOT NULL, published_year INTEGER NOT NULL, pages INTEGER NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_books_author ON books(author_id);
CREATE INDEX IF NOT EXISTS idx_books_category ON books(category_id);
`;

export const CATALOG_EXPORT = new URL('./seed/monolith-export.json', import.meta.url);

/** Fills an empty catalog database: from a monolith database file when given, else from the committed export. */
export function seedCatalog(conn: Database.Database, monolithDbPath?: string): void {
  if (!isEmpty(conn, 'books')) return;
  if (monolithDbPath) copyFromMonolith(conn, monolithDbPath, CATALOG_TABLES);
  else loadExport(conn, readExport(CATALOG_EXPORT), CATALOG_TABLES);
}

if (isMain(import.meta.url)) {
  const [source, target] = process.argv.slice(2);
  if (!source || !target) {
    process.stderr.write('usage: tsx services/catalog/migrate-data.ts <monolith.sqlite> <catalog.sqlite>\n');
    process.exit(2);
  }
  const conn = openServiceDatabase(target, CATALOG_SCHEMA);
  copyFromMonolith(conn, source, CATALOG_TABLES);
  conn.close();
  process.stdout.write(`copied ${CATALOG_TABLES.join(', ')} from ${source} into ${target}\n`);
}

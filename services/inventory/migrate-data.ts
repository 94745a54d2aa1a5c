// The inventory's data: the tables it owns, its schema, and the copy from a monolith database file.
// CLI: tsx services/inventory/migrate-data.ts <monolith.sqlite> <inventory.sqlite>
import type Database from 'better-sqlite3';
import { copyFromMonolith, isEmpty, loadExport, openServiceDatabase, readExport } from '../kit/database.ts';
import { isMain } from '../kit/main.ts';

export const INVENTORY_TABLES = ['fulfillment_centers', 'stock', 'reservations'] as const;

export const INVENTORY_SCHEMA = `
CREATE TABLE IF NOT EXISTS fulfillment_centers (
  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, region TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stock (
  book_id INTEGER NOT NULL, center_id INTEGER NOT NULL, quantity INTEGER NOT NULL, reserved INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (book_id, center_id)
);
CREATE TABLE IF NOT EXISTS reservations (
  id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, center_id INTEGER NOT NULL, quantity INTEGER NOT NULL,
  order_id INTEGER, status TEXT NOT NULL, created_at TEXT NOT NULL
);
`;

export const INVENTORY_EXPORT = new URL('./seed/monolith-export.json', import.meta.url);

/** Fills an empty inventory database: from a monolith database file when given, else from the committed export. */
export function seedInventory(conn: Database.Database, monolithDbPath?: string): void {
  if (!isEmpty(conn, 'fulfillment_centers')) return;
  if (monolithDbPath) copyFromMonolith(conn, monolithDbPath, INVENTORY_TABLES);
  else loadExport(conn, readExport(INVENTORY_EXPORT), INVENTORY_TABLES);
}

if (isMain(import.meta.url)) {
  const [source, target] = process.argv.slice(2);
  if (!source || !target) {
    process.stderr.write('usage: tsx services/inventory/migrate-data.ts <monolith.sqlite> <inventory.sqlite>\n');
    process.exit(2);
  }
  const conn = openServiceDatabase(target, INVENTORY_SCHEMA);
  copyFromMonolith(conn, source, INVENTORY_TABLES);
  conn.close();
  process.stdout.write(`copied ${INVENTORY_TABLES.join(', ')} from ${source} into ${target}\n`);
}

// The reviews service's data: the one table it owns, its schema, and the copy from a monolith database file.
// CLI: tsx services/reviews/migrate-data.ts <monolith.sqlite> <reviews.sqlite>
import type Database from 'better-sqlite3';
import { copyFromMonolith, isEmpty, loadExport, openServiceDatabase, readExport } from '../kit/database.ts';
import { isMain } from '../kit/main.ts';

export const REVIEWS_TABLES = ['reviews'] as const;

export const REVIEWS_SCHEMA = `
CREATE TABLE IF NOT EXISTS reviews (
  id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, customer_id INTEGER NOT NULL, rating INTEGER NOT NULL,
  title TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_reviews_book ON reviews(book_id);
`;

export const REVIEWS_EXPORT = new URL('./seed/monolith-export.json', import.meta.url);

/** Fills an empty reviews database: from a monolith database file when given, else from the committed export. */
export function seedReviews(conn: Database.Database, monolithDbPath?: string): void {
  if (!isEmpty(conn, 'reviews')) return;
  if (monolithDbPath) copyFromMonolith(conn, monolithDbPath, REVIEWS_TABLES);
  else loadExport(conn, readExport(REVIEWS_EXPORT), REVIEWS_TABLES);
}

if (isMain(import.meta.url)) {
  const [source, target] = process.argv.slice(2);
  if (!source || !target) {
    process.stderr.write('usage: tsx services/reviews/migrate-data.ts <monolith.sqlite> <reviews.sqlite>\n');
    process.exit(2);
  }
  const conn = openServiceDatabase(target, REVIEWS_SCHEMA);
  copyFromMonolith(conn, source, REVIEWS_TABLES);
  conn.close();
  process.stdout.write(`copied ${REVIEWS_TABLES.join(', ')} from ${source} into ${target}\n`);
}

// Reviews and ratings over the service's own reviews table; book data comes from the catalog client.
import type Database from 'better-sqlite3';
import { notFound } from '../kit/http.ts';
import type { BookRef, CatalogClient } from './catalog-client.ts';

export interface ReviewRow {
  id: number;
  bookId: number;
  customerId: number;
  rating: number;
  title: string;
  body: string;
  createdAt: string;
}

const REVIEW_SELECT = 'SELECT id, book_id AS bookId, customer_id AS customerId, rating, title, body, created_at AS createdAt FROM reviews';

/** One decimal, as the product team asked for the new rating widget (the monolith used two): a documented divergence. */
function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export async function requireBook(catalog: CatalogClient, bookId: number): Promise<BookRef> {
  const book = await catalog.getBook(bookId);
  if (!book) throw notFound('book', bookId);
  return book;
}

export async function ratingSummary(conn: Database.Database, catalog: CatalogClient, bookId: number) {
  const book = await requireBook(catalog, bookId);
  const row = conn.prepare('SELECT AVG(rating) AS avg, COUNT(*) AS n FROM reviews WHERE book_id = ?').get(bookId) as { avg: number | null; n: number };
  const distribution: Record<string, number> = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  const rows = conn.prepare('SELECT rating, COUNT(*) AS n FROM reviews WHERE book_id = ? GROUP BY rating').all(bookId) as { rating: number; n: number }[];
  for (const r of rows) distribution[String(r.rating)] = r.n;
  return { bookId: book.id, title: book.title, average: row.avg === null ? null : round1(row.avg), count: row.n, distribution };
}

export async function reviewsForBook(conn: Database.Database, catalog: CatalogClient, bookId: number, limit: number, offset: number) {
  const book = await requireBook(catalog, bookId);
  const items = conn.prepare(`${REVIEW_SELECT} WHERE book_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`).all(bookId, limit, offset) as ReviewRow[];
  const { n } = conn.prepare('SELECT COUNT(*) AS n FROM reviews WHERE book_id = ?').get(bookId) as { n: number };
  return { book: { id: book.id, title: book.title }, items, total: n };
}

function withTitle(r: ReviewRow, bookTitle: string) {
  return { id: r.id, bookId: r.bookId, bookTitle, customerId: r.customerId, rating: r.rating, title: r.title, body: r.body, createdAt: r.createdAt };
}

export async function getReview(conn: Database.Database, catalog: CatalogClient, id: number) {
  const r = conn.prepare(`${REVIEW_SELECT} WHERE id = ?`).get(id) as ReviewRow | undefined;
  if (!r) throw notFound('review', id);
  const book = await catalog.getBook(r.bookId);
  // the monolith inner-joined books: a review of a deleted book is not found
  if (!book) throw notFound('review', id);
  return withTitle(r, book.title);
}

export async function recentReviews(conn: Database.Database, catalog: CatalogClient, limit: number) {
  const rows = conn.prepare(`${REVIEW_SELECT} ORDER BY created_at DESC, id DESC LIMIT ?`).all(limit) as ReviewRow[];
  const titles = await catalog.titles(rows.map((r) => r.bookId));
  return rows.filter((r) => titles.has(r.bookId)).map((r) => withTitle(r, titles.get(r.bookId) as string));
}

export function addReview(conn: Database.Database, bookId: number, customerId: number, rating: number, title: string, body: string): number {
  const info = conn
    .prepare('INSERT INTO reviews (book_id, customer_id, rating, title, body, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(bookId, customerId, rating, title, body, new Date().toISOString());
  return Number(info.lastInsertRowid);
}

export function deleteReview(conn: Database.Database, id: number): void {
  const info = conn.prepare('DELETE FROM reviews WHERE id = ?').run(id);
  if (info.changes === 0) throw notFound('review', id);
}

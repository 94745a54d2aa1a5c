// Ratings and reviews SQL. Imports the catalog to check that a book exists (and catalog imports the
// rating back for its book detail): the catalog <-> reviews cycle.
import { db } from '../db.ts';
import { getBookRow } from '../catalog/books.ts';
import { badRequest, notFound, round2 } from '../utils.ts';

export interface Rating {
  average: number | null;
  count: number;
}

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

export function ratingFor(bookId: number): Rating {
  const row = db().prepare('SELECT AVG(rating) AS avg, COUNT(*) AS n FROM reviews WHERE book_id = ?').get(bookId) as { avg: number | null; n: number };
  return { average: row.avg === null ? null : round2(row.avg), count: row.n };
}

export function ratingSummary(bookId: number) {
  const book = getBookRow(bookId);
  const rating = ratingFor(bookId);
  const distribution: Record<string, number> = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  const rows = db().prepare('SELECT rating, COUNT(*) AS n FROM reviews WHERE book_id = ? GROUP BY rating').all(bookId) as { rating: number; n: number }[];
  for (const r of rows) distribution[String(r.rating)] = r.n;
  return { bookId: book.id, title: book.title, average: rating.average, count: rating.count, distribution };
}

export function reviewsForBook(bookId: number, limit: number, offset: number) {
  const book = getBookRow(bookId);
  const items = db()
    .prepare(`${REVIEW_SELECT} WHERE book_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
    .all(bookId, limit, offset) as ReviewRow[];
  const { n } = db().prepare('SELECT COUNT(*) AS n FROM reviews WHERE book_id = ?').get(bookId) as { n: number };
  return { book: { id: book.id, title: book.title }, items, total: n };
}

export function getReview(id: number) {
  const row = db()
    .prepare('SELECT r.id, r.book_id AS bookId, b.title AS bookTitle, r.customer_id AS customerId, r.rating, r.title, r.body, r.created_at AS createdAt FROM reviews r JOIN books b ON b.id = r.book_id WHERE r.id = ?')
    .get(id);
  if (!row) throw notFound('review', id);
  return row as ReviewRow & { bookTitle: string };
}

export function recentReviews(limit: number) {
  return db()
    .prepare('SELECT r.id, r.book_id AS bookId, b.title AS bookTitle, r.customer_id AS customerId, r.rating, r.title, r.body, r.created_at AS createdAt FROM reviews r JOIN books b ON b.id = r.book_id ORDER BY r.created_at DESC, r.id DESC LIMIT ?')
    .all(limit) as (ReviewRow & { bookTitle: string })[];
}

export function addReview(bookId: number, customerId: number, rating: number, title: string, body: string): number {
  getBookRow(bookId);
  if (!db().prepare('SELECT 1 FROM customers WHERE id = ?').get(customerId)) throw badRequest(`customerId ${customerId} does not exist`);
  const info = db()
    .prepare('INSERT INTO reviews (book_id, customer_id, rating, title, body, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(bookId, customerId, rating, title, body, new Date().toISOString());
  return Number(info.lastInsertRowid);
}

export function deleteReview(id: number): void {
  const info = db().prepare('DELETE FROM reviews WHERE id = ?').run(id);
  if (info.changes === 0) throw notFound('review', id);
}

// Books: the SQL and the JSON shapes of the catalog. Book detail embeds the rating from reviews,
// and reviews imports findBookRow from here: the catalog <-> reviews import cycle.
import { db } from '../db.ts';
import { ratingFor, type Rating } from '../reviews/ratings.ts';
import { badRequest, HttpError, notFound, toPrice } from '../utils.ts';

export interface BookRow {
  id: number;
  isbn: string;
  title: string;
  author_id: number;
  author_name: string;
  category_id: number;
  category_slug: string;
  category_name: string;
  price_cents: number;
  published_year: number;
  pages: number;
}

export interface BookSummary {
  id: number;
  isbn: string;
  title: string;
  authorId: number;
  author: string;
  category: string;
  price: number;
  publishedYear: number;
}

export interface BookDetail {
  id: number;
  isbn: string;
  title: string;
  author: { id: number; name: string };
  category: { id: number; slug: string; name: string };
  price: number;
  publishedYear: number;
  pages: number;
  rating: Rating;
}

export const BOOK_SELECT = `SELECT b.id, b.isbn, b.title, b.author_id, a.name AS author_name, b.category_id,
  c.slug AS category_slug, c.name AS category_name, b.price_cents, b.published_year, b.pages
  FROM books b JOIN authors a ON a.id = b.author_id JOIN categories c ON c.id = b.category_id`;

const SORTS: Record<string, string> = {
  id: 'b.id',
  title: 'b.title',
  price: 'b.price_cents',
  year: 'b.published_year',
};

/** ORDER BY for a user-chosen sort; ties (same price, same title…) always fall back to the book id. */
export function orderClause(sort: unknown, order: unknown): string {
  const key = sort === undefined ? 'id' : String(sort);
  const column = SORTS[key];
  if (!column) throw badRequest(`sort must be one of ${Object.keys(SORTS).join(', ')}`);
  const dir = order === undefined || order === 'asc' ? 'ASC' : order === 'desc' ? 'DESC' : undefined;
  if (!dir) throw badRequest('order must be asc or desc');
  return column === 'b.id' ? `b.id ${dir}` : `${column} ${dir}, b.id ASC`;
}

export function toSummary(row: BookRow): BookSummary {
  return {
    id: row.id,
    isbn: row.isbn,
    title: row.title,
    authorId: row.author_id,
    author: row.author_name,
    category: row.category_slug,
    price: toPrice(row.price_cents),
    publishedYear: row.published_year,
  };
}

export function toDetail(row: BookRow): BookDetail {
  return {
    id: row.id,
    isbn: row.isbn,
    title: row.title,
    author: { id: row.author_id, name: row.author_name },
    category: { id: row.category_id, slug: row.category_slug, name: row.category_name },
    price: toPrice(row.price_cents),
    publishedYear: row.published_year,
    pages: row.pages,
    rating: ratingFor(row.id),
  };
}

export function findBookRow(id: number): BookRow | undefined {
  return db().prepare(`${BOOK_SELECT} WHERE b.id = ?`).get(id) as BookRow | undefined;
}

export function getBookRow(id: number): BookRow {
  const row = findBookRow(id);
  if (!row) throw notFound('book', id);
  return row;
}

export function listBooks(opts: { where?: string; params?: unknown[]; orderBy: string; limit: number; offset: number }) {
  const where = opts.where ? `WHERE ${opts.where}` : '';
  const params = opts.params ?? [];
  const rows = db()
    .prepare(`${BOOK_SELECT} ${where} ORDER BY ${opts.orderBy} LIMIT ? OFFSET ?`)
    .all(...params, opts.limit, opts.offset) as BookRow[];
  const { n } = db().prepare(`SELECT COUNT(*) AS n FROM books b JOIN authors a ON a.id = b.author_id JOIN categories c ON c.id = b.category_id ${where}`).get(...params) as { n: number };
  return { items: rows.map(toSummary), total: n };
}

export interface NewBook {
  isbn: string;
  title: string;
  authorId: number;
  categoryId: number;
  priceCents: number;
  publishedYear: number;
  pages: number;
}

export function insertBook(b: NewBook): number {
  const conn = db();
  if (!conn.prepare('SELECT 1 FROM authors WHERE id = ?').get(b.authorId)) throw badRequest(`authorId ${b.authorId} does not exist`);
  if (!conn.prepare('SELECT 1 FROM categories WHERE id = ?').get(b.categoryId)) throw badRequest(`categoryId ${b.categoryId} does not exist`);
  if (conn.prepare('SELECT 1 FROM books WHERE isbn = ?').get(b.isbn)) throw new HttpError(409, 'conflict', `a book with isbn ${b.isbn} already exists`);
  const info = conn
    .prepare('INSERT INTO books (isbn, title, author_id, category_id, price_cents, published_year, pages, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(b.isbn, b.title, b.authorId, b.categoryId, b.priceCents, b.publishedYear, b.pages, new Date().toISOString());
  // new books start with zero stock in every center (catalog writes inventory's table directly)
  conn.prepare('INSERT INTO stock (book_id, center_id, quantity, reserved) SELECT ?, id, 0, 0 FROM fulfillment_centers').run(info.lastInsertRowid);
  return Number(info.lastInsertRowid);
}

export function updateBook(id: number, b: Omit<NewBook, 'isbn' | 'authorId'>): void {
  getBookRow(id);
  if (!db().prepare('SELECT 1 FROM categories WHERE id = ?').get(b.categoryId)) throw badRequest(`categoryId ${b.categoryId} does not exist`);
  db()
    .prepare('UPDATE books SET title = ?, category_id = ?, price_cents = ?, published_year = ?, pages = ? WHERE id = ?')
    .run(b.title, b.categoryId, b.priceCents, b.publishedYear, b.pages, id);
}

export function deleteBook(id: number): void {
  getBookRow(id);
  const conn = db();
  const ordered = conn.prepare('SELECT COUNT(*) AS n FROM order_items WHERE book_id = ?').get(id) as { n: number };
  if (ordered.n > 0) throw new HttpError(409, 'conflict', `book ${id} appears in ${ordered.n} order lines and cannot be deleted`);
  conn.transaction(() => {
    conn.prepare('DELETE FROM stock WHERE book_id = ?').run(id);
    conn.prepare('DELETE FROM reviews WHERE book_id = ?').run(id);
    conn.prepare('DELETE FROM cart_items WHERE book_id = ?').run(id);
    conn.prepare('DELETE FROM books WHERE id = ?').run(id);
  })();
}

export function setPrice(id: number, priceCents: number): { previous: number } {
  const row = getBookRow(id);
  db().prepare('UPDATE books SET price_cents = ? WHERE id = ?').run(priceCents, id);
  return { previous: row.price_cents };
}

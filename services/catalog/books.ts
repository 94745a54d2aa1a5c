// Books SQL and JSON shapes, moved out of the monolith's catalog module. The book detail no longer
// embeds the rating: ratings belong to the reviews service now (a documented divergence).
import type Database from 'better-sqlite3';
import { badRequest, HttpError, notFound } from '../kit/http.ts';
import { toPrice } from '../kit/input.ts';

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

const BOOK_SELECT = `SELECT b.id, b.isbn, b.title, b.author_id, a.name AS author_name, b.category_id,
  c.slug AS category_slug, c.name AS category_name, b.price_cents, b.published_year, b.pages
  FROM books b JOIN authors a ON a.id = b.author_id JOIN categories c ON c.id = b.category_id`;

const SORTS: Record<string, string> = {
  id: 'b.id',
  title: 'b.title',
  price: 'b.price_cents',
  year: 'b.published_year',
};

/** ORDER BY for a user-chosen sort; ties always fall back to the book id, as in the monolith. */
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

export function toDetail(row: BookRow) {
  return {
    id: row.id,
    isbn: row.isbn,
    title: row.title,
    author: { id: row.author_id, name: row.author_name },
    category: { id: row.category_id, slug: row.category_slug, name: row.category_name },
    price: toPrice(row.price_cents),
    publishedYear: row.published_year,
    pages: row.pages,
  };
}

export function getBookRow(conn: Database.Database, id: number): BookRow {
  const row = conn.prepare(`${BOOK_SELECT} WHERE b.id = ?`).get(id) as BookRow | undefined;
  if (!row) throw notFound('book', id);
  return row;
}

export function listBooks(conn: Database.Database, opts: { where?: string; params?: unknown[]; orderBy: string; limit: number; offset: number }) {
  const where = opts.where ? `WHERE ${opts.where}` : '';
  const params = opts.params ?? [];
  const rows = conn.prepare(`${BOOK_SELECT} ${where} ORDER BY ${opts.orderBy} LIMIT ? OFFSET ?`).all(...params, opts.limit, opts.offset) as BookRow[];
  const { n } = conn
    .prepare(`SELECT COUNT(*) AS n FROM books b JOIN authors a ON a.id = b.author_id JOIN categories c ON c.id = b.category_id ${where}`)
    .get(...params) as { n: number };
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

export function insertBook(conn: Database.Database, b: NewBook): number {
  if (!conn.prepare('SELECT 1 FROM authors WHERE id = ?').get(b.authorId)) throw badRequest(`authorId ${b.authorId} does not exist`);
  if (!conn.prepare('SELECT 1 FROM categories WHERE id = ?').get(b.categoryId)) throw badRequest(`categoryId ${b.categoryId} does not exist`);
  if (conn.prepare('SELECT 1 FROM books WHERE isbn = ?').get(b.isbn)) throw new HttpError(409, 'conflict', `a book with isbn ${b.isbn} already exists`);
  const info = conn
    .prepare('INSERT INTO books (isbn, title, author_id, category_id, price_cents, published_year, pages, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(b.isbn, b.title, b.authorId, b.categoryId, b.priceCents, b.publishedYear, b.pages, new Date().toISOString());
  return Number(info.lastInsertRowid);
}

export function updateBook(conn: Database.Database, id: number, b: Omit<NewBook, 'isbn' | 'authorId'>): void {
  getBookRow(conn, id);
  if (!conn.prepare('SELECT 1 FROM categories WHERE id = ?').get(b.categoryId)) throw badRequest(`categoryId ${b.categoryId} does not exist`);
  conn
    .prepare('UPDATE books SET title = ?, category_id = ?, price_cents = ?, published_year = ?, pages = ? WHERE id = ?')
    .run(b.title, b.categoryId, b.priceCents, b.publishedYear, b.pages, id);
}

export function deleteBook(conn: Database.Database, id: number): void {
  getBookRow(conn, id);
  conn.prepare('DELETE FROM books WHERE id = ?').run(id);
}

export function setPrice(conn: Database.Database, id: number, priceCents: number): { previous: number } {
  const row = getBookRow(conn, id);
  conn.prepare('UPDATE books SET price_cents = ? WHERE id = ?').run(priceCents, id);
  return { previous: row.price_cents };
}

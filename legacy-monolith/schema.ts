// Every table of the bookshop, in one place, the way the monolith grew: any module may read any table.
import type Database from 'better-sqlite3';

export const SCHEMA = `
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
CREATE TABLE IF NOT EXISTS customers (
  id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, password_hash TEXT NOT NULL,
  region TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS addresses (
  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, line1 TEXT NOT NULL, city TEXT NOT NULL,
  postcode TEXT NOT NULL, region TEXT NOT NULL, is_default INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
  token TEXT PRIMARY KEY, customer_id INTEGER NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cart_items (
  customer_id INTEGER NOT NULL, book_id INTEGER NOT NULL, quantity INTEGER NOT NULL, added_at TEXT NOT NULL,
  PRIMARY KEY (customer_id, book_id)
);
CREATE TABLE IF NOT EXISTS orders (
  id INTEGER PRIMARY KEY, reference TEXT NOT NULL, customer_id INTEGER NOT NULL, status TEXT NOT NULL,
  total_cents INTEGER NOT NULL, center_id INTEGER, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS order_items (
  id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, book_id INTEGER NOT NULL, quantity INTEGER NOT NULL,
  unit_price_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
  id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, amount_cents INTEGER NOT NULL, card_last4 TEXT NOT NULL,
  status TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shipments (
  id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, center_id INTEGER NOT NULL, status TEXT NOT NULL,
  tracking TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
  id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, customer_id INTEGER NOT NULL, rating INTEGER NOT NULL,
  title TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_books_author ON books(author_id);
CREATE INDEX IF NOT EXISTS idx_books_category ON books(category_id);
CREATE INDEX IF NOT EXISTS idx_order_items_order ON order_items(order_id);
CREATE INDEX IF NOT EXISTS idx_order_items_book ON order_items(book_id);
CREATE INDEX IF NOT EXISTS idx_orders_customer ON orders(customer_id);
CREATE INDEX IF NOT EXISTS idx_reviews_book ON reviews(book_id);
`;

export function createSchema(conn: Database.Database): void {
  conn.exec(SCHEMA);
}

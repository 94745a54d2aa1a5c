// The shopping cart, one per customer, priced from the books table at read time.
import { db } from '../db.ts';
import { notFound, toPrice } from '../utils.ts';

export interface CartLine {
  bookId: number;
  title: string;
  quantity: number;
  unitPrice: number;
  lineTotal: number;
}

export interface CartLineRow {
  bookId: number;
  title: string;
  quantity: number;
  priceCents: number;
}

export function cartRows(customerId: number): CartLineRow[] {
  return db()
    .prepare(
      `SELECT ci.book_id AS bookId, b.title, ci.quantity, b.price_cents AS priceCents FROM cart_items ci
       JOIN books b ON b.id = ci.book_id WHERE ci.customer_id = ? ORDER BY ci.added_at, ci.book_id`,
    )
    .all(customerId) as CartLineRow[];
}

export function cartView(customerId: number): { items: CartLine[]; itemCount: number; total: number } {
  const rows = cartRows(customerId);
  const items = rows.map((r) => ({ bookId: r.bookId, title: r.title, quantity: r.quantity, unitPrice: toPrice(r.priceCents), lineTotal: toPrice(r.priceCents * r.quantity) }));
  return {
    items,
    itemCount: rows.reduce((n, r) => n + r.quantity, 0),
    total: toPrice(rows.reduce((sum, r) => sum + r.priceCents * r.quantity, 0)),
  };
}

export function addToCart(customerId: number, bookId: number, quantity: number): void {
  if (!db().prepare('SELECT 1 FROM books WHERE id = ?').get(bookId)) throw notFound('book', bookId);
  db()
    .prepare(
      `INSERT INTO cart_items (customer_id, book_id, quantity, added_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (customer_id, book_id) DO UPDATE SET quantity = quantity + excluded.quantity`,
    )
    .run(customerId, bookId, quantity, new Date().toISOString());
}

export function setCartQuantity(customerId: number, bookId: number, quantity: number): void {
  const info = db().prepare('UPDATE cart_items SET quantity = ? WHERE customer_id = ? AND book_id = ?').run(quantity, customerId, bookId);
  if (info.changes === 0) throw notFound('cart item for book', bookId);
}

export function removeFromCart(customerId: number, bookId: number): void {
  const info = db().prepare('DELETE FROM cart_items WHERE customer_id = ? AND book_id = ?').run(customerId, bookId);
  if (info.changes === 0) throw notFound('cart item for book', bookId);
}

export function clearCart(customerId: number): void {
  db().prepare('DELETE FROM cart_items WHERE customer_id = ?').run(customerId);
}

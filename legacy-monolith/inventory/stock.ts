// Stock per fulfillment center and reservations. quantity = units on the shelf and free to sell;
// reserved = units held for orders that have not shipped yet.
import { db } from '../db.ts';
import { HttpError, notFound } from '../utils.ts';

export interface CenterStock {
  centerId: number;
  code: string;
  region: string;
  quantity: number;
  reserved: number;
}

export interface Reservation {
  id: number;
  bookId: number;
  centerId: number;
  quantity: number;
  orderId: number | null;
  status: string;
  createdAt: string;
}

export function stockFor(bookId: number): { bookId: number; totalAvailable: number; centers: CenterStock[] } {
  const centers = db()
    .prepare(
      `SELECT s.center_id AS centerId, f.code, f.region, s.quantity, s.reserved FROM stock s
       JOIN fulfillment_centers f ON f.id = s.center_id WHERE s.book_id = ? ORDER BY s.center_id`,
    )
    .all(bookId) as CenterStock[];
  if (centers.length === 0) throw notFound('stock for book', bookId);
  return { bookId, totalAvailable: centers.reduce((sum, c) => sum + c.quantity, 0), centers };
}

export function setQuantity(bookId: number, centerId: number, quantity: number): CenterStock {
  const info = db().prepare('UPDATE stock SET quantity = ? WHERE book_id = ? AND center_id = ?').run(quantity, bookId, centerId);
  if (info.changes === 0) throw notFound('stock row for book/center', `${bookId}/${centerId}`);
  const entry = stockFor(bookId).centers.find((c) => c.centerId === centerId);
  return entry as CenterStock;
}

export function reserve(bookId: number, centerId: number, quantity: number, orderId: number | null): Reservation {
  const conn = db();
  const row = conn.prepare('SELECT quantity FROM stock WHERE book_id = ? AND center_id = ?').get(bookId, centerId) as { quantity: number } | undefined;
  if (!row) throw notFound('stock row for book/center', `${bookId}/${centerId}`);
  if (row.quantity < quantity) {
    throw new HttpError(409, 'insufficient_stock', `only ${row.quantity} of book ${bookId} left at center ${centerId}, ${quantity} requested`, {
      bookId,
      centerId,
      available: row.quantity,
      requested: quantity,
    });
  }
  conn.prepare('UPDATE stock SET quantity = quantity - ?, reserved = reserved + ? WHERE book_id = ? AND center_id = ?').run(quantity, quantity, bookId, centerId);
  const createdAt = new Date().toISOString();
  const info = conn
    .prepare("INSERT INTO reservations (book_id, center_id, quantity, order_id, status, created_at) VALUES (?, ?, ?, ?, 'held', ?)")
    .run(bookId, centerId, quantity, orderId, createdAt);
  return { id: Number(info.lastInsertRowid), bookId, centerId, quantity, orderId, status: 'held', createdAt };
}

export function release(reservationId: number): Reservation {
  const conn = db();
  const r = conn
    .prepare('SELECT id, book_id AS bookId, center_id AS centerId, quantity, order_id AS orderId, status, created_at AS createdAt FROM reservations WHERE id = ?')
    .get(reservationId) as Reservation | undefined;
  if (!r) throw notFound('reservation', reservationId);
  if (r.status !== 'held') throw new HttpError(409, 'conflict', `reservation ${reservationId} is already ${r.status}`);
  conn.prepare('UPDATE stock SET quantity = quantity + ?, reserved = reserved - ? WHERE book_id = ? AND center_id = ?').run(r.quantity, r.quantity, r.bookId, r.centerId);
  conn.prepare("UPDATE reservations SET status = 'released' WHERE id = ?").run(reservationId);
  return { ...r, status: 'released' };
}

export function releaseForOrder(orderId: number): void {
  const ids = db().prepare("SELECT id FROM reservations WHERE order_id = ? AND status = 'held'").all(orderId) as { id: number }[];
  for (const { id } of ids) release(id);
}

// Stock per fulfillment center and reservations, moved out of the monolith's inventory module.
// quantity = units free to sell; reserved = units held for orders that have not shipped.
import type Database from 'better-sqlite3';
import { HttpError, notFound } from '../kit/http.ts';

export interface CenterStock {
  centerId: number;
  code: string;
  region: string;
  quantity: number;
  reserved?: number;
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

export function stockFor(conn: Database.Database, bookId: number): { bookId: number; totalAvailable: number; centers: CenterStock[] } {
  const rows = conn
    .prepare(
      `SELECT s.center_id AS centerId, f.code, f.region, s.quantity, s.reserved FROM stock s
       JOIN fulfillment_centers f ON f.id = s.center_id WHERE s.book_id = ? ORDER BY s.center_id`,
    )
    .all(bookId) as Required<CenterStock>[];
  if (rows.length === 0) throw notFound('stock for book', bookId);
  // The rewrite leaves `reserved` out for empty centers ("nothing on the shelf, nothing to hold"):
  // a documented divergence from the monolith, which always sends it.
  const centers = rows.map((r) => (r.quantity === 0 ? { centerId: r.centerId, code: r.code, region: r.region, quantity: r.quantity } : r));
  return { bookId, totalAvailable: rows.reduce((sum, c) => sum + c.quantity, 0), centers };
}

export function setQuantity(conn: Database.Database, bookId: number, centerId: number, quantity: number): CenterStock {
  const info = conn.prepare('UPDATE stock SET quantity = ? WHERE book_id = ? AND center_id = ?').run(quantity, bookId, centerId);
  if (info.changes === 0) throw notFound('stock row for book/center', `${bookId}/${centerId}`);
  return stockFor(conn, bookId).centers.find((c) => c.centerId === centerId) as CenterStock;
}

export function reserve(conn: Database.Database, bookId: number, centerId: number, quantity: number, orderId: number | null): Reservation {
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

export function release(conn: Database.Database, reservationId: number): Reservation {
  const r = conn
    .prepare('SELECT id, book_id AS bookId, center_id AS centerId, quantity, order_id AS orderId, status, created_at AS createdAt FROM reservations WHERE id = ?')
    .get(reservationId) as Reservation | undefined;
  if (!r) throw notFound('reservation', reservationId);
  if (r.status !== 'held') throw new HttpError(409, 'conflict', `reservation ${reservationId} is already ${r.status}`);
  conn.prepare('UPDATE stock SET quantity = quantity + ?, reserved = reserved - ? WHERE book_id = ? AND center_id = ?').run(r.quantity, r.quantity, r.bookId, r.centerId);
  conn.prepare("UPDATE reservations SET status = 'released' WHERE id = ?").run(reservationId);
  return { ...r, status: 'released' };
}

// Picks the fulfillment center for an order (all lines from one center; the customer's region first)
// and manages shipments. Reads the stock table directly rather than asking inventory.
import { randomUUID } from 'node:crypto';
import { db } from '../db.ts';
import { HttpError, notFound } from '../utils.ts';

export interface LineRequest {
  bookId: number;
  quantity: number;
}

export interface Center {
  id: number;
  code: string;
  region: string;
}

export interface ShipmentView {
  id: number;
  orderId: number;
  centerId: number;
  status: string;
  tracking: string;
  createdAt: string;
}

export function pickCenter(lines: LineRequest[], region: string): Center {
  const centers = db().prepare('SELECT id, code, region FROM fulfillment_centers ORDER BY (region = ?) DESC, id').all(region) as Center[];
  const qty = db().prepare('SELECT quantity FROM stock WHERE book_id = ? AND center_id = ?');
  for (const center of centers) {
    const ok = lines.every((l) => ((qty.get(l.bookId, center.id) as { quantity: number } | undefined)?.quantity ?? 0) >= l.quantity);
    if (ok) return center;
  }
  throw new HttpError(409, 'insufficient_stock', 'no single fulfillment center can ship every line of this order', { lines });
}

export function createShipment(orderId: number, centerId: number): ShipmentView {
  const info = db()
    .prepare("INSERT INTO shipments (order_id, center_id, status, tracking, created_at) VALUES (?, ?, 'pending', ?, ?)")
    .run(orderId, centerId, `TRK${randomUUID().slice(0, 8).toUpperCase()}`, new Date().toISOString());
  return getShipment(Number(info.lastInsertRowid));
}

const SHIPMENT_SELECT = 'SELECT id, order_id AS orderId, center_id AS centerId, status, tracking, created_at AS createdAt FROM shipments';

export function getShipment(id: number): ShipmentView {
  const row = db().prepare(`${SHIPMENT_SELECT} WHERE id = ?`).get(id) as ShipmentView | undefined;
  if (!row) throw notFound('shipment', id);
  return row;
}

export function shipmentForOrder(orderId: number): ShipmentView | null {
  return (db().prepare(`${SHIPMENT_SELECT} WHERE order_id = ? ORDER BY id DESC LIMIT 1`).get(orderId) as ShipmentView | undefined) ?? null;
}

export function pendingAt(centerId: number): ShipmentView[] {
  return db().prepare(`${SHIPMENT_SELECT} WHERE center_id = ? AND status = 'pending' ORDER BY created_at, id`).all(centerId) as ShipmentView[];
}

const NEXT: Record<string, string> = { pending: 'shipped', shipped: 'delivered' };

export function advanceShipment(id: number, status: string): ShipmentView {
  const s = getShipment(id);
  if (NEXT[s.status] !== status) throw new HttpError(409, 'conflict', `shipment ${id} is ${s.status}; it cannot become ${status}`);
  const conn = db();
  conn.transaction(() => {
    conn.prepare('UPDATE shipments SET status = ? WHERE id = ?').run(status, id);
    conn.prepare('UPDATE orders SET status = ? WHERE id = ?').run(status, s.orderId);
    if (status === 'shipped') {
      // the held units leave the building: fulfillment writes inventory's tables directly
      const held = conn.prepare("SELECT id, book_id, center_id, quantity FROM reservations WHERE order_id = ? AND status = 'held'").all(s.orderId) as {
        id: number;
        book_id: number;
        center_id: number;
        quantity: number;
      }[];
      for (const r of held) {
        conn.prepare('UPDATE stock SET reserved = reserved - ? WHERE book_id = ? AND center_id = ?').run(r.quantity, r.book_id, r.center_id);
        conn.prepare("UPDATE reservations SET status = 'consumed' WHERE id = ?").run(r.id);
      }
    }
  })();
  return getShipment(id);
}

export function cancelShipment(orderId: number): void {
  db().prepare("UPDATE shipments SET status = 'cancelled' WHERE order_id = ? AND status = 'pending'").run(orderId);
}

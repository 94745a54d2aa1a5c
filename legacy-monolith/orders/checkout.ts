// Checkout: the cart becomes an order. Reserves stock, charges the card, creates the shipment and empties
// the cart, all in one transaction, reaching straight into books, stock and cart_items on the way.
import { db } from '../db.ts';
import { clearCart, cartRows } from '../cart/cart.ts';
import { reserve, releaseForOrder } from '../inventory/stock.ts';
import { charge, paymentForOrder, refund, type Card } from '../payments/processor.ts';
import { cancelShipment, createShipment, pickCenter, shipmentForOrder } from '../fulfillment/assign.ts';
import type { SessionCustomer } from '../middleware/auth.ts';
import { HttpError, newReference, notFound, toPrice } from '../utils.ts';

export function orderDetail(orderId: number, customerId: number) {
  const order = db()
    .prepare('SELECT id, reference, status, total_cents AS totalCents, center_id AS centerId, created_at AS createdAt FROM orders WHERE id = ? AND customer_id = ?')
    .get(orderId, customerId) as { id: number; reference: string; status: string; totalCents: number; centerId: number | null; createdAt: string } | undefined;
  if (!order) throw notFound('order', orderId);
  const lines = db()
    .prepare(
      `SELECT oi.book_id AS bookId, b.title, oi.quantity, oi.unit_price_cents AS unitPriceCents FROM order_items oi
       JOIN books b ON b.id = oi.book_id WHERE oi.order_id = ? ORDER BY oi.id`,
    )
    .all(orderId) as { bookId: number; title: string; quantity: number; unitPriceCents: number }[];
  const payment = paymentForOrder(orderId);
  const shipment = shipmentForOrder(orderId);
  return {
    id: order.id,
    reference: order.reference,
    status: order.status,
    total: toPrice(order.totalCents),
    centerId: order.centerId,
    createdAt: order.createdAt,
    items: lines.map((l) => ({ bookId: l.bookId, title: l.title, quantity: l.quantity, unitPrice: toPrice(l.unitPriceCents), lineTotal: toPrice(l.unitPriceCents * l.quantity) })),
    payment: payment && { id: payment.id, status: payment.status, amount: payment.amount, cardLast4: payment.cardLast4 },
    shipment: shipment && { id: shipment.id, status: shipment.status, centerId: shipment.centerId, tracking: shipment.tracking },
  };
}

export function checkout(customer: SessionCustomer, card: Card): number {
  const conn = db();
  const lines = cartRows(customer.id);
  if (lines.length === 0) throw new HttpError(400, 'cart_empty', 'the cart is empty; POST /cart/items first');

  // Stock check across all centers first, so the error can say which book is short.
  const totalStock = conn.prepare('SELECT COALESCE(SUM(quantity), 0) AS n FROM stock WHERE book_id = ?');
  for (const line of lines) {
    const { n } = totalStock.get(line.bookId) as { n: number };
    if (n < line.quantity) {
      throw new HttpError(409, 'insufficient_stock', `only ${n} of "${line.title}" (book ${line.bookId}) in stock, ${line.quantity} in the cart`, {
        bookId: line.bookId,
        available: n,
        requested: line.quantity,
      });
    }
  }

  return conn.transaction(() => {
    const center = pickCenter(lines, customer.region);
    const totalCents = lines.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);
    const info = conn
      .prepare("INSERT INTO orders (reference, customer_id, status, total_cents, center_id, created_at) VALUES (?, ?, 'pending', ?, ?, ?)")
      .run(newReference('ORD'), customer.id, totalCents, center.id, new Date().toISOString());
    const orderId = Number(info.lastInsertRowid);
    const item = conn.prepare('INSERT INTO order_items (order_id, book_id, quantity, unit_price_cents) VALUES (?, ?, ?, ?)');
    for (const line of lines) {
      item.run(orderId, line.bookId, line.quantity, line.priceCents);
      reserve(line.bookId, center.id, line.quantity, orderId);
    }
    charge(orderId, totalCents, card);
    createShipment(orderId, center.id);
    conn.prepare("UPDATE orders SET status = 'paid' WHERE id = ?").run(orderId);
    clearCart(customer.id);
    return orderId;
  })();
}

export function cancelOrder(orderId: number, customerId: number): void {
  const order = orderDetail(orderId, customerId);
  if (order.status !== 'paid') throw new HttpError(409, 'conflict', `order ${orderId} is ${order.status}; only paid orders that have not shipped can be cancelled`);
  const conn = db();
  conn.transaction(() => {
    releaseForOrder(orderId);
    if (order.payment) refund(order.payment.id);
    cancelShipment(orderId);
    conn.prepare("UPDATE orders SET status = 'cancelled' WHERE id = ?").run(orderId);
  })();
}

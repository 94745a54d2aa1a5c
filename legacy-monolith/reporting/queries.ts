// Reporting SQL: joins across every module's tables (orders, order_items, books, categories, authors, stock).
import { db } from '../db.ts';
import { toPrice } from '../utils.ts';

export function salesByCategory() {
  const rows = db()
    .prepare(
      `SELECT c.slug AS category, c.name, COUNT(DISTINCT o.id) AS orders, COALESCE(SUM(oi.quantity), 0) AS units,
       COALESCE(SUM(oi.quantity * oi.unit_price_cents), 0) AS revenueCents
       FROM categories c LEFT JOIN books b ON b.category_id = c.id
       LEFT JOIN order_items oi ON oi.book_id = b.id
       LEFT JOIN orders o ON o.id = oi.order_id
       WHERE o.id IS NULL OR o.status <> 'cancelled'
       GROUP BY c.id ORDER BY revenueCents DESC, c.slug`,
    )
    .all() as { category: string; name: string; orders: number; units: number; revenueCents: number }[];
  return rows.map((r) => ({ category: r.category, name: r.name, orders: r.orders, units: r.units, revenue: toPrice(r.revenueCents) }));
}

export function topSellers(limit: number) {
  const rows = db()
    .prepare(
      `SELECT b.id AS bookId, b.title, a.name AS author, SUM(oi.quantity) AS units, SUM(oi.quantity * oi.unit_price_cents) AS revenueCents
       FROM order_items oi JOIN orders o ON o.id = oi.order_id AND o.status <> 'cancelled'
       JOIN books b ON b.id = oi.book_id JOIN authors a ON a.id = b.author_id
       GROUP BY b.id ORDER BY units DESC, revenueCents DESC, b.id LIMIT ?`,
    )
    .all(limit) as { bookId: number; title: string; author: string; units: number; revenueCents: number }[];
  return rows.map((r) => ({ bookId: r.bookId, title: r.title, author: r.author, units: r.units, revenue: toPrice(r.revenueCents) }));
}

export function stockAlerts(threshold: number) {
  return db()
    .prepare(
      `SELECT b.id AS bookId, b.title, SUM(s.quantity) AS totalQuantity, SUM(CASE WHEN s.quantity = 0 THEN 1 ELSE 0 END) AS centersOut
       FROM books b JOIN stock s ON s.book_id = b.id GROUP BY b.id HAVING SUM(s.quantity) <= ?
       ORDER BY totalQuantity, b.id`,
    )
    .all(threshold) as { bookId: number; title: string; totalQuantity: number; centersOut: number }[];
}

export function dailySales(from: string, to: string) {
  const rows = db()
    .prepare(
      `SELECT substr(o.created_at, 1, 10) AS date, COUNT(*) AS orders, SUM(o.total_cents) AS revenueCents
       FROM orders o WHERE o.status <> 'cancelled' AND substr(o.created_at, 1, 10) BETWEEN ? AND ?
       GROUP BY date ORDER BY date`,
    )
    .all(from, to) as { date: string; orders: number; revenueCents: number }[];
  return rows.map((r) => ({ date: r.date, orders: r.orders, revenue: toPrice(r.revenueCents) }));
}

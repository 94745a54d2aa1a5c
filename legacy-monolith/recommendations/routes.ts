// /recommendations: "customers who bought X also bought", best sellers, and picks for a customer.
// Reads orders and order_items (and books) directly: no other module is asked.
import express from 'express';
import { db } from '../db.ts';
import { getBookRow } from '../catalog/books.ts';
import { notFound, parseId, parsePaging, toPrice } from '../utils.ts';

export const recommendationsRouter = express.Router();

recommendationsRouter.get('/also-bought/:bookId', (req, res) => {
  const book = getBookRow(parseId(req.params.bookId, 'bookId'));
  const { limit } = parsePaging(req.query, 5, 20);
  const rows = db()
    .prepare(
      `SELECT other.book_id AS bookId, b.title, b.price_cents AS priceCents, COUNT(DISTINCT other.order_id) AS timesBoughtTogether
       FROM order_items mine JOIN order_items other ON other.order_id = mine.order_id AND other.book_id <> mine.book_id
       JOIN orders o ON o.id = mine.order_id AND o.status <> 'cancelled'
       JOIN books b ON b.id = other.book_id
       WHERE mine.book_id = ? GROUP BY other.book_id ORDER BY timesBoughtTogether DESC, other.book_id LIMIT ?`,
    )
    .all(book.id, limit) as { bookId: number; title: string; priceCents: number; timesBoughtTogether: number }[];
  res.json({
    bookId: book.id,
    items: rows.map((r) => ({ bookId: r.bookId, title: r.title, price: toPrice(r.priceCents), timesBoughtTogether: r.timesBoughtTogether })),
  });
});

recommendationsRouter.get('/popular', (req, res) => {
  const { limit } = parsePaging(req.query, 10, 50);
  const items = db()
    .prepare(
      `SELECT oi.book_id AS bookId, b.title, SUM(oi.quantity) AS unitsSold FROM order_items oi
       JOIN orders o ON o.id = oi.order_id AND o.status <> 'cancelled' JOIN books b ON b.id = oi.book_id
       GROUP BY oi.book_id ORDER BY unitsSold DESC, oi.book_id LIMIT ?`,
    )
    .all(limit);
  res.json({ items, limit });
});

recommendationsRouter.get('/customers/:customerId', (req, res) => {
  const customerId = parseId(req.params.customerId, 'customerId');
  if (!db().prepare('SELECT 1 FROM customers WHERE id = ?').get(customerId)) throw notFound('customer', customerId);
  const { limit } = parsePaging(req.query, 5, 20);
  // the customer's favourite category = most units bought; ties go to the lower category id
  const favourite = db()
    .prepare(
      `SELECT b.category_id AS categoryId FROM order_items oi JOIN orders o ON o.id = oi.order_id JOIN books b ON b.id = oi.book_id
       WHERE o.customer_id = ? GROUP BY b.category_id ORDER BY SUM(oi.quantity) DESC, b.category_id LIMIT 1`,
    )
    .get(customerId) as { categoryId: number } | undefined;
  if (!favourite) {
    res.json({ customerId, basedOnCategory: null, items: [] });
    return;
  }
  const items = db()
    .prepare(
      `SELECT b.id AS bookId, b.title, COALESCE(SUM(oi.quantity), 0) AS unitsSold FROM books b
       LEFT JOIN order_items oi ON oi.book_id = b.id
       WHERE b.category_id = ? AND b.id NOT IN (
         SELECT oi2.book_id FROM order_items oi2 JOIN orders o2 ON o2.id = oi2.order_id WHERE o2.customer_id = ?)
       GROUP BY b.id ORDER BY unitsSold DESC, b.id LIMIT ?`,
    )
    .all(favourite.categoryId, customerId, limit);
  const category = db().prepare('SELECT slug FROM categories WHERE id = ?').get(favourite.categoryId) as { slug: string };
  res.json({ customerId, basedOnCategory: category.slug, items });
});

// /orders: checkout, order history and cancellation. Mounted behind requireAuth in app.ts.
import express from 'express';
import { db } from '../db.ts';
import { currentCustomer } from '../middleware/auth.ts';
import { parseCard } from '../payments/processor.ts';
import { cancelOrder, checkout, orderDetail } from './checkout.ts';
import { bodyOf, parseId, parsePaging, toPrice } from '../utils.ts';

export const ordersRouter = express.Router();

ordersRouter.post('/', (req, res) => {
  const customer = currentCustomer(res);
  const card = parseCard(bodyOf(req.body).card);
  const orderId = checkout(customer, card);
  res.status(201).json(orderDetail(orderId, customer.id));
});

ordersRouter.get('/', (req, res) => {
  const customerId = currentCustomer(res).id;
  const paging = parsePaging(req.query);
  const rows = db()
    .prepare(
      `SELECT o.id, o.reference, o.status, o.total_cents AS totalCents, o.created_at AS createdAt,
       (SELECT COALESCE(SUM(quantity), 0) FROM order_items WHERE order_id = o.id) AS itemCount
       FROM orders o WHERE o.customer_id = ? ORDER BY o.created_at DESC, o.id DESC LIMIT ? OFFSET ?`,
    )
    .all(customerId, paging.limit, paging.offset) as { id: number; reference: string; status: string; totalCents: number; createdAt: string; itemCount: number }[];
  const { n } = db().prepare('SELECT COUNT(*) AS n FROM orders WHERE customer_id = ?').get(customerId) as { n: number };
  const items = rows.map((r) => ({ id: r.id, reference: r.reference, status: r.status, total: toPrice(r.totalCents), itemCount: r.itemCount, createdAt: r.createdAt }));
  res.json({ items, total: n, ...paging });
});

ordersRouter.get('/:id', (req, res) => {
  res.json(orderDetail(parseId(req.params.id), currentCustomer(res).id));
});

ordersRouter.post('/:id/cancel', (req, res) => {
  const customerId = currentCustomer(res).id;
  const id = parseId(req.params.id);
  cancelOrder(id, customerId);
  res.json(orderDetail(id, customerId));
});

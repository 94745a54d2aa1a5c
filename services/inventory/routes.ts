// /inventory: centers, stock per book, manual stock corrections and reservations.
import express from 'express';
import type Database from 'better-sqlite3';
import { release, reserve, setQuantity, stockFor } from './stock.ts';
import { badRequest } from '../kit/http.ts';
import { bodyOf, parseId, parsePaging, requireInt } from '../kit/input.ts';

export function inventoryRouter(conn: Database.Database): express.Router {
  const router = express.Router();

  router.get('/centers', (req, res) => {
    const items = conn
      .prepare(
        `SELECT f.id, f.code, f.name, f.region, COALESCE(SUM(s.quantity), 0) AS totalUnits
         FROM fulfillment_centers f LEFT JOIN stock s ON s.center_id = f.id GROUP BY f.id ORDER BY f.id`,
      )
      .all();
    res.json({ items });
  });

  router.get('/low-stock', (req, res) => {
    const threshold = req.query.threshold === undefined ? 3 : Number(req.query.threshold);
    if (!Number.isInteger(threshold) || threshold < 0 || threshold > 1000) throw badRequest('threshold must be an integer between 0 and 1000');
    const paging = parsePaging(req.query, 50, 500);
    const items = conn
      .prepare(
        `SELECT s.book_id AS bookId, s.center_id AS centerId, f.code, s.quantity FROM stock s
         JOIN fulfillment_centers f ON f.id = s.center_id WHERE s.quantity <= ?
         ORDER BY s.quantity, s.book_id, s.center_id LIMIT ? OFFSET ?`,
      )
      .all(threshold, paging.limit, paging.offset);
    const { n } = conn.prepare('SELECT COUNT(*) AS n FROM stock WHERE quantity <= ?').get(threshold) as { n: number };
    res.json({ threshold, items, total: n, ...paging });
  });

  router.post('/reservations', (req, res) => {
    const body = bodyOf(req.body);
    const orderId = body.orderId === undefined ? null : requireInt(body, 'orderId', 1, 1e9);
    const reservation = conn.transaction(() =>
      reserve(conn, requireInt(body, 'bookId', 1, 1e9), requireInt(body, 'centerId', 1, 1e9), requireInt(body, 'quantity', 1, 1000), orderId),
    )();
    res.status(201).json(reservation);
  });

  router.delete('/reservations/:id', (req, res) => {
    const id = parseId(req.params.id);
    res.json(conn.transaction(() => release(conn, id))());
  });

  router.get('/:bookId', (req, res) => {
    res.json(stockFor(conn, parseId(req.params.bookId, 'bookId')));
  });

  router.put('/:bookId/:centerId', (req, res) => {
    const bookId = parseId(req.params.bookId, 'bookId');
    const centerId = parseId(req.params.centerId, 'centerId');
    const quantity = requireInt(bodyOf(req.body), 'quantity', 0, 100000);
    res.json({ bookId, ...setQuantity(conn, bookId, centerId, quantity) });
  });

  return router;
}

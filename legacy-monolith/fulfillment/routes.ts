// /fulfillment: where an order would ship from, shipment tracking and each center's queue.
import express from 'express';
import { db } from '../db.ts';
import { advanceShipment, getShipment, pendingAt, pickCenter, type LineRequest } from './assign.ts';
import { badRequest, bodyOf, notFound, parseId, requireString } from '../utils.ts';

export const fulfillmentRouter = express.Router();

fulfillmentRouter.post('/quote', (req, res) => {
  const body = bodyOf(req.body);
  const region = requireString(body, 'region', 20);
  if (!Array.isArray(body.items) || body.items.length === 0) throw badRequest('items must be a non-empty array of { bookId, quantity }');
  const lines: LineRequest[] = body.items.map((raw: unknown, i: number) => {
    const item = raw as Record<string, unknown>;
    if (!Number.isInteger(item?.bookId) || !Number.isInteger(item?.quantity) || (item.quantity as number) < 1) {
      throw badRequest(`items[${i}] must be { bookId: integer, quantity: integer >= 1 }`);
    }
    return { bookId: item.bookId as number, quantity: item.quantity as number };
  });
  const center = pickCenter(lines, region);
  res.json({ centerId: center.id, code: center.code, region: center.region, sameRegion: center.region === region });
});

fulfillmentRouter.get('/shipments/:id', (req, res) => {
  res.json(getShipment(parseId(req.params.id)));
});

fulfillmentRouter.patch('/shipments/:id', (req, res) => {
  const status = requireString(bodyOf(req.body), 'status', 20);
  if (status !== 'shipped' && status !== 'delivered') throw badRequest('status must be shipped or delivered');
  res.json(advanceShipment(parseId(req.params.id), status));
});

fulfillmentRouter.get('/centers/:id/queue', (req, res) => {
  const id = parseId(req.params.id);
  const center = db().prepare('SELECT id, code, region FROM fulfillment_centers WHERE id = ?').get(id);
  if (!center) throw notFound('fulfillment center', id);
  const items = pendingAt(id);
  res.json({ center, items, total: items.length });
});

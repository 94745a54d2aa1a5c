// /reports: sales by category, top sellers, stock alerts, daily sales.
import express from 'express';
import { dailySales, salesByCategory, stockAlerts, topSellers } from './queries.ts';
import { badRequest, parsePaging } from '../utils.ts';

export const reportsRouter = express.Router();

reportsRouter.get('/sales-by-category', (req, res) => {
  res.json({ items: salesByCategory() });
});

reportsRouter.get('/top-sellers', (req, res) => {
  const { limit } = parsePaging(req.query, 10, 100);
  res.json({ items: topSellers(limit), limit });
});

reportsRouter.get('/stock-alerts', (req, res) => {
  const threshold = req.query.threshold === undefined ? 5 : Number(req.query.threshold);
  if (!Number.isInteger(threshold) || threshold < 0) throw badRequest('threshold must be a non-negative integer');
  const items = stockAlerts(threshold);
  res.json({ threshold, items, total: items.length });
});

function isoDate(value: unknown, name: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw badRequest(`${name} must be a date like 2024-03-01`);
  }
  return value;
}

reportsRouter.get('/daily-sales', (req, res) => {
  const from = isoDate(req.query.from, 'from');
  const to = isoDate(req.query.to, 'to');
  if (from > to) throw badRequest('from must not be after to');
  res.json({ from, to, days: dailySales(from, to) });
});

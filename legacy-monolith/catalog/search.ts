// /search: title and author search with paging and sort. The default sort is by price, and many books
// share a price, so the tie rule (book id) decides the order inside a price.
import express from 'express';
import { db } from '../db.ts';
import { listBooks, orderClause } from './books.ts';
import { badRequest, parsePaging } from '../utils.ts';

function queryText(value: unknown): string {
  const q = typeof value === 'string' ? value.trim() : '';
  if (q.length < 2 || q.length > 100) throw badRequest('q must be a search text of 2 to 100 characters');
  return q;
}

function likePattern(q: string): string {
  return `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
}

export const searchRouter = express.Router();

searchRouter.get('/', (req, res) => {
  const q = queryText(req.query.q);
  const paging = parsePaging(req.query);
  const like = likePattern(q);
  const page = listBooks({
    where: "(b.title LIKE ? ESCAPE '\\' OR a.name LIKE ? ESCAPE '\\')",
    params: [like, like],
    orderBy: orderClause(req.query.sort ?? 'price', req.query.order),
    ...paging,
  });
  res.json({ query: q, ...page, ...paging });
});

searchRouter.get('/suggest', (req, res) => {
  const q = queryText(req.query.q);
  const rows = db()
    .prepare("SELECT DISTINCT title FROM books WHERE title LIKE ? ESCAPE '\\' ORDER BY title LIMIT 10")
    .all(likePattern(q)) as { title: string }[];
  res.json({ query: q, suggestions: rows.map((r) => r.title) });
});

// /search: title and author search with paging; default sort by price, ties by book id.
import express from 'express';
import type Database from 'better-sqlite3';
import { listBooks, orderClause } from './books.ts';
import { badRequest } from '../kit/http.ts';
import { parsePaging } from '../kit/input.ts';

function queryText(value: unknown): string {
  const q = typeof value === 'string' ? value.trim() : '';
  if (q.length < 2 || q.length > 100) throw badRequest('q must be a search text of 2 to 100 characters');
  return q;
}

function likePattern(q: string): string {
  return `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
}

export function searchRouter(conn: Database.Database): express.Router {
  const router = express.Router();

  router.get('/', (req, res) => {
    const q = queryText(req.query.q);
    const paging = parsePaging(req.query);
    const like = likePattern(q);
    const page = listBooks(conn, {
      where: "(b.title LIKE ? ESCAPE '\\' OR a.name LIKE ? ESCAPE '\\')",
      params: [like, like],
      orderBy: orderClause(req.query.sort ?? 'price', req.query.order),
      ...paging,
    });
    res.json({ query: q, ...page, ...paging });
  });

  router.get('/suggest', (req, res) => {
    const q = queryText(req.query.q);
    const rows = conn.prepare("SELECT DISTINCT title FROM books WHERE title LIKE ? ESCAPE '\\' ORDER BY title LIMIT 10").all(likePattern(q)) as { title: string }[];
    res.json({ query: q, suggestions: rows.map((r) => r.title) });
  });

  return router;
}

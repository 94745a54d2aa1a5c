// /authors: the author list and profile, and an author's books.
import express from 'express';
import type Database from 'better-sqlite3';
import { listBooks, orderClause } from './books.ts';
import { notFound } from '../kit/http.ts';
import { bodyOf, parseId, parsePaging, requireInt, requireString } from '../kit/input.ts';

interface AuthorRow {
  id: number;
  name: string;
  country: string;
  born: number | null;
  bookCount: number;
}

const AUTHOR_SELECT = `SELECT a.id, a.name, a.country, a.born, COUNT(b.id) AS bookCount
  FROM authors a LEFT JOIN books b ON b.author_id = a.id`;

export function authorsRouter(conn: Database.Database): express.Router {
  const router = express.Router();
  const getAuthor = (id: number): AuthorRow => {
    const row = conn.prepare(`${AUTHOR_SELECT} WHERE a.id = ? GROUP BY a.id`).get(id) as AuthorRow | undefined;
    if (!row) throw notFound('author', id);
    return row;
  };

  router.get('/', (req, res) => {
    const paging = parsePaging(req.query);
    const items = conn.prepare(`${AUTHOR_SELECT} GROUP BY a.id ORDER BY a.name, a.id LIMIT ? OFFSET ?`).all(paging.limit, paging.offset);
    const { n } = conn.prepare('SELECT COUNT(*) AS n FROM authors').get() as { n: number };
    res.json({ items, total: n, ...paging });
  });

  router.post('/', (req, res) => {
    const body = bodyOf(req.body);
    const name = requireString(body, 'name', 120);
    const country = requireString(body, 'country', 2);
    const born = body.born === undefined ? null : requireInt(body, 'born', 1000, 2100);
    const info = conn.prepare('INSERT INTO authors (name, country, born) VALUES (?, ?, ?)').run(name, country, born);
    res.status(201).json(getAuthor(Number(info.lastInsertRowid)));
  });

  router.get('/:id', (req, res) => {
    res.json(getAuthor(parseId(req.params.id)));
  });

  router.get('/:id/books', (req, res) => {
    const author = getAuthor(parseId(req.params.id));
    const paging = parsePaging(req.query);
    const page = listBooks(conn, { where: 'b.author_id = ?', params: [author.id], orderBy: orderClause(req.query.sort, req.query.order), ...paging });
    res.json({ author: { id: author.id, name: author.name }, ...page, ...paging });
  });

  return router;
}

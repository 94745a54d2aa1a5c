// Categories rarely change, so the list is cached in module state (per database) and dropped on writes.
import express from 'express';
import type Database from 'better-sqlite3';
import { db } from '../db.ts';
import { listBooks, orderClause } from './books.ts';
import { bodyOf, HttpError, notFound, parsePaging, requireString, slugify } from '../utils.ts';

export interface Category {
  id: number;
  slug: string;
  name: string;
  bookCount: number;
}

const cache = new WeakMap<Database.Database, Category[]>();

export function listCategories(): Category[] {
  const conn = db();
  let cached = cache.get(conn);
  if (!cached) {
    cached = conn
      .prepare(
        `SELECT c.id, c.slug, c.name, COUNT(b.id) AS bookCount FROM categories c
         LEFT JOIN books b ON b.category_id = c.id GROUP BY c.id ORDER BY c.name, c.id`,
      )
      .all() as Category[];
    cache.set(conn, cached);
  }
  return cached;
}

export function invalidateCategories(): void {
  cache.delete(db());
}

export function categoryBySlug(slug: string): Category {
  const found = listCategories().find((c) => c.slug === slug);
  if (!found) throw notFound('category', slug);
  return found;
}

export const categoriesRouter = express.Router();

categoriesRouter.get('/:slug/books', (req, res) => {
  const category = categoryBySlug(req.params.slug);
  const paging = parsePaging(req.query);
  const page = listBooks({ where: 'b.category_id = ?', params: [category.id], orderBy: orderClause(req.query.sort, req.query.order), ...paging });
  res.json({ category: { id: category.id, slug: category.slug, name: category.name }, ...page, ...paging });
});

categoriesRouter.post('/', (req, res) => {
  const body = bodyOf(req.body);
  const name = requireString(body, 'name', 60);
  const slug = slugify(name);
  if (db().prepare('SELECT 1 FROM categories WHERE slug = ?').get(slug)) {
    throw new HttpError(409, 'conflict', `category ${slug} already exists`);
  }
  const info = db().prepare('INSERT INTO categories (slug, name) VALUES (?, ?)').run(slug, name);
  invalidateCategories();
  res.status(201).json({ id: Number(info.lastInsertRowid), slug, name, bookCount: 0 });
});

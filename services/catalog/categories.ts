// Categories, cached in memory per service instance and dropped on every catalog write.
import express from 'express';
import type Database from 'better-sqlite3';
import { listBooks, orderClause } from './books.ts';
import { bodyOf, parsePaging, requireString } from '../kit/input.ts';
import { HttpError, notFound } from '../kit/http.ts';

export interface Category {
  id: number;
  slug: string;
  name: string;
  bookCount: number;
}

export class CategoryCache {
  private cached: Category[] | undefined;
  constructor(private readonly conn: Database.Database) {}

  list(): Category[] {
    this.cached ??= this.conn
      .prepare(
        `SELECT c.id, c.slug, c.name, COUNT(b.id) AS bookCount FROM categories c
         LEFT JOIN books b ON b.category_id = c.id GROUP BY c.id ORDER BY c.name, c.id`,
      )
      .all() as Category[];
    return this.cached;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  bySlug(slug: string): Category {
    const found = this.list().find((c) => c.slug === slug);
    if (!found) throw notFound('category', slug);
    return found;
  }
}

function slugify(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function categoriesRouter(conn: Database.Database, categories: CategoryCache): express.Router {
  const router = express.Router();

  router.get('/', (req, res) => {
    res.json({ items: categories.list() });
  });

  router.get('/:slug/books', (req, res) => {
    const category = categories.bySlug(req.params.slug);
    const paging = parsePaging(req.query);
    const page = listBooks(conn, { where: 'b.category_id = ?', params: [category.id], orderBy: orderClause(req.query.sort, req.query.order), ...paging });
    res.json({ category: { id: category.id, slug: category.slug, name: category.name }, ...page, ...paging });
  });

  router.post('/', (req, res) => {
    const name = requireString(bodyOf(req.body), 'name', 60);
    const slug = slugify(name);
    if (conn.prepare('SELECT 1 FROM categories WHERE slug = ?').get(slug)) throw new HttpError(409, 'conflict', `category ${slug} already exists`);
    const info = conn.prepare('INSERT INTO categories (slug, name) VALUES (?, ?)').run(slug, name);
    categories.invalidate();
    res.status(201).json({ id: Number(info.lastInsertRowid), slug, name, bookCount: 0 });
  });

  return router;
}

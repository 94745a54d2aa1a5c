// /books: list, detail, create/update/delete and price changes.
import express from 'express';
import type Database from 'better-sqlite3';
import { deleteBook, getBookRow, insertBook, listBooks, orderClause, setPrice, toDetail, updateBook } from './books.ts';
import type { CategoryCache } from './categories.ts';
import { bodyOf, parseId, parsePaging, requireInt, requirePriceCents, requireString, toPrice } from '../kit/input.ts';

export function booksRouter(conn: Database.Database, categories: CategoryCache): express.Router {
  const router = express.Router();

  router.get('/', (req, res) => {
    const paging = parsePaging(req.query);
    const orderBy = orderClause(req.query.sort, req.query.order);
    const category = req.query.category === undefined ? undefined : categories.bySlug(String(req.query.category));
    const page = category
      ? listBooks(conn, { where: 'b.category_id = ?', params: [category.id], orderBy, ...paging })
      : listBooks(conn, { orderBy, ...paging });
    // The list DTO of the rewrite formats prices for display ("12.50"): a documented divergence.
    const items = page.items.map((b) => ({ ...b, price: b.price.toFixed(2) }));
    res.json({ items, total: page.total, ...paging });
  });

  router.post('/', (req, res) => {
    const body = bodyOf(req.body);
    const isbn = requireString(body, 'isbn', 17);
    const id = insertBook(conn, {
      isbn,
      title: requireString(body, 'title'),
      authorId: requireInt(body, 'authorId', 1, 1e9),
      categoryId: requireInt(body, 'categoryId', 1, 1e9),
      priceCents: requirePriceCents(body, 'price'),
      publishedYear: requireInt(body, 'publishedYear', 1450, 2100),
      pages: requireInt(body, 'pages', 1, 20000),
    });
    categories.invalidate();
    res.status(201).json(toDetail(getBookRow(conn, id)));
  });

  router
    .route('/:id')
    .get((req, res) => {
      res.json(toDetail(getBookRow(conn, parseId(req.params.id))));
    })
    .put((req, res) => {
      const id = parseId(req.params.id);
      const body = bodyOf(req.body);
      updateBook(conn, id, {
        title: requireString(body, 'title'),
        categoryId: requireInt(body, 'categoryId', 1, 1e9),
        priceCents: requirePriceCents(body, 'price'),
        publishedYear: requireInt(body, 'publishedYear', 1450, 2100),
        pages: requireInt(body, 'pages', 1, 20000),
      });
      categories.invalidate();
      res.json(toDetail(getBookRow(conn, id)));
    })
    .delete((req, res) => {
      const id = parseId(req.params.id);
      deleteBook(conn, id);
      categories.invalidate();
      res.json({ id, deleted: true });
    });

  router.patch('/:id/price', (req, res) => {
    const id = parseId(req.params.id);
    const priceCents = requirePriceCents(bodyOf(req.body), 'price');
    const { previous } = setPrice(conn, id, priceCents);
    res.json({ id, price: toPrice(priceCents), previousPrice: toPrice(previous) });
  });

  return router;
}

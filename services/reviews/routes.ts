// Reviews: /books/:bookId/reviews (same paths as in the monolith) and /reviews.
import express from 'express';
import type Database from 'better-sqlite3';
import type { CatalogClient } from './catalog-client.ts';
import { addReview, deleteReview, getReview, ratingSummary, recentReviews, requireBook, reviewsForBook } from './ratings.ts';
import { bodyOf, parseId, parsePaging, requireInt, requireString } from '../kit/input.ts';

export function bookReviewsRouter(conn: Database.Database, catalog: CatalogClient): express.Router {
  const router = express.Router({ mergeParams: true });
  const bookIdOf = (req: express.Request) => parseId((req.params as Record<string, string>).bookId, 'bookId');

  router.get('/', async (req, res) => {
    const bookId = bookIdOf(req);
    const paging = parsePaging(req.query, 10, 50);
    res.json({ ...(await reviewsForBook(conn, catalog, bookId, paging.limit, paging.offset)), ...paging });
  });

  router.post('/', async (req, res) => {
    const bookId = bookIdOf(req);
    const body = bodyOf(req.body);
    const customerId = requireInt(body, 'customerId', 1, 1e9);
    const rating = requireInt(body, 'rating', 1, 5);
    const title = requireString(body, 'title', 120);
    const text = requireString(body, 'body', 4000);
    await requireBook(catalog, bookId);
    // customers live in the monolith: the service cannot check customerId (see services/README.md)
    const id = addReview(conn, bookId, customerId, rating, title, text);
    res.status(201).json(await getReview(conn, catalog, id));
  });

  router.get('/summary', async (req, res) => {
    res.json(await ratingSummary(conn, catalog, bookIdOf(req)));
  });

  return router;
}

export function reviewsRouter(conn: Database.Database, catalog: CatalogClient): express.Router {
  const router = express.Router();

  router.get('/recent', async (req, res) => {
    const { limit } = parsePaging(req.query, 10, 50);
    res.json({ items: await recentReviews(conn, catalog, limit), limit });
  });

  router.get('/:id', async (req, res) => {
    res.json(await getReview(conn, catalog, parseId(req.params.id)));
  });

  router.delete('/:id', (req, res) => {
    const id = parseId(req.params.id);
    deleteReview(conn, id);
    res.json({ id, deleted: true });
  });

  return router;
}

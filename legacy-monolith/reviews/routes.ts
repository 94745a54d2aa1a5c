// Reviews: nested under /books/:bookId/reviews (mounted by the catalog's router) and top-level /reviews.
import express from 'express';
import { addReview, deleteReview, getReview, ratingSummary, recentReviews, reviewsForBook } from './ratings.ts';
import { bodyOf, parseId, parsePaging, requireInt, requireString } from '../utils.ts';

export const bookReviewsRouter = express.Router({ mergeParams: true });

bookReviewsRouter.get('/', (req, res) => {
  const bookId = parseId((req.params as Record<string, string>).bookId, 'bookId');
  const paging = parsePaging(req.query, 10, 50);
  res.json({ ...reviewsForBook(bookId, paging.limit, paging.offset), ...paging });
});

bookReviewsRouter.post('/', (req, res) => {
  const bookId = parseId((req.params as Record<string, string>).bookId, 'bookId');
  const body = bodyOf(req.body);
  const id = addReview(
    bookId,
    requireInt(body, 'customerId', 1, 1e9),
    requireInt(body, 'rating', 1, 5),
    requireString(body, 'title', 120),
    requireString(body, 'body', 4000),
  );
  res.status(201).json(getReview(id));
});

bookReviewsRouter.get('/summary', (req, res) => {
  res.json(ratingSummary(parseId((req.params as Record<string, string>).bookId, 'bookId')));
});

export const reviewsRouter = express.Router();

reviewsRouter.get('/recent', (req, res) => {
  const { limit } = parsePaging(req.query, 10, 50);
  res.json({ items: recentReviews(limit), limit });
});

reviewsRouter.get('/:id', (req, res) => {
  res.json(getReview(parseId(req.params.id)));
});

reviewsRouter.delete('/:id', (req, res) => {
  const id = parseId(req.params.id);
  deleteReview(id);
  res.json({ id, deleted: true });
});

// /books: list, detail, create/update/delete, price changes; reviews of a book are mounted underneath.
import express from 'express';
import { bookReviewsRouter } from '../reviews/routes.ts';
import { deleteBook, getBookRow, insertBook, listBooks, orderClause, setPrice, toDetail, updateBook } from './books.ts';
import { categoryBySlug, invalidateCategories } from './categories.ts';
import { bodyOf, parseId, parsePaging, requireInt, requirePrice, requireString, toPrice } from '../utils.ts';

export const booksRouter = express.Router();

booksRouter.get('/', (req, res) => {
  const paging = parsePaging(req.query);
  const orderBy = orderClause(req.query.sort, req.query.order);
  const category = req.query.category === undefined ? undefined : categoryBySlug(String(req.query.category));
  const page = category
    ? listBooks({ where: 'b.category_id = ?', params: [category.id], orderBy, ...paging })
    : listBooks({ orderBy, ...paging });
  res.json({ ...page, ...paging });
});

booksRouter.post('/', (req, res) => {
  const body = bodyOf(req.body);
  const isbn = requireString(body, 'isbn', 17);
  const id = insertBook({
    isbn,
    title: requireString(body, 'title'),
    authorId: requireInt(body, 'authorId', 1, 1e9),
    categoryId: requireInt(body, 'categoryId', 1, 1e9),
    priceCents: requirePrice(body, 'price'),
    publishedYear: requireInt(body, 'publishedYear', 1450, 2100),
    pages: requireInt(body, 'pages', 1, 20000),
  });
  invalidateCategories();
  res.status(201).json(toDetail(getBookRow(id)));
});

booksRouter
  .route('/:id')
  .get((req, res) => {
    res.json(toDetail(getBookRow(parseId(req.params.id))));
  })
  .put((req, res) => {
    const id = parseId(req.params.id);
    const body = bodyOf(req.body);
    updateBook(id, {
      title: requireString(body, 'title'),
      categoryId: requireInt(body, 'categoryId', 1, 1e9),
      priceCents: requirePrice(body, 'price'),
      publishedYear: requireInt(body, 'publishedYear', 1450, 2100),
      pages: requireInt(body, 'pages', 1, 20000),
    });
    invalidateCategories();
    res.json(toDetail(getBookRow(id)));
  })
  .delete((req, res) => {
    const id = parseId(req.params.id);
    deleteBook(id);
    invalidateCategories();
    res.json({ id, deleted: true });
  });

booksRouter.patch('/:id/price', (req, res) => {
  const id = parseId(req.params.id);
  const priceCents = requirePrice(bodyOf(req.body), 'price');
  const { previous } = setPrice(id, priceCents);
  res.json({ id, price: toPrice(priceCents), previousPrice: toPrice(previous) });
});

booksRouter.use('/:bookId/reviews', bookReviewsRouter);

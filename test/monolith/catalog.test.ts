import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp, type MonolithApp } from '../../legacy-monolith/app.ts';

describe('catalog: books', () => {
  let m: MonolithApp;
  before(() => {
    m = createApp();
  });
  after(() => m.close());

  test('GET /books pages through the catalog', async () => {
    const res = await request(m.app).get('/books?limit=3&offset=3').expect(200);
    assert.deepEqual(res.body.items.map((b: { id: number }) => b.id), [4, 5, 6]);
    assert.equal(res.body.total, 320);
    assert.equal(res.body.limit, 3);
    assert.equal(res.body.offset, 3);
    const book = res.body.items[0];
    assert.deepEqual(Object.keys(book), ['id', 'isbn', 'title', 'authorId', 'author', 'category', 'price', 'publishedYear']);
    assert.equal(typeof book.price, 'number');
  });

  test('GET /books?sort=price breaks price ties by id', async () => {
    const res = await request(m.app).get('/books?sort=price&limit=100').expect(200);
    const items = res.body.items as { id: number; price: number }[];
    for (let i = 1; i < items.length; i++) {
      const [a, b] = [items[i - 1], items[i]];
      assert.ok(a.price < b.price || (a.price === b.price && a.id < b.id), `${a.id} before ${b.id}`);
    }
    assert.ok(items.some((b, i) => i > 0 && items[i - 1].price === b.price), 'no tie on the first page');
  });

  test('GET /books filters by category and rejects bad sort, order, limit and category', async () => {
    const res = await request(m.app).get('/books?category=poetry&limit=100').expect(200);
    assert.ok(res.body.items.length > 0);
    assert.ok(res.body.items.every((b: { category: string }) => b.category === 'poetry'));
    await request(m.app).get('/books?sort=colour').expect(400);
    await request(m.app).get('/books?order=up').expect(400);
    await request(m.app).get('/books?limit=0').expect(400);
    await request(m.app).get('/books?limit=abc').expect(400);
    await request(m.app).get('/books?category=nope').expect(404);
  });

  test('GET /books/:id returns the detail with the rating from reviews', async () => {
    const res = await request(m.app).get('/books/5').expect(200);
    assert.equal(res.body.id, 5);
    assert.deepEqual(Object.keys(res.body.author), ['id', 'name']);
    assert.equal(typeof res.body.rating.count, 'number');
    const { avg } = m.db.prepare('SELECT AVG(rating) AS avg FROM reviews WHERE book_id = 5').get() as { avg: number };
    assert.equal(res.body.rating.average, Math.round(avg * 100) / 100);
    await request(m.app).get('/books/99999').expect(404);
    await request(m.app).get('/books/abc').expect(400);
  });

  let created: number;
  test('POST /books creates a book with zero stock everywhere', async () => {
    const body = { isbn: '9780000000001', title: 'A New Book', authorId: 1, categoryId: 2, price: 21.5, publishedYear: 2024, pages: 200 };
    const res = await request(m.app).post('/books').send(body).expect(201);
    created = res.body.id;
    assert.equal(res.body.price, 21.5);
    assert.deepEqual(res.body.rating, { average: null, count: 0 });
    const stock = await request(m.app).get(`/inventory/${created}`).expect(200);
    assert.equal(stock.body.totalAvailable, 0);
    assert.equal(stock.body.centers.length, 5);
    await request(m.app).post('/books').send(body).expect(409);
    await request(m.app).post('/books').send({ ...body, isbn: '9780000000002', price: -1 }).expect(400);
    await request(m.app).post('/books').send({ ...body, isbn: '9780000000003', authorId: 99999 }).expect(400);
    await request(m.app).post('/books').send({ title: 'no isbn' }).expect(400);
  });

  test('PUT /books/:id replaces the editable fields', async () => {
    const res = await request(m.app)
      .put(`/books/${created}`)
      .send({ title: 'Renamed', categoryId: 3, price: 9.99, publishedYear: 2023, pages: 210 })
      .expect(200);
    assert.equal(res.body.title, 'Renamed');
    assert.equal(res.body.category.id, 3);
    await request(m.app).put('/books/99999').send({ title: 'x', categoryId: 3, price: 9.99, publishedYear: 2023, pages: 1 }).expect(404);
    await request(m.app).put(`/books/${created}`).send({ title: 'x' }).expect(400);
  });

  test('PATCH /books/:id/price changes the price and reports the old one', async () => {
    const res = await request(m.app).patch(`/books/${created}/price`).send({ price: 12.34 }).expect(200);
    assert.deepEqual({ id: res.body.id, price: res.body.price, previousPrice: res.body.previousPrice }, { id: created, price: 12.34, previousPrice: 9.99 });
    await request(m.app).patch('/books/99999/price').send({ price: 1 }).expect(404);
    await request(m.app).patch(`/books/${created}/price`).send({ price: 'cheap' }).expect(400);
  });

  test('DELETE /books/:id deletes an unordered book, refuses an ordered one', async () => {
    await request(m.app).delete(`/books/${created}`).expect(200);
    await request(m.app).get(`/books/${created}`).expect(404);
    await request(m.app).delete(`/books/${created}`).expect(404);
    const res = await request(m.app).delete('/books/1').expect(409);
    assert.equal(res.body.error.code, 'conflict');
  });
});

describe('catalog: authors, categories, search', () => {
  let m: MonolithApp;
  before(() => {
    m = createApp();
  });
  after(() => m.close());

  test('GET /authors lists by name with book counts; GET /authors/:id', async () => {
    const res = await request(m.app).get('/authors?limit=100').expect(200);
    assert.equal(res.body.total, 60);
    const names = res.body.items.map((a: { name: string }) => a.name);
    assert.deepEqual(names, [...names].sort());
    const one = await request(m.app).get('/authors/1').expect(200);
    assert.equal(one.body.id, 1);
    assert.equal(typeof one.body.bookCount, 'number');
    await request(m.app).get('/authors/999').expect(404);
  });

  test('GET /authors/:id/books lists only that author', async () => {
    const res = await request(m.app).get('/authors/1/books').expect(200);
    assert.ok(res.body.items.length > 0);
    assert.ok(res.body.items.every((b: { authorId: number }) => b.authorId === 1));
    await request(m.app).get('/authors/999/books').expect(404);
  });

  test('POST /authors validates and creates', async () => {
    const res = await request(m.app).post('/authors').send({ name: 'New Writer', country: 'IE', born: 1980 }).expect(201);
    assert.deepEqual({ ...res.body, servedAt: undefined }, { id: 61, name: 'New Writer', country: 'IE', born: 1980, bookCount: 0, servedAt: undefined });
    await request(m.app).post('/authors').send({ name: 'x' }).expect(400);
  });

  test('GET /categories is cached, and POST /categories invalidates the cache', async () => {
    const before = await request(m.app).get('/categories').expect(200);
    assert.equal(before.body.items.length, 12);
    const created = await request(m.app).post('/categories').send({ name: 'Graphic Novels' }).expect(201);
    assert.equal(created.body.slug, 'graphic-novels');
    const after = await request(m.app).get('/categories').expect(200);
    assert.equal(after.body.items.length, 13);
    await request(m.app).post('/categories').send({ name: 'Graphic Novels' }).expect(409);
    await request(m.app).post('/categories').send({}).expect(400);
  });

  test('GET /categories/:slug/books', async () => {
    const res = await request(m.app).get('/categories/mystery/books?sort=title').expect(200);
    assert.equal(res.body.category.slug, 'mystery');
    assert.ok(res.body.items.every((b: { category: string }) => b.category === 'mystery'));
    await request(m.app).get('/categories/nope/books').expect(404);
  });

  test('GET /search matches titles and authors, sorted by price then id', async () => {
    const res = await request(m.app).get('/search?q=Lighthouse&limit=50').expect(200);
    assert.equal(res.body.query, 'Lighthouse');
    assert.ok(res.body.total > 0);
    assert.ok(res.body.items.every((b: { title: string; author: string }) => /lighthouse/i.test(b.title + b.author)));
    const prices = res.body.items.map((b: { price: number }) => b.price);
    assert.deepEqual(prices, [...prices].sort((a: number, b: number) => a - b));
    const byAuthor = await request(m.app).get('/search?q=Duarte').expect(200);
    assert.ok(byAuthor.body.items.some((b: { author: string }) => b.author.includes('Duarte')));
    await request(m.app).get('/search').expect(400);
    await request(m.app).get('/search?q=a').expect(400);
  });

  test('GET /search/suggest returns up to 10 titles', async () => {
    const res = await request(m.app).get('/search/suggest?q=The%20Silent').expect(200);
    assert.ok(res.body.suggestions.length > 0 && res.body.suggestions.length <= 10);
    assert.ok(res.body.suggestions.every((t: string) => t.startsWith('The Silent')));
    await request(m.app).get('/search/suggest?q=').expect(400);
  });
});

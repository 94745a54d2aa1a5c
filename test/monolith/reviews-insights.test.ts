import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp, type MonolithApp } from '../../legacy-monolith/app.ts';

describe('reviews', () => {
  let m: MonolithApp;
  before(() => {
    m = createApp();
  });
  after(() => m.close());

  test('GET /books/:bookId/reviews pages newest first, with the book title', async () => {
    const res = await request(m.app).get('/books/1/reviews?limit=5').expect(200);
    assert.deepEqual(res.body.book, { id: 1, title: 'The Crimson River' });
    assert.equal(res.body.items.length, 5);
    const dates = res.body.items.map((r: { createdAt: string }) => r.createdAt);
    assert.deepEqual(dates, [...dates].sort().reverse());
    await request(m.app).get('/books/99999/reviews').expect(404);
    await request(m.app).get('/books/x/reviews').expect(400);
  });

  test('GET /books/:bookId/reviews/summary: average to two decimals and the distribution', async () => {
    const res = await request(m.app).get('/books/1/reviews/summary').expect(200);
    const ratings = (m.db.prepare('SELECT rating FROM reviews WHERE book_id = 1').all() as { rating: number }[]).map((r) => r.rating);
    assert.equal(res.body.count, ratings.length);
    assert.equal(res.body.average, Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 100) / 100);
    assert.equal(Object.values(res.body.distribution as Record<string, number>).reduce((a, b) => a + b, 0), ratings.length);
    await request(m.app).get('/books/99999/reviews/summary').expect(404);
  });

  test('POST /books/:bookId/reviews adds a review that moves the book rating', async () => {
    const before = (await request(m.app).get('/books/2')).body.rating;
    const res = await request(m.app).post('/books/2/reviews').send({ customerId: 3, rating: 5, title: 'Great', body: 'Really great.' }).expect(201);
    assert.deepEqual([res.body.bookId, res.body.bookTitle, res.body.rating], [2, 'The Hidden River', 5]);
    const after = (await request(m.app).get('/books/2')).body.rating;
    assert.equal(after.count, before.count + 1);
    await request(m.app).post('/books/2/reviews').send({ customerId: 3, rating: 6, title: 'x', body: 'y' }).expect(400);
    await request(m.app).post('/books/2/reviews').send({ customerId: 9999, rating: 4, title: 'x', body: 'y' }).expect(400);
    await request(m.app).post('/books/99999/reviews').send({ customerId: 3, rating: 4, title: 'x', body: 'y' }).expect(404);
  });

  test('GET /reviews/recent, GET /reviews/:id, DELETE /reviews/:id', async () => {
    const recent = await request(m.app).get('/reviews/recent?limit=3').expect(200);
    assert.equal(recent.body.items.length, 3);
    assert.equal(recent.body.items[0].title, 'Great'); // the review added above is the newest
    const id = recent.body.items[1].id;
    const one = await request(m.app).get(`/reviews/${id}`).expect(200);
    assert.equal(one.body.id, id);
    assert.equal(typeof one.body.bookTitle, 'string');
    await request(m.app).delete(`/reviews/${id}`).expect(200);
    await request(m.app).get(`/reviews/${id}`).expect(404);
    await request(m.app).delete(`/reviews/${id}`).expect(404);
  });
});

describe('recommendations and reports', () => {
  let m: MonolithApp;
  before(() => {
    m = createApp();
  });
  after(() => m.close());

  test('GET /recommendations/also-bought/:bookId ranks co-purchases', async () => {
    const res = await request(m.app).get('/recommendations/also-bought/3').expect(200);
    assert.equal(res.body.bookId, 3);
    const items = res.body.items as { bookId: number; timesBoughtTogether: number }[];
    assert.ok(items.length > 0 && items.length <= 5);
    for (let i = 1; i < items.length; i++) {
      const [a, b] = [items[i - 1], items[i]];
      assert.ok(a.timesBoughtTogether > b.timesBoughtTogether || (a.timesBoughtTogether === b.timesBoughtTogether && a.bookId < b.bookId));
    }
    assert.ok(items.every((i) => i.bookId !== 3));
    await request(m.app).get('/recommendations/also-bought/99999').expect(404);
  });

  test('GET /recommendations/popular lists best sellers', async () => {
    const res = await request(m.app).get('/recommendations/popular?limit=3').expect(200);
    assert.equal(res.body.items.length, 3);
    assert.equal(res.body.items[0].bookId, 1); // the seed skews sales towards low ids
    await request(m.app).get('/recommendations/popular?limit=500').expect(400);
  });

  test('GET /recommendations/customers/:customerId suggests unbought books of the favourite category', async () => {
    const res = await request(m.app).get('/recommendations/customers/3').expect(200);
    assert.equal(typeof res.body.basedOnCategory, 'string');
    const bought = new Set((m.db.prepare('SELECT oi.book_id AS id FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.customer_id = 3').all() as { id: number }[]).map((r) => r.id));
    assert.ok(res.body.items.length > 0);
    assert.ok(res.body.items.every((b: { bookId: number }) => !bought.has(b.bookId)));
    await request(m.app).get('/recommendations/customers/99999').expect(404);
  });

  test('GET /reports/sales-by-category covers every category, revenue descending', async () => {
    const res = await request(m.app).get('/reports/sales-by-category').expect(200);
    assert.equal(res.body.items.length, 12);
    const revenue = res.body.items.map((r: { revenue: number }) => r.revenue);
    assert.deepEqual(revenue, [...revenue].sort((a: number, b: number) => b - a));
  });

  test('GET /reports/top-sellers', async () => {
    const res = await request(m.app).get('/reports/top-sellers?limit=5').expect(200);
    assert.equal(res.body.items.length, 5);
    assert.deepEqual(Object.keys(res.body.items[0]), ['bookId', 'title', 'author', 'units', 'revenue']);
  });

  test('GET /reports/stock-alerts lists books at or under the threshold', async () => {
    const res = await request(m.app).get('/reports/stock-alerts?threshold=0').expect(200);
    assert.ok(res.body.items.some((b: { bookId: number }) => b.bookId === 37));
    assert.ok(res.body.items.every((b: { totalQuantity: number; centersOut: number }) => b.totalQuantity === 0 && b.centersOut === 5));
    await request(m.app).get('/reports/stock-alerts?threshold=x').expect(400);
  });

  test('GET /reports/daily-sales groups by day; validates dates', async () => {
    const res = await request(m.app).get('/reports/daily-sales?from=2023-09-01&to=2023-12-31').expect(200);
    assert.ok(res.body.days.length > 30);
    const dates = res.body.days.map((d: { date: string }) => d.date);
    assert.deepEqual(dates, [...dates].sort());
    await request(m.app).get('/reports/daily-sales?from=2023-13-45&to=2023-12-31').expect(400);
    await request(m.app).get('/reports/daily-sales?from=2023-12-31&to=2023-01-01').expect(400);
    await request(m.app).get('/reports/daily-sales').expect(400);
  });
});

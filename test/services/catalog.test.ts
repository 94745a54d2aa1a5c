import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp, type ServiceApp } from '../../services/catalog/app.ts';
import { startCatalogService } from '../../services/catalog/server.ts';

describe('catalog service', () => {
  let s: ServiceApp;
  before(() => {
    s = createApp();
  });
  after(() => s.close());

  test('GET /healthz', async () => {
    const res = await request(s.app).get('/healthz').expect(200);
    assert.deepEqual([res.body.status, res.body.service], ['ok', 'catalog']);
    assert.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  });

  test('is seeded with the monolith catalog', async () => {
    const res = await request(s.app).get('/books?limit=1').expect(200);
    assert.equal(res.body.total, 320);
    assert.equal((await request(s.app).get('/authors')).body.total, 60);
    assert.equal((await request(s.app).get('/categories')).body.items.length, 12);
  });

  test('404 for unknown books, authors, categories and routes', async () => {
    assert.equal((await request(s.app).get('/books/99999').expect(404)).body.error.code, 'not_found');
    await request(s.app).get('/authors/999').expect(404);
    await request(s.app).get('/categories/nope/books').expect(404);
    assert.equal((await request(s.app).get('/books/1/reviews').expect(404)).body.error.code, 'route_not_found');
  });

  test('400 for bad ids, paging, sort, bodies and malformed JSON', async () => {
    await request(s.app).get('/books/abc').expect(400);
    await request(s.app).get('/books?limit=0').expect(400);
    await request(s.app).get('/search?q=a').expect(400);
    await request(s.app).post('/books').send({ title: 'no isbn' }).expect(400);
    const res = await request(s.app).post('/authors').set('content-type', 'application/json').send('{"name": ').expect(400);
    assert.equal(res.body.error.code, 'invalid_json');
  });

  test('writes: create, update, reprice, delete a book; the category cache follows', async () => {
    const created = await request(s.app)
      .post('/books')
      .send({ isbn: '9780000000009', title: 'Fresh', authorId: 2, categoryId: 4, price: 11, publishedYear: 2024, pages: 99 })
      .expect(201);
    assert.equal(created.body.rating, undefined);
    const fantasy = (await request(s.app).get('/categories')).body.items.find((c: { slug: string }) => c.slug === 'fantasy');
    assert.equal(fantasy.bookCount, 31);
    await request(s.app).patch(`/books/${created.body.id}/price`).send({ price: 12 }).expect(200);
    await request(s.app).delete(`/books/${created.body.id}`).expect(200);
    await request(s.app).get(`/books/${created.body.id}`).expect(404);
    await request(s.app).post('/books').send({ isbn: '9781000007919', title: 'Dup', authorId: 2, categoryId: 4, price: 11, publishedYear: 2024, pages: 99 }).expect(409);
  });

  test('startCatalogService listens on port 0 and closes', async () => {
    const running = await startCatalogService({ port: 0 });
    const res = await fetch(`${running.url}/healthz`);
    assert.equal(res.status, 200);
    await running.close();
    await assert.rejects(fetch(`${running.url}/healthz`));
  });
});

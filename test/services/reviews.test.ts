import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp, type ServiceApp } from '../../services/reviews/app.ts';
import { startCatalogService } from '../../services/catalog/server.ts';
import type { RunningService } from '../../services/kit/listen.ts';

async function listenOn(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('reviews service with the catalog up', () => {
  let catalog: RunningService;
  let s: ServiceApp;
  before(async () => {
    catalog = await startCatalogService({ port: 0 });
    s = createApp({ catalogUrl: catalog.url });
  });
  after(async () => {
    s.close();
    await catalog.close();
  });

  test('GET /healthz', async () => {
    assert.equal((await request(s.app).get('/healthz').expect(200)).body.service, 'reviews');
  });

  test('titles come from the catalog service', async () => {
    const res = await request(s.app).get('/books/1/reviews?limit=2').expect(200);
    assert.deepEqual(res.body.book, { id: 1, title: 'The Crimson River' });
    const recent = await request(s.app).get('/reviews/recent?limit=3').expect(200);
    assert.ok(recent.body.items.every((r: { bookTitle: string }) => r.bookTitle.startsWith('The ')));
  });

  test('the average is rounded to one decimal (documented divergence)', async () => {
    const res = await request(s.app).get('/books/1/reviews/summary').expect(200);
    assert.equal(res.body.average, 3.8);
    assert.equal(res.body.count, 30);
  });

  test('404 for unknown books and reviews, 400 for bad input', async () => {
    assert.equal((await request(s.app).get('/books/99999/reviews').expect(404)).body.error.message, 'book 99999 not found');
    await request(s.app).get('/books/99999/reviews/summary').expect(404);
    await request(s.app).get('/reviews/99999').expect(404);
    await request(s.app).get('/books/x/reviews').expect(400);
    await request(s.app).post('/books/1/reviews').send({ customerId: 1, rating: 0, title: 't', body: 'b' }).expect(400);
    await request(s.app).post('/books/1/reviews').set('content-type', 'application/json').send('{').expect(400);
  });

  test('customers are not checked any more: an unknown customerId is accepted (write-path difference)', async () => {
    const res = await request(s.app).post('/books/1/reviews').send({ customerId: 99999, rating: 4, title: 't', body: 'b' }).expect(201);
    assert.equal(res.body.customerId, 99999);
  });
});

describe('reviews service with the catalog down, slow or broken', () => {
  let refusedUrl: string;
  let slow: Server;
  let broken: Server;
  let slowUrl: string;
  let brokenUrl: string;
  before(async () => {
    const gone = createServer();
    refusedUrl = await listenOn(gone);
    await closeServer(gone); // nothing listens there any more: connection refused
    slow = createServer(() => {
      /* never answers */
    });
    slowUrl = await listenOn(slow);
    broken = createServer((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
    });
    brokenUrl = await listenOn(broken);
  });
  after(async () => {
    await closeServer(slow);
    await closeServer(broken);
  });

  test('catalog refused → 503 catalog_unavailable naming the catalog URL', async () => {
    const s = createApp({ catalogUrl: refusedUrl });
    try {
      const res = await request(s.app).get('/books/1/reviews').expect(503);
      assert.equal(res.body.error.code, 'catalog_unavailable');
      assert.ok(res.body.error.message.includes(refusedUrl));
      assert.ok(res.body.servedAt);
      // routes that do not need the catalog keep working
      await request(s.app).delete('/reviews/5').expect(200);
    } finally {
      s.close();
    }
  });

  test('catalog silent → 503 after the configured timeout', async () => {
    const s = createApp({ catalogUrl: slowUrl, catalogTimeoutMs: 150 });
    try {
      const res = await request(s.app).get('/books/1/reviews/summary').expect(503);
      assert.equal(res.body.error.code, 'catalog_unavailable');
      assert.match(res.body.error.message, /within 150 ms/);
    } finally {
      s.close();
    }
  });

  test('catalog answering 500 → 502 bad_gateway', async () => {
    const s = createApp({ catalogUrl: brokenUrl });
    try {
      const res = await request(s.app).get('/reviews/recent').expect(502);
      assert.equal(res.body.error.code, 'bad_gateway');
    } finally {
      s.close();
    }
  });
});

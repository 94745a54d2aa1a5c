import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp, type MonolithApp } from '../../legacy-monolith/app.ts';
import { startMonolith } from '../../legacy-monolith/server.ts';
import { stable } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('app-wide behaviour', () => {
  let m: MonolithApp;
  before(() => {
    m = createApp();
  });
  after(() => m.close());

  test('GET /health and GET /version', async () => {
    const health = await request(m.app).get('/health').expect(200);
    assert.equal(health.body.status, 'ok');
    const version = await request(m.app).get('/version').expect(200);
    assert.deepEqual(stable(version.body), { name: 'bookshop', version: '3.7.2' });
  });

  test('every response carries a fresh x-request-id and object bodies a servedAt; the rest is stable', async () => {
    for (const path of ['/books?limit=5&sort=price', '/books/7', '/search?q=garden', '/inventory/3', '/reports/top-sellers', '/nope']) {
      const a = await request(m.app).get(path);
      const b = await request(m.app).get(path);
      assert.match(a.headers['x-request-id'], UUID);
      assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
      assert.match(a.body.servedAt, ISO_MS);
      assert.deepEqual(stable(a.body), stable(b.body), path);
      assert.equal(a.status, b.status);
    }
  });

  test('malformed JSON is a 400 JSON error, not a crash', async () => {
    const res = await request(m.app).post('/books').set('content-type', 'application/json').send('{"title": ');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_json');
    await request(m.app).get('/health').expect(200);
  });

  test('a body that is JSON but not an object is a 400', async () => {
    const res = await request(m.app).post('/authors').send([1, 2]);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'bad_request');
  });

  test('unknown routes are a 404 JSON error', async () => {
    const res = await request(m.app).get('/no/such/thing').expect(404);
    assert.equal(res.body.error.code, 'route_not_found');
  });
});

describe('startMonolith', () => {
  test('listens on port 0, serves /books?limit=2, and closes', async () => {
    const running = await startMonolith({ port: 0 });
    try {
      assert.ok(running.port > 0);
      const res = await fetch(`${running.url}/books?limit=2`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { items: unknown[] };
      assert.equal(body.items.length, 2);
    } finally {
      await running.close();
    }
    await assert.rejects(fetch(`${running.url}/health`));
  });
});

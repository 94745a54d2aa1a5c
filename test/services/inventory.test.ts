import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp, type ServiceApp } from '../../services/inventory/app.ts';

describe('inventory service', () => {
  let s: ServiceApp;
  before(() => {
    s = createApp();
  });
  after(() => s.close());

  test('GET /healthz', async () => {
    const res = await request(s.app).get('/healthz').expect(200);
    assert.equal(res.body.service, 'inventory');
  });

  test('stock per center; empty centers come without `reserved` (documented divergence)', async () => {
    const res = await request(s.app).get('/inventory/37').expect(200);
    assert.equal(res.body.totalAvailable, 0);
    assert.ok(res.body.centers.every((c: Record<string, unknown>) => !('reserved' in c)));
    const stocked = await request(s.app).get('/inventory/2').expect(200);
    assert.ok(stocked.body.centers.every((c: Record<string, unknown>) => typeof c.reserved === 'number'));
  });

  test('404 and 400', async () => {
    await request(s.app).get('/inventory/99999').expect(404);
    await request(s.app).get('/inventory/x').expect(400);
    await request(s.app).put('/inventory/2/9').send({ quantity: 1 }).expect(404);
    await request(s.app).put('/inventory/2/1').send({ quantity: -1 }).expect(400);
    await request(s.app).delete('/inventory/reservations/12345').expect(404);
    await request(s.app).post('/inventory/reservations').set('content-type', 'application/json').send('nope').expect(400);
    await request(s.app).get('/inventory/low-stock?threshold=abc').expect(400);
  });

  test('reservations hold and release stock; 409 when short', async () => {
    const held = await request(s.app).post('/inventory/reservations').send({ bookId: 2, centerId: 1, quantity: 2, orderId: 77 }).expect(201);
    assert.deepEqual([held.body.status, held.body.orderId], ['held', 77]);
    const short = await request(s.app).post('/inventory/reservations').send({ bookId: 37, centerId: 1, quantity: 1 }).expect(409);
    assert.equal(short.body.error.code, 'insufficient_stock');
    await request(s.app).delete(`/inventory/reservations/${held.body.id}`).expect(200);
    await request(s.app).delete(`/inventory/reservations/${held.body.id}`).expect(409);
  });
});

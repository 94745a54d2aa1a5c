import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp, type MonolithApp } from '../../legacy-monolith/app.ts';

describe('inventory', () => {
  let m: MonolithApp;
  before(() => {
    m = createApp();
  });
  after(() => m.close());

  test('GET /inventory/centers lists the five centers with their units', async () => {
    const res = await request(m.app).get('/inventory/centers').expect(200);
    assert.equal(res.body.items.length, 5);
    assert.deepEqual(Object.keys(res.body.items[0]), ['id', 'code', 'name', 'region', 'totalUnits']);
    assert.ok(res.body.items.every((c: { totalUnits: number }) => c.totalUnits > 0));
  });

  test('GET /inventory/low-stock lists center/book pairs at or under the threshold', async () => {
    const res = await request(m.app).get('/inventory/low-stock?threshold=0&limit=500').expect(200);
    assert.ok(res.body.total > 0);
    assert.ok(res.body.items.every((i: { quantity: number }) => i.quantity === 0));
    await request(m.app).get('/inventory/low-stock?threshold=-1').expect(400);
  });

  test('GET /inventory/:bookId shows stock per center, 404 for unknown books', async () => {
    const res = await request(m.app).get('/inventory/37').expect(200);
    assert.equal(res.body.totalAvailable, 0);
    assert.deepEqual(res.body.centers.map((c: { centerId: number }) => c.centerId), [1, 2, 3, 4, 5]);
    assert.deepEqual(Object.keys(res.body.centers[0]), ['centerId', 'code', 'region', 'quantity', 'reserved']);
    await request(m.app).get('/inventory/99999').expect(404);
    await request(m.app).get('/inventory/x').expect(400);
  });

  test('PUT /inventory/:bookId/:centerId corrects a quantity', async () => {
    const res = await request(m.app).put('/inventory/37/2').send({ quantity: 4 }).expect(200);
    assert.equal(res.body.quantity, 4);
    assert.equal((await request(m.app).get('/inventory/37')).body.totalAvailable, 4);
    await request(m.app).put('/inventory/37/9').send({ quantity: 4 }).expect(404);
    await request(m.app).put('/inventory/37/2').send({ quantity: -4 }).expect(400);
  });

  test('POST /inventory/reservations holds stock; DELETE releases it once', async () => {
    const res = await request(m.app).post('/inventory/reservations').send({ bookId: 37, centerId: 2, quantity: 3 }).expect(201);
    assert.equal(res.body.status, 'held');
    const stock = (await request(m.app).get('/inventory/37')).body.centers[1];
    assert.deepEqual([stock.quantity, stock.reserved], [1, 3]);
    const short = await request(m.app).post('/inventory/reservations').send({ bookId: 37, centerId: 2, quantity: 2 }).expect(409);
    assert.equal(short.body.error.code, 'insufficient_stock');
    assert.deepEqual(short.body.error.details, { bookId: 37, centerId: 2, available: 1, requested: 2 });
    const released = await request(m.app).delete(`/inventory/reservations/${res.body.id}`).expect(200);
    assert.equal(released.body.status, 'released');
    const after = (await request(m.app).get('/inventory/37')).body.centers[1];
    assert.deepEqual([after.quantity, after.reserved], [4, 0]);
    await request(m.app).delete(`/inventory/reservations/${res.body.id}`).expect(409);
    await request(m.app).delete('/inventory/reservations/99999').expect(404);
    await request(m.app).post('/inventory/reservations').send({ bookId: 37 }).expect(400);
  });
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp, type MonolithApp } from '../../legacy-monolith/app.ts';
import { loginAs, VISA } from './helpers.ts';

describe('payments', () => {
  let m: MonolithApp;
  before(() => {
    m = createApp();
  });
  after(() => m.close());

  test('POST /payments/validate-card checks Luhn and expiry', async () => {
    const ok = await request(m.app).post('/payments/validate-card').send(VISA).expect(200);
    assert.deepEqual([ok.body.valid, ok.body.brand, ok.body.last4], [true, 'visa', '4242']);
    const luhn = await request(m.app).post('/payments/validate-card').send({ ...VISA, number: '4242424242424243' }).expect(200);
    assert.deepEqual([luhn.body.valid, luhn.body.reason], [false, 'invalid_number']);
    const expired = await request(m.app).post('/payments/validate-card').send({ ...VISA, expYear: 2001 }).expect(200);
    assert.deepEqual([expired.body.valid, expired.body.reason], [false, 'expired']);
    await request(m.app).post('/payments/validate-card').send({ number: '4242424242424242', expMonth: 13, expYear: 2030 }).expect(400);
  });

  test('GET /payments/:id and POST /payments/:id/refund', async () => {
    const captured = m.db.prepare("SELECT id, amount_cents FROM payments WHERE status = 'captured' ORDER BY id LIMIT 1").get() as { id: number; amount_cents: number };
    const res = await request(m.app).get(`/payments/${captured.id}`).expect(200);
    assert.deepEqual([res.body.status, res.body.amount], ['captured', captured.amount_cents / 100]);
    const refunded = await request(m.app).post(`/payments/${captured.id}/refund`).expect(200);
    assert.equal(refunded.body.status, 'refunded');
    await request(m.app).post(`/payments/${captured.id}/refund`).expect(409);
    await request(m.app).get('/payments/999999').expect(404);
    await request(m.app).post('/payments/999999/refund').expect(404);
  });
});

describe('fulfillment', () => {
  let m: MonolithApp;
  before(() => {
    m = createApp();
  });
  after(() => m.close());

  test('POST /fulfillment/quote prefers the region, falls back to any center, 409 when none can ship', async () => {
    // book 1 has stock in north (1) and not in south (2), see the seed
    const north = await request(m.app).post('/fulfillment/quote').send({ region: 'north', items: [{ bookId: 1, quantity: 1 }] }).expect(200);
    assert.deepEqual([north.body.centerId, north.body.sameRegion], [1, true]);
    const south = await request(m.app).post('/fulfillment/quote').send({ region: 'south', items: [{ bookId: 1, quantity: 1 }] }).expect(200);
    assert.equal(south.body.sameRegion, false);
    await request(m.app).post('/fulfillment/quote').send({ region: 'north', items: [{ bookId: 37, quantity: 1 }] }).expect(409);
    await request(m.app).post('/fulfillment/quote').send({ region: 'north', items: [] }).expect(400);
    await request(m.app).post('/fulfillment/quote').send({ region: 'north', items: [{ bookId: 'x' }] }).expect(400);
  });

  test('GET /fulfillment/centers/:id/queue lists pending shipments', async () => {
    const res = await request(m.app).get('/fulfillment/centers/2/queue').expect(200);
    assert.equal(res.body.center.id, 2);
    assert.ok(res.body.items.length > 0);
    assert.ok(res.body.items.every((s: { status: string; centerId: number }) => s.status === 'pending' && s.centerId === 2));
    await request(m.app).get('/fulfillment/centers/9/queue').expect(404);
  });

  test('shipments move pending → shipped → delivered; shipping consumes the reserved units', async () => {
    const auth = `Bearer ${await loginAs(m.app, 20)}`;
    await request(m.app).post('/cart/items').set('authorization', auth).send({ bookId: 1, quantity: 2 }).expect(201);
    const order = (await request(m.app).post('/orders').set('authorization', auth).send({ card: VISA }).expect(201)).body;
    const shipmentId = order.shipment.id;
    const reserved = () => (m.db.prepare('SELECT reserved FROM stock WHERE book_id = 1 AND center_id = ?').get(order.centerId) as { reserved: number }).reserved;
    const heldBefore = reserved();
    const got = await request(m.app).get(`/fulfillment/shipments/${shipmentId}`).expect(200);
    assert.equal(got.body.status, 'pending');
    await request(m.app).patch(`/fulfillment/shipments/${shipmentId}`).send({ status: 'delivered' }).expect(409);
    const shipped = await request(m.app).patch(`/fulfillment/shipments/${shipmentId}`).send({ status: 'shipped' }).expect(200);
    assert.equal(shipped.body.status, 'shipped');
    assert.equal(reserved(), heldBefore - 2);
    const orderNow = await request(m.app).get(`/orders/${order.id}`).set('authorization', auth);
    assert.equal(orderNow.body.status, 'shipped');
    await request(m.app).patch(`/fulfillment/shipments/${shipmentId}`).send({ status: 'delivered' }).expect(200);
    await request(m.app).post(`/orders/${order.id}/cancel`).set('authorization', auth).expect(409);
    await request(m.app).patch(`/fulfillment/shipments/${shipmentId}`).send({ status: 'lost' }).expect(400);
    await request(m.app).get('/fulfillment/shipments/999999').expect(404);
  });
});

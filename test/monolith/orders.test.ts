import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp, type MonolithApp } from '../../legacy-monolith/app.ts';
import { DECLINED, loginAs, VISA } from './helpers.ts';

type Row = Record<string, number | string>;

describe('orders: checkout across modules', () => {
  let m: MonolithApp;
  let auth: string;
  const stockOf = (bookId: number, centerId: number) =>
    m.db.prepare('SELECT quantity, reserved FROM stock WHERE book_id = ? AND center_id = ?').get(bookId, centerId) as { quantity: number; reserved: number };
  const count = (table: string) => (m.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

  before(async () => {
    m = createApp();
    auth = `Bearer ${await loginAs(m.app, 10)}`;
  });
  after(() => m.close());

  async function fillCart(lines: [number, number][]) {
    await request(m.app).delete('/cart').set('authorization', auth).expect(200);
    for (const [bookId, quantity] of lines) await request(m.app).post('/cart/items').set('authorization', auth).send({ bookId, quantity }).expect(201);
  }

  test('an empty cart cannot be checked out', async () => {
    const res = await request(m.app).post('/orders').set('authorization', auth).send({ card: VISA }).expect(400);
    assert.equal(res.body.error.code, 'cart_empty');
  });

  test('a declined card changes nothing', async () => {
    await fillCart([[1, 1]]);
    const before = { orders: count('orders'), payments: count('payments'), reservations: count('reservations'), stock: stockOf(1, 1) };
    const res = await request(m.app).post('/orders').set('authorization', auth).send({ card: DECLINED }).expect(402);
    assert.equal(res.body.error.code, 'payment_declined');
    assert.deepEqual({ orders: count('orders'), payments: count('payments'), reservations: count('reservations'), stock: stockOf(1, 1) }, before);
    const invalid = await request(m.app).post('/orders').set('authorization', auth).send({ card: { ...VISA, number: '4242424242424241' } }).expect(400);
    assert.equal(invalid.body.error.code, 'invalid_card');
    await request(m.app).post('/orders').set('authorization', auth).send({}).expect(400);
  });

  test('insufficient stock is a 409 naming the book', async () => {
    await fillCart([[37, 1]]); // book 37 is sold out everywhere
    const res = await request(m.app).post('/orders').set('authorization', auth).send({ card: VISA }).expect(409);
    assert.equal(res.body.error.code, 'insufficient_stock');
    assert.equal(res.body.error.details.bookId, 37);
  });

  let orderId: number;
  test('checkout reserves stock, records the payment, creates the shipment and empties the cart', async () => {
    await fillCart([[1, 2], [3, 1]]);
    const paymentsBefore = count('payments');
    const res = await request(m.app).post('/orders').set('authorization', auth).send({ card: VISA }).expect(201);
    orderId = res.body.id;
    const centerId: number = res.body.centerId;
    assert.equal(res.body.status, 'paid');
    assert.match(res.body.reference, /^ORD-[0-9A-F]{8}$/);
    const expectedTotal = (2 * 1250 + 1 * (m.db.prepare('SELECT price_cents AS p FROM books WHERE id = 3').get() as { p: number }).p) / 100;
    assert.equal(res.body.total, expectedTotal);
    assert.deepEqual(res.body.items.map((i: Row) => [i.bookId, i.quantity]), [[1, 2], [3, 1]]);
    assert.deepEqual([res.body.payment.status, res.body.payment.amount, res.body.payment.cardLast4], ['captured', expectedTotal, '4242']);
    assert.deepEqual([res.body.shipment.status, res.body.shipment.centerId], ['pending', centerId]);
    assert.equal(count('payments'), paymentsBefore + 1);

    const seeded = createApp(); // a pristine copy to compare stock against
    try {
      const orig = seeded.db.prepare('SELECT quantity, reserved FROM stock WHERE book_id = 1 AND center_id = ?').get(centerId) as { quantity: number; reserved: number };
      assert.deepEqual(stockOf(1, centerId), { quantity: orig.quantity - 2, reserved: orig.reserved + 2 });
    } finally {
      seeded.close();
    }
    const reservations = m.db.prepare("SELECT book_id, quantity FROM reservations WHERE order_id = ? AND status = 'held' ORDER BY book_id").all(orderId);
    assert.deepEqual(reservations, [{ book_id: 1, quantity: 2 }, { book_id: 3, quantity: 1 }]);
    const cart = await request(m.app).get('/cart').set('authorization', auth).expect(200);
    assert.equal(cart.body.items.length, 0);
  });

  test('GET /orders and GET /orders/:id show only the customer\'s own orders', async () => {
    const list = await request(m.app).get('/orders').set('authorization', auth).expect(200);
    assert.equal(list.body.items[0].id, orderId);
    assert.equal(list.body.items[0].itemCount, 3);
    const seededCount = (m.db.prepare('SELECT COUNT(*) AS n FROM orders WHERE customer_id = 10').get() as { n: number }).n;
    assert.equal(list.body.total, seededCount);
    const one = await request(m.app).get(`/orders/${orderId}`).set('authorization', auth).expect(200);
    assert.equal(one.body.id, orderId);
    const other = `Bearer ${await loginAs(m.app, 11)}`;
    await request(m.app).get(`/orders/${orderId}`).set('authorization', other).expect(404);
    await request(m.app).get('/orders/99999').set('authorization', auth).expect(404);
  });

  test('POST /orders/:id/cancel releases stock, refunds and cancels the shipment', async () => {
    const centerId = (await request(m.app).get(`/orders/${orderId}`).set('authorization', auth)).body.centerId;
    const before = stockOf(1, centerId);
    const res = await request(m.app).post(`/orders/${orderId}/cancel`).set('authorization', auth).expect(200);
    assert.equal(res.body.status, 'cancelled');
    assert.equal(res.body.payment.status, 'refunded');
    assert.equal(res.body.shipment.status, 'cancelled');
    assert.deepEqual(stockOf(1, centerId), { quantity: before.quantity + 2, reserved: before.reserved - 2 });
    await request(m.app).post(`/orders/${orderId}/cancel`).set('authorization', auth).expect(409);
    await request(m.app).post('/orders/99999/cancel').set('authorization', auth).expect(404);
  });
});

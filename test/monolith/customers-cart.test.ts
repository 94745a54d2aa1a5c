import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp, type MonolithApp } from '../../legacy-monolith/app.ts';
import { loginAs } from './helpers.ts';

describe('customers and sessions', () => {
  let m: MonolithApp;
  let token: string;
  before(async () => {
    m = createApp();
    token = await loginAs(m.app, 4);
  });
  after(() => m.close());

  test('POST /login returns a token; wrong password is a 401', async () => {
    const res = await request(m.app).post('/login').send({ email: 'customer4@example.com', password: 'bookshop123' }).expect(200);
    assert.match(res.body.token, /^[0-9a-f]{48}$/);
    assert.equal(res.body.customer.id, 4);
    const bad = await request(m.app).post('/login').send({ email: 'customer4@example.com', password: 'nope' }).expect(401);
    assert.equal(bad.body.error.code, 'invalid_credentials');
    await request(m.app).post('/login').send({}).expect(400);
  });

  test('customer routes need a session', async () => {
    for (const [method, path] of [['get', '/customers/me'], ['get', '/customers/me/addresses'], ['get', '/cart'], ['get', '/orders'], ['post', '/logout']] as const) {
      const res = await request(m.app)[method](path).expect(401);
      assert.equal(res.body.error.code, 'unauthorized');
    }
    await request(m.app).get('/customers/me').set('authorization', 'Bearer 0123456789abcdef0123').expect(401);
  });

  test('GET /customers/me and PATCH /customers/me', async () => {
    const me = await request(m.app).get('/customers/me').set('authorization', `Bearer ${token}`).expect(200);
    assert.deepEqual(Object.keys(me.body), ['id', 'email', 'name', 'region', 'createdAt', 'servedAt']);
    assert.equal(me.body.email, 'customer4@example.com');
    const patched = await request(m.app).patch('/customers/me').set('authorization', `Bearer ${token}`).send({ name: 'Ada Lovelace', region: 'west' }).expect(200);
    assert.deepEqual([patched.body.name, patched.body.region], ['Ada Lovelace', 'west']);
    await request(m.app).patch('/customers/me').set('authorization', `Bearer ${token}`).send({ region: 'mars' }).expect(400);
    await request(m.app).patch('/customers/me').set('authorization', `Bearer ${token}`).send({}).expect(400);
  });

  test('addresses: list, add (as default), delete', async () => {
    const auth = `Bearer ${token}`;
    const list = await request(m.app).get('/customers/me/addresses').set('authorization', auth).expect(200);
    assert.equal(list.body.items.length, 2); // customer 4 has a second address
    assert.equal(list.body.items[0].isDefault, true);
    const added = await request(m.app)
      .post('/customers/me/addresses')
      .set('authorization', auth)
      .send({ line1: '1 New Road', city: 'York', postcode: 'YO1 1AA', region: 'north', isDefault: true })
      .expect(201);
    const after = await request(m.app).get('/customers/me/addresses').set('authorization', auth);
    assert.equal(after.body.items[0].id, added.body.id);
    assert.equal(after.body.items.filter((a: { isDefault: boolean }) => a.isDefault).length, 1);
    await request(m.app).delete(`/customers/me/addresses/${added.body.id}`).set('authorization', auth).expect(200);
    await request(m.app).delete(`/customers/me/addresses/${added.body.id}`).set('authorization', auth).expect(404);
    await request(m.app).delete('/customers/me/addresses/1').set('authorization', auth).expect(404); // customer 1's
    await request(m.app).post('/customers/me/addresses').set('authorization', auth).send({ line1: 'x' }).expect(400);
  });

  test('POST /customers signs up; the new account can log in', async () => {
    const res = await request(m.app).post('/customers').send({ email: 'new@example.com', name: 'New', password: 'longenough', region: 'south' }).expect(201);
    assert.equal(res.body.id, 121);
    await request(m.app).post('/login').send({ email: 'new@example.com', password: 'longenough' }).expect(200);
    await request(m.app).post('/customers').send({ email: 'new@example.com', name: 'New', password: 'longenough', region: 'south' }).expect(409);
    await request(m.app).post('/customers').send({ email: 'bad', name: 'New', password: 'longenough', region: 'south' }).expect(400);
    await request(m.app).post('/customers').send({ email: 'x@example.com', name: 'New', password: 'short', region: 'south' }).expect(400);
  });

  test('POST /logout ends the session', async () => {
    const t = await loginAs(m.app, 5);
    await request(m.app).post('/logout').set('authorization', `Bearer ${t}`).expect(200);
    await request(m.app).get('/customers/me').set('authorization', `Bearer ${t}`).expect(401);
  });
});

describe('cart', () => {
  let m: MonolithApp;
  let auth: string;
  before(async () => {
    m = createApp();
    auth = `Bearer ${await loginAs(m.app, 9)}`;
  });
  after(() => m.close());

  test('add, merge, change, remove and clear', async () => {
    const empty = await request(m.app).get('/cart').set('authorization', auth).expect(200);
    assert.deepEqual([empty.body.items, empty.body.itemCount, empty.body.total], [[], 0, 0]);
    await request(m.app).post('/cart/items').set('authorization', auth).send({ bookId: 1, quantity: 1 }).expect(201);
    const merged = await request(m.app).post('/cart/items').set('authorization', auth).send({ bookId: 1, quantity: 2 }).expect(201);
    assert.equal(merged.body.items[0].quantity, 3);
    assert.equal(merged.body.total, 37.5); // 3 x 12.50
    await request(m.app).post('/cart/items').set('authorization', auth).send({ bookId: 2, quantity: 1 }).expect(201);
    const changed = await request(m.app).patch('/cart/items/1').set('authorization', auth).send({ quantity: 1 }).expect(200);
    assert.deepEqual([changed.body.itemCount, changed.body.total], [2, 27.49]);
    const removed = await request(m.app).delete('/cart/items/2').set('authorization', auth).expect(200);
    assert.equal(removed.body.items.length, 1);
    const cleared = await request(m.app).delete('/cart').set('authorization', auth).expect(200);
    assert.equal(cleared.body.items.length, 0);
  });

  test('errors: unknown book, not in cart, bad quantity', async () => {
    await request(m.app).post('/cart/items').set('authorization', auth).send({ bookId: 99999, quantity: 1 }).expect(404);
    await request(m.app).post('/cart/items').set('authorization', auth).send({ bookId: 1, quantity: 0 }).expect(400);
    await request(m.app).patch('/cart/items/3').set('authorization', auth).send({ quantity: 1 }).expect(404);
    await request(m.app).delete('/cart/items/3').set('authorization', auth).expect(404);
  });
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type MonolithApp } from '../../legacy-monolith/app.ts';
import { registeredRoutes } from './registered-routes.ts';

describe('registered routes (from the Express router stack)', () => {
  let monolith: MonolithApp;
  before(() => {
    monolith = createApp();
  });
  after(() => monolith.close());

  test('the app registers at least 40 distinct routes across all verbs', () => {
    const routes = registeredRoutes(monolith.app);
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    assert.ok(routes.length >= 40, `only ${routes.length} routes`);
    assert.equal(new Set(keys).size, keys.length, 'duplicate routes');
    const methods = new Set(routes.map((r) => r.method));
    for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) assert.ok(methods.has(m), `no ${m} route`);
  });

  test('paths are full paths in Express notation, including mounts inside mounts', () => {
    const keys = new Set(registeredRoutes(monolith.app).map((r) => `${r.method} ${r.path}`));
    for (const expected of [
      'GET /health', // app.get in app.ts
      'POST /login',
      'GET /books', // router mounted at /books, path '/'
      'PUT /books/:id', // router.route('/:id') chain
      'DELETE /books/:id',
      'GET /books/:bookId/reviews/summary', // reviews router mounted inside the books router
      'POST /categories',
      'PUT /inventory/:bookId/:centerId',
      'POST /orders/:id/cancel',
      'GET /reports/daily-sales',
    ]) {
      assert.ok(keys.has(expected), `missing ${expected}`);
    }
    for (const key of keys) assert.match(key, /^[A-Z]+ \/[a-z0-9/:A-Z_-]*$/, key);
  });
});

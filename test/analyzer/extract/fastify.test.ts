// Fastify routes: plugins registered with prefixes (nested, required, imported, import()ed), fastify-plugin
// (not encapsulated: no prefix of its own, hooks on the registering instance), route options and
// fastify.route(), hooks as middleware in the order Fastify runs them.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf, findRoute, handlerTables, routeList } from './fixture.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';


describe('routes: a Fastify bookshop across plugins', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('fastify-app');
  });

  test('every route with its full path, no more, no fewer', () => {
    assert.deepEqual(routeList(facts), [
      'POST /admin/reindex',
      'GET /admin/stats',
      'GET /api/v1/catalog/authors',
      'GET /api/v1/catalog/authors/:id',
      'GET /api/v1/catalog/authors/:id/books',
      'GET /api/v1/catalog/books',
      'POST /api/v1/catalog/books',
      'GET /api/v1/catalog/books/:id',
      'PATCH /api/v1/catalog/books/:id/stock',
      'PUT /api/v1/catalog/books/:id/stock',
      'GET /api/v1/catalog/books/search',
      'GET /api/v1/orders',
      'POST /api/v1/orders',
      'DELETE /api/v1/orders/:orderId',
      'GET /api/v1/orders/:orderId',
      'GET /api/v1/orders/:orderId/items',
      'POST /api/v1/orders/:orderId/items',
      'GET /health',
      'GET /metrics',
      'GET /ready',
    ]);
  });

  test('each registration is reported once, under its prefixes only (never also with its plugin-local path)', () => {
    const registrations = facts.routes.map((r) => `${r.method} ${r.file}:${r.line}`);
    assert.equal(new Set(registrations).size, registrations.length);
  });

  test("fastify.route({ method: ['PUT', 'PATCH'] }) gives one route per method, at the route() call", () => {
    const stock = facts.routes.filter((r) => r.path === '/api/v1/catalog/books/:id/stock').map((r) => [r.method, r.file, r.line]);
    assert.deepEqual(stock, [['PATCH', 'routes/catalog/books.js', 15], ['PUT', 'routes/catalog/books.js', 15]]);
  });

  test('handlers: through require() destructuring, an options object before the handler, { handler }, route({ handler }), inline', () => {
    assert.deepEqual(findRoute(facts, 'GET', '/api/v1/catalog/books').handler, { kind: 'named', file: 'handlers/books.js', name: 'listBooks', line: 3 });
    assert.deepEqual(findRoute(facts, 'GET', '/api/v1/catalog/books/:id').handler, { kind: 'named', file: 'handlers/books.js', name: 'getBook', line: 13 });
    assert.deepEqual(findRoute(facts, 'GET', '/api/v1/catalog/books/search').handler, { kind: 'named', file: 'handlers/books.js', name: 'searchBooks', line: 8 });
    assert.deepEqual(findRoute(facts, 'PUT', '/api/v1/catalog/books/:id/stock').handler, { kind: 'named', file: 'handlers/books.js', name: 'updateStock', line: 29 });
    assert.deepEqual(findRoute(facts, 'GET', '/api/v1/catalog/authors').handler, { kind: 'named', file: 'handlers/authors.js', name: 'listAuthors', line: 3 });
    assert.deepEqual(findRoute(facts, 'POST', '/admin/reindex').handler, { kind: 'named', file: 'handlers/search.js', name: 'reindex', line: 3 });
    assert.deepEqual(findRoute(facts, 'GET', '/api/v1/catalog/authors/:id/books').handler, { kind: 'inline', file: 'routes/catalog/authors.js', name: 'authorBooks', line: 7 });
    // an anonymous handler inside the plugin function belongs to the plugin, like any nested function
    assert.deepEqual(findRoute(facts, 'GET', '/admin/stats').handler, { kind: 'inline', file: 'routes/admin.mjs', name: 'adminRoutes', line: 7 });
    assert.deepEqual(facts.routes.filter((r) => r.handler.kind === 'unresolved'), []);
  });

  test('middleware: hooks in the order Fastify runs them (onRequest, preValidation, preHandler), instance hooks wherever written', () => {
    const mw = (method: string, path: string) => findRoute(facts, method, path).middleware;
    // limitByIp: the onRequest hook of a fastify-plugin registered in the /api/v1 plugin, so on every API route
    assert.deepEqual(mw('GET', '/api/v1/catalog/books'), ['limitByIp']);
    assert.deepEqual(mw('POST', '/api/v1/catalog/books'), ['limitByIp', 'fastify.authenticate', 'requireRole']);
    assert.deepEqual(mw('PUT', '/api/v1/catalog/books/:id/stock'), ['limitByIp', 'fastify.authenticate', 'requireRole']);
    // the orders plugin adds its preHandler hook after its routes: Fastify applies it to them all
    assert.deepEqual(mw('GET', '/api/v1/orders'), ['limitByIp', 'fastify.authenticate', 'loadCustomer']);
    assert.deepEqual(mw('POST', '/api/v1/orders'), ['limitByIp', 'fastify.authenticate', 'checkCart', 'loadCustomer']);
    assert.deepEqual(mw('DELETE', '/api/v1/orders/:orderId'), ['limitByIp', 'fastify.authenticate', 'loadCustomer', 'fastify.requireAdmin']);
    // a child plugin inherits its parents' hooks
    assert.deepEqual(mw('POST', '/api/v1/orders/:orderId/items'), ['limitByIp', 'fastify.authenticate', 'loadCustomer']);
    assert.deepEqual(mw('GET', '/admin/stats'), ['fastify.authenticate', 'fastify.requireAdmin']);
    // outside the API plugin nothing is limited; onResponse/onClose hooks are not middleware
    assert.deepEqual(mw('GET', '/health'), []);
    assert.deepEqual(mw('GET', '/metrics'), []);
  });

  test('a path built at run time is unresolved, with its expression', () => {
    assert.deepEqual(facts.unresolvedRoutes, [
      { file: 'routes/catalog/books.js', line: 24, method: 'GET', expression: "process.env.FEATURED_PATH || '/featured'", reason: 'path built at run time' },
    ]);
  });

  test('a fastify-plugin registered with a prefix: served without it, as Fastify does, and warned about', () => {
    assert.equal(findRoute(facts, 'GET', '/metrics').file, 'plugins/metrics.js');
    assert.deepEqual(facts.warnings, [
      { file: 'app.js', message: "app.js:18: plugin 'metrics' is wrapped in fastify-plugin, so Fastify ignores its prefix '/internal'; its routes are reported under the prefix of the instance that registers it" },
    ]);
  });

  test("a route's handler id is the id its table accesses carry", () => {
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/api/v1/orders')), ['write order_items', 'write orders', 'write stock']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/api/v1/catalog/books/:id')), ['read authors', 'read books', 'read stock']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/api/v1/catalog/authors/:id/books')), ['read books']);
  });
});

describe('routes: Fastify registrations that cannot be placed', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('fastify-edge');
  });

  test('an inline plugin with a prefix, root routes with options (in place or in a const), a plugin nothing registers', () => {
    assert.deepEqual(routeList(facts), ['GET /keyed', 'GET /users', 'GET /v2/inline', 'GET /with-options']);
    // the app's own addHook is application-wide and not repeated; a route's own hooks are, in Fastify's order
    assert.deepEqual(findRoute(facts, 'GET', '/with-options').middleware, ['audit', 'checkApiKey', 'parseQuery']);
    assert.deepEqual(findRoute(facts, 'GET', '/keyed').middleware, ['checkApiKey']);
    assert.equal(findRoute(facts, 'GET', '/keyed').handler.kind, 'inline');
  });

  test('options built at run time and a method chosen at run time are unresolved', () => {
    assert.deepEqual(facts.unresolvedRoutes, [
      { file: 'legacy.ts', line: 4, method: 'GET', expression: 'pluginOptions', reason: 'mounted under a prefix built at run time' },
      { file: 'server.ts', line: 11, method: '*', expression: "process.env.ECHO_METHOD ?? 'POST'", reason: 'method chosen at run time' },
    ]);
  });

  test('a plugin loaded by @fastify/autoload is reported with its own paths and a warning', () => {
    assert.deepEqual(facts.warnings, [
      { file: 'routes/users.ts', message: "Fastify plugin 'users' in routes/users.ts is not registered anywhere the analyzer can see (loaded by @fastify/autoload or at run time?); its routes are reported with their own paths" },
    ]);
  });
});

describe('routes: fastify-plugins that pass their prefix on', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('fastify-forwarded');
  });

  test('{ prefix: opts.prefix } and register(routes, opts) take the prefix the plugin was registered with (each registration, or none)', () => {
    assert.deepEqual(routeList(facts), ['GET /ratings/top', 'GET /reviews', 'POST /reviews', 'GET /status', 'GET /v2/ratings/top']);
    assert.deepEqual(facts.unresolvedRoutes, []);
  });

  test('routes and hooks chained after decorate() are on the instance; options the analyzer cannot see are not middleware', () => {
    assert.deepEqual(findRoute(facts, 'POST', '/reviews').middleware, ['fastify.authenticate']);
    assert.deepEqual(findRoute(facts, 'POST', '/reviews').handler, { kind: 'named', file: 'reviews.js', name: 'addReview', line: 22 });
  });

  test('no warning that a fastify-plugin ignores a prefix it passes on', () => {
    assert.deepEqual(facts.warnings.map((w) => w.message), ["reviews.js:3: cannot resolve './schemas'"]);
  });
});

// Koa routes through koa-router / @koa/router: router prefixes (constructor and prefix()), routers nested
// with use(path, child.routes()), mounted on the app with app.use(router.routes()), named routes, `del`,
// chained registrations, and middleware by position as koa-router runs it.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf, findRoute, handlerTables, routeList } from './fixture.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';


describe('routes: a Koa bookshop with nested routers', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('koa-app');
  });

  test('every route with its full path, no more, no fewer', () => {
    assert.deepEqual(routeList(facts), [
      'GET /api/authors',
      'GET /api/authors/:id',
      'GET /api/authors/:id/books',
      'GET /api/books',
      'POST /api/books',
      'DELETE /api/books/:id',
      'GET /api/books/:id',
      'GET /api/orders',
      'POST /api/orders',
      'GET /api/orders/:orderId',
      'PATCH /api/orders/:orderId',
      'GET /api/orders/:orderId/items',
      'POST /api/orders/:orderId/items',
      'DELETE /api/orders/:orderId/items/:itemId',
      'GET /health',
      'GET /ready',
      'GET /wishlist',
    ]);
  });

  test('each registration is reported once, under its prefixes only (never also with its router-local path)', () => {
    const registrations = facts.routes.map((r) => `${r.method} ${r.file}:${r.line}`);
    assert.equal(new Set(registrations).size, registrations.length);
  });

  test("a chain router.get('name', '/path', …).post(…).del(…): named routes, del is DELETE, each verb on its own line", () => {
    const books = facts.routes.filter((r) => r.file === 'src/routes/books.ts').map((r) => `${r.line} ${r.method} ${r.path}`);
    assert.deepEqual(books.sort(), ['10 GET /api/books/:id', '11 POST /api/books', '12 DELETE /api/books/:id', '9 GET /api/books']);
  });

  test('handlers resolved to their declarations across files; inline handlers by line', () => {
    assert.deepEqual(findRoute(facts, 'GET', '/api/books/:id').handler, { kind: 'named', file: 'src/handlers/books.ts', name: 'getBook', line: 15 });
    assert.deepEqual(findRoute(facts, 'GET', '/api/authors/:id/books').handler, { kind: 'named', file: 'src/handlers/authors.ts', name: 'authorBooks', line: 12 });
    assert.deepEqual(findRoute(facts, 'DELETE', '/api/orders/:orderId/items/:itemId').handler, { kind: 'named', file: 'src/handlers/orders.ts', name: 'removeItem', line: 47 });
    assert.deepEqual(findRoute(facts, 'GET', '/health').handler, { kind: 'inline', file: 'src/routes/health.ts', name: '<anonymous@6>', line: 6 });
  });

  test('middleware: router.use(fn) before a nested router applies to it, after it does not; then the route\'s own', () => {
    const mw = (method: string, path: string) => findRoute(facts, method, path).middleware;
    assert.deepEqual(mw('GET', '/api/books'), ['requestTimer']);
    assert.deepEqual(mw('GET', '/api/books/:id'), ['requestTimer', 'loadBook']);
    assert.deepEqual(mw('POST', '/api/books'), ['requestTimer', 'requireUser', 'requireRole', 'validateBody']);
    assert.deepEqual(mw('GET', '/api/authors'), ['requestTimer']);
    assert.deepEqual(mw('PATCH', '/api/orders/:orderId'), ['requestTimer', 'requireUser', 'requireRole']);
    assert.deepEqual(mw('POST', '/api/orders/:orderId/items'), ['requestTimer', 'requireUser', 'loadOrder', 'validateBody']);
    // app-wide middleware (errorHandler, bodyParser) is not repeated; allowedMethods() is not a middleware of any route
    assert.deepEqual(mw('GET', '/health'), []);
    assert.ok(facts.routes.every((r) => !r.middleware.some((m) => /allowedMethods|routes/.test(m))));
  });

  test('a path built at run time is unresolved, with its expression', () => {
    assert.deepEqual(facts.unresolvedRoutes, [
      { file: 'src/routes/books.ts', line: 15, method: 'GET', expression: "process.env.BOOK_FEED_PATH ?? '/feed.xml'", reason: 'path built at run time' },
    ]);
  });

  test('a router nothing mounts is reported under its own prefix, with a warning; nothing else is warned about', () => {
    assert.deepEqual(facts.warnings, [
      { file: 'src/routes/wishlist.ts', message: "router 'wishlistRouter' in src/routes/wishlist.ts is not mounted anywhere the analyzer can see; its routes are reported with their own paths" },
    ]);
  });

  test("a route's handler id is the id its table accesses carry (knex)", () => {
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/api/orders')), ['write order_items', 'write orders', 'write stock']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/api/books/:id')), ['read stock']);
  });
});

describe('routes: koa-router in CommonJS, and what cannot be placed', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('koa-edge');
  });

  test("Router() without new, use(['/v1', '/v2'], child.routes()), a router required inline into app.use()", () => {
    assert.deepEqual(routeList(facts), ['GET /legacy-api/books', 'GET /v1/ping', 'GET /v2/ping']);
    assert.deepEqual(facts.warnings, []);
  });

  test('a regular-expression path, and a router whose options (and so its prefix) come from elsewhere, are unresolved', () => {
    assert.deepEqual(facts.unresolvedRoutes, [
      { file: 'app.js', line: 13, method: 'GET', expression: '/^\\/legacy\\/.*/', reason: 'regular expression path' },
      { file: 'app.js', line: 14, method: 'GET', expression: 'routerOptions', reason: 'mounted under a prefix built at run time' },
    ]);
  });
});

describe('routes: koa-router routers mounted through the routes() a constant holds', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('koa-held-routes');
  });

  test('`export const shelfRoutes = router.routes()` then `api.use(shelfRoutes)` (and middleware()) mounts the router under api', () => {
    assert.deepEqual(routeList(facts), ['GET /api/members', 'GET /api/shelves', 'POST /api/shelves/:id/loans', 'DELETE /api/shelves/:id/loans/:loanId']);
    assert.deepEqual(facts.warnings, []);
  });

  test('handlers in nested objects are named by their whole path (shelves.loans.open), so they do not collide', () => {
    assert.deepEqual(findRoute(facts, 'POST', '/api/shelves/:id/loans').handler, { kind: 'named', file: 'src/controllers/shelves.ts', name: 'shelves.loans.open', line: 8 });
    assert.deepEqual(findRoute(facts, 'DELETE', '/api/shelves/:id/loans/:loanId').handler, { kind: 'named', file: 'src/controllers/shelves.ts', name: 'shelves.loans.close', line: 14 });
  });

  test('knex reached through a property (ctx.app.db) is read in the handlers that use it', () => {
    assert.deepEqual(facts.tables.map((t) => `${t.function} ${t.access} ${t.table}`), [
      'shelves.list read shelves',
      'shelves.loans.open read shelves',
      'shelves.loans.open write loans',
      'shelves.loans.close write loans',
      '<anonymous@5> read members',
      '<anonymous@11> read shelves',
    ]);
  });

  test("router.param('id', fn) runs before the handlers of the router's routes with :id, wherever written; named by its function id", () => {
    assert.deepEqual(findRoute(facts, 'POST', '/api/shelves/:id/loans').middleware, ['<anonymous@11>']);
    assert.deepEqual(findRoute(facts, 'DELETE', '/api/shelves/:id/loans/:loanId').middleware, ['<anonymous@11>']);
    assert.deepEqual(findRoute(facts, 'GET', '/api/shelves').middleware, []);
  });
});

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf } from './fixture.ts';
import { joinPath } from '../../../analyzer/extract/express-syntax.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';

const list = (facts: Facts) => facts.routes.map((r) => `${r.method} ${r.path}`);

describe('routes: routers mounted two levels deep across files', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('express-mounts');
  });

  test('every route with its full path, no more, no fewer', () => {
    assert.deepEqual(list(facts), [
      'POST /api/authors',
      'GET /api/authors/:id',
      'GET /api/v1/books',
      'DELETE /api/v1/books/:id',
      'GET /api/v1/books/:id',
      'PATCH /api/v1/books/:id',
      'PUT /api/v1/books/:id',
      'GET /api/v1/books/best',
      'GET /api/v1/books/extra',
      'GET /api/v1/books/top',
      'GET /health',
    ]);
  });

  test('route(path).get().put().delete() chain: one route per verb, each on its own line', () => {
    const chain = facts.routes.filter((r) => r.path === '/api/v1/books/:id' && r.line < 20).map((r) => [r.method, r.line]);
    assert.deepEqual(chain, [['DELETE', 14], ['GET', 12], ['PUT', 13]]);
  });

  test('handlers resolved to their declaration: named, member of an object, factory, inline', () => {
    const handler = (method: string, path: string) => facts.routes.find((r) => r.method === method && r.path === path)?.handler;
    assert.deepEqual(handler('GET', '/api/v1/books'), { kind: 'named', file: 'handlers/books.ts', name: 'listBooks', line: 1 });
    assert.deepEqual(handler('GET', '/api/v1/books/top'), { kind: 'named', file: 'handlers/books.ts', name: 'bookHandlers.top', line: 5 });
    assert.deepEqual(handler('GET', '/api/v1/books/:id'), { kind: 'factory', file: 'handlers/factory.ts', name: 'makeGetHandler', line: 1 });
    assert.deepEqual(handler('PUT', '/api/v1/books/:id'), { kind: 'inline', file: 'routes/books.ts', name: '<anonymous@13>', line: 13 });
    assert.deepEqual(handler('GET', '/api/authors/:id'), { kind: 'inline', file: 'routes/authors.ts', name: 'getAuthor', line: 5 });
  });

  test('middleware: from the mount, router-level use(), and the route itself, in order', () => {
    const put = facts.routes.find((r) => r.method === 'PUT');
    assert.deepEqual(put?.middleware, ['requireAuth', 'audit', 'audit']);
    assert.deepEqual(facts.routes.find((r) => r.path === '/health')?.middleware, []);
  });

  // `router[r.method](r.path, …)` over a const array is read at each element (loop-routes.test.ts has one chosen at run time)
  test('a path chosen at run time is reported as unresolved with its location', () => {
    assert.deepEqual(facts.unresolvedRoutes, [
      { file: 'routes/books.ts', line: 16, method: 'POST', expression: 'dynamic', reason: 'path built at run time' },
    ]);
  });

  test("router['patch'](path, …) with a literal method is an ordinary route", () => {
    assert.equal(facts.routes.find((r) => r.method === 'PATCH')?.line, 22);
  });
});

describe('routes: CommonJS, a function that receives the app, require() mounted inline', () => {
  test('routes registered on a parameter belong to the app passed in', async () => {
    const facts = await factsOf('cjs-routes');
    // routes/api.js exports a function that makes a router and returns it: mounted by its caller, held or inline
    assert.deepEqual(list(facts), ['DELETE /admin/cache', 'GET /api/items', 'GET /orders', 'POST /orders', 'GET /v2/items']);
    assert.deepEqual(facts.routes.find((r) => r.path === '/orders' && r.method === 'GET')?.handler, {
      kind: 'named', file: 'orders.js', name: 'listOrders', line: 1,
    });
    assert.deepEqual(facts.warnings, []);
  });
});

describe('routes: joinPath', () => {
  test('joins like Express mounts do', () => {
    assert.equal(joinPath('', '/'), '/');
    assert.equal(joinPath('/', '/books'), '/books');
    assert.equal(joinPath('/books', '/'), '/books');
    assert.equal(joinPath('/api/', 'x'), '/api/x');
    assert.equal(joinPath('/api', '/:id'), '/api/:id');
  });
});

describe('routes: class-based controllers, bound methods, wrapped handlers', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('express-classes');
  });

  test('a router held in a class field and mounted from an instance, under a template prefix', () => {
    assert.deepEqual(list(facts), ['GET /api/books', 'DELETE /api/books/:id', 'GET /api/books/:id', 'POST /echo', 'GET /ping']);
  });

  test('handlers: this.method.bind(this), an arrow-function field, wrappers around an inline function', () => {
    const handler = (method: string, path: string) => facts.routes.find((r) => r.method === method && r.path === path)?.handler;
    assert.deepEqual(handler('GET', '/api/books'), { kind: 'named', file: 'controllers/books.ts', name: 'BooksController.list', line: 12 });
    assert.deepEqual(handler('DELETE', '/api/books/:id'), { kind: 'named', file: 'controllers/books.ts', name: 'BooksController.remove', line: 20 });
    // asyncHandler comes from a package; the request is handled by the function it wraps
    assert.deepEqual(handler('GET', '/ping'), { kind: 'inline', file: 'server.ts', name: '<anonymous@12>', line: 12 });
    assert.deepEqual(handler('POST', '/echo'), { kind: 'inline', file: 'server.ts', name: '<anonymous@16>', line: 16 });
  });
});

describe('routes: what cannot be placed, and what is not a route', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('express-edge');
  });

  test('a router under a prefix built at run time, and a regex path, are unresolved with the expression', () => {
    assert.deepEqual(facts.unresolvedRoutes, [
      { file: 'admin.mjs', line: 3, method: 'GET', expression: "process.env.ADMIN_PREFIX || '/admin'", reason: 'mounted under a prefix built at run time' },
      { file: 'app.js', line: 7, method: 'GET', expression: '/^\\/legacy\\/.*/', reason: 'regular expression path' },
    ]);
  });

  test('Map.get and an HTTP client post with a path-like string are not routes', () => {
    assert.deepEqual(list(facts), ['ALL /*', 'GET /lost']);
  });

  test('a router nothing mounts is reported with its own paths and a warning', () => {
    assert.deepEqual(facts.warnings, [
      { file: 'orphan.mjs', message: "router 'orphan' in orphan.mjs is not mounted anywhere the analyzer can see; its routes are reported with their own paths" },
    ]);
  });
});

describe('routes: routers made and mounted without a name (Router().use() chains)', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('express-chains');
  });

  test("a const holding Router().use(a).use('/x', b), an exported Router().use('/v1', v1) and a router whose routes chain on Router() are followed to the full path", () => {
    assert.deepEqual(list(facts), [
      'GET /v1/loans',
      'POST /v1/loans',
      'DELETE /v1/loans/:loanId',
      'GET /v1/shelves',
      'GET /v1/shelves/:shelfId',
    ]);
  });

  test("middleware of a chained use() applies to the router it mounts; param('shelfId', fn) runs before the handlers of routes with :shelfId, and a route chained after it is on its router", () => {
    const byRoute = Object.fromEntries(facts.routes.map((r) => [`${r.method} ${r.path}`, r.middleware]));
    assert.deepEqual(byRoute['POST /v1/loans'], ['requireMember']);
    assert.deepEqual(byRoute['GET /v1/shelves'], []);
    assert.deepEqual(byRoute['GET /v1/shelves/:shelfId'], ['loadShelf']);
    assert.deepEqual(facts.routes.find((r) => r.path === '/v1/shelves/:shelfId')?.handler, { kind: 'named', file: 'members.ts', name: 'showShelf', line: 14 });
  });

  test('no router is reported as unmounted', () => {
    assert.deepEqual(facts.warnings, []);
  });
});

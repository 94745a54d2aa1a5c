// Hono routes, without hono installed: apps made by `new Hono()` (hono, hono/tiny, CommonJS require) and
// @hono/zod-openapi's `new OpenAPIHono()` with its openapi(createRoute({ … }), handler) routes, basePath(),
// route(prefix, app) mounts across files (a router mounted twice, a chained one exported as is), on(methods, path),
// all(), Hono's path syntax, path-scoped and positional use() middleware, hono/factory's createApp() and
// createHandlers(), what is warned about (mount() of a non-Hono app, a verb without a path), what is not a route
// (a look-alike object), the handler ids tables join on, and the proxy config analyze() emits; apps made by the
// project's own functions, createRoute()s read through a namespace import, route() mounts in loops, and doc().
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { honoPath, inScope, middlewareScope } from '../../../analyzer/extract/hono-syntax.ts';
import { analyze, toProxyConfig } from '../../../analyzer/index.ts';
import { proxyMethod, proxyPaths } from '../../../analyzer/proxy-config.ts';
import { parseConfig } from '../../../proxy/config.ts';
import { factsOf, findRoute, fixture, handlerTables } from './fixture.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';

describe('routes: a Hono bookshop across files', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('hono-app');
  });

  test('every route with its full path, where it is registered, its middleware and its handler', () => {
    const rows = facts.routes.map((r) => `${r.method} ${r.path} ${r.file}:${r.line} [${r.middleware.join(', ')}] ${r.handler.kind} ${r.handler.file}#${r.handler.name}`);
    assert.deepEqual(rows, [
      'DELETE /admin/cache src/routes/admin.cjs:6 [] inline src/routes/admin.cjs#<anonymous@6>',
      'GET /admin/reports/sales src/routes/reports.cjs:5 [] inline src/routes/reports.cjs#<anonymous@5>',
      'GET /admin/reports/stock src/routes/reports.cjs:6 [] inline src/routes/reports.cjs#<anonymous@6>',
      'GET /api/ping src/index.ts:16 [] inline src/index.ts#<anonymous@16>',
      'GET /books src/routes/books.ts:3 [] inline src/routes/books.ts#<anonymous@3>',
      'POST /books src/routes/books.ts:5 [] inline src/routes/books.ts#<anonymous@5>',
      'GET /books/:id src/routes/books.ts:4 [] inline src/routes/books.ts#<anonymous@4>',
      'GET /catalog/authors src/routes/catalog.ts:14 [] inline src/routes/catalog.ts#<anonymous@14>',
      'GET /catalog/authors/:id src/routes/catalog.ts:15 [requireUser] inline src/routes/catalog.ts#<anonymous@15>',
      'GET /health src/index.ts:13 [] inline src/index.ts#<anonymous@13>',
      'GET /shop/authors/:authorId/reviews src/routes/shop.ts:10 [requireShopper] inline src/routes/shop.ts#<anonymous@10>',
      'POST /shop/authors/:authorId/reviews src/routes/shop.ts:11 [requireShopper, requireUser] inline src/routes/shop.ts#<anonymous@11>',
      'GET /shop/books/:bookId/reviews src/routes/shop.ts:10 [requireShopper] inline src/routes/shop.ts#<anonymous@10>',
      'POST /shop/books/:bookId/reviews src/routes/shop.ts:11 [requireShopper, requireUser] inline src/routes/shop.ts#<anonymous@11>',
      'PURGE /shop/cache src/routes/shop.ts:21 [requireShopper, requireRole] inline src/routes/shop.ts#<anonymous@21>',
      'ALL /shop/echo/* src/routes/shop.ts:22 [requireShopper] inline src/routes/shop.ts#<anonymous@22>',
      'GET /shop/export src/routes/shop.ts:27 [requireShopper, requireUser] inline src/routes/shop.ts#<anonymous@26>',
      'GET /shop/extras/gift-cards src/routes/shop.ts:30 [requireShopper] inline src/routes/shop.ts#<anonymous@30>',
      'GET /shop/files/:name? src/routes/shop.ts:23 [requireShopper] inline src/routes/shop.ts#<anonymous@23>',
      'GET /shop/orders src/routes/shop.ts:17 [requireShopper] named src/handlers/orders.ts#listOrders',
      'PATCH /shop/orders/:id src/routes/shop.ts:20 [requireShopper, requireUser, requireRole] named src/handlers/orders.ts#updateOrder',
      'PUT /shop/orders/:id src/routes/shop.ts:20 [requireShopper, requireUser, requireRole] named src/handlers/orders.ts#updateOrder',
      'GET /shop/orders/:id([0-9]+) src/routes/shop.ts:19 [requireShopper, requireUser] named src/handlers/orders.ts#getOrder',
      'GET /v2/books src/routes/books.ts:3 [] inline src/routes/books.ts#<anonymous@3>',
      'POST /v2/books src/routes/books.ts:5 [] inline src/routes/books.ts#<anonymous@5>',
      'GET /v2/books/:id src/routes/books.ts:4 [] inline src/routes/books.ts#<anonymous@4>',
    ]);
    assert.deepEqual(facts.unresolvedRoutes, []);
  });

  test('the app of the issue: a router mounted with route() and an app made with basePath() are under their prefixes', () => {
    for (const [method, path] of [['GET', '/health'], ['GET', '/books'], ['GET', '/books/:id'], ['POST', '/books'], ['GET', '/api/ping']]) findRoute(facts, method, path);
    assert.ok(!facts.routes.some((r) => r.path === '/' || r.path === '/:id' || r.path === '/ping'));
  });

  test("a look-alike object's get(), route() and on() record nothing", () => {
    assert.ok(!facts.routes.some((r) => r.file === 'src/index.ts' && r.line > 24));
    assert.ok(!facts.warnings.some((w) => /cache/.test(w.message)));
  });

  test('mount() of a non-Hono app and a verb without a path are warned about, nothing else', () => {
    assert.deepEqual(facts.warnings, [
      { file: 'src/index.ts', message: "src/index.ts:24: app.mount('/legacy', …) hands the requests under '/legacy' to an app that is not Hono; its routes are not reported" },
      { file: 'src/routes/shop.ts', message: 'src/routes/shop.ts:28: shop.get(handler) without a path adds a handler to the path registered before it; not reported' },
    ]);
  });

  test("a route's handler id is the id its table accesses carry (SQL through better-sqlite3)", () => {
    const tables = (method: string, path: string) => handlerTables(facts, findRoute(facts, method, path));
    assert.deepEqual(tables('GET', '/shop/orders'), ['read orders']);
    assert.deepEqual(tables('GET', '/shop/orders/:id([0-9]+)'), ['read orders']);
    assert.deepEqual(tables('PATCH', '/shop/orders/:id'), ['write order_events', 'write orders']);
    assert.deepEqual(tables('GET', '/shop/books/:bookId/reviews'), ['read reviews']);
    assert.deepEqual(tables('POST', '/shop/authors/:authorId/reviews'), ['write reviews']);
    assert.deepEqual(tables('GET', '/shop/export'), ['read orders']);
    assert.deepEqual(tables('GET', '/shop/extras/gift-cards'), ['read gift_cards']);
    assert.deepEqual(tables('DELETE', '/admin/cache'), ['write cache_entries']);
    assert.deepEqual(tables('GET', '/admin/reports/stock'), ['read stock']);
    assert.deepEqual(tables('GET', '/catalog/authors/:id'), ['read authors']);
    assert.deepEqual(tables('GET', '/health'), []);
  });
});

describe('routes: Hono registrations at the edges', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('hono-edge');
  });

  test('hono/quick; an exported basePath() chain (its use() calls in written order) mounted on a basePath() of a named app; basePath() used in place', () => {
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path} ${r.file}:${r.line} [${r.middleware.join(', ')}]`), [
      'GET /admin/stats src/app.ts:9 [auth]',
      'GET /files/:path(.+) src/app.ts:15 []',
      'GET /public src/app.ts:10 []',
      'GET /v0/old src/app.ts:17 []',
      'DELETE /v1/users/u/:id src/users.ts:9 [audit, auth]',
      'GET /v1/users/u/:id src/users.ts:7 [audit]',
    ]);
    assert.deepEqual(proxyPaths(findRoute(facts, 'GET', '/files/:path(.+)').path), ['/files/*path']);
  });

  test('on() with a method chosen at run time is unresolved; route() of something that is not a Hono app is warned about', () => {
    assert.deepEqual(facts.unresolvedRoutes, [{ file: 'src/app.ts', line: 14, method: '*', expression: 'METHOD', reason: 'method chosen at run time' }]);
    assert.deepEqual(facts.warnings, [
      { file: 'src/app.ts', message: "src/app.ts:16: route('/itty', Router()) mounts 'Router()', which could not be traced to a Hono app; its routes are not reported" },
    ]);
  });
});

describe('routes: Hono apps made by functions and mounted in loops', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('hono-factory');
  });

  test('a function returning new OpenAPIHono() makes an app per call; createRoute() read through a namespace import; route() in forEach and for…of; a named chain is its app; a function returning a chain is that app, mounted twice; doc() and doc31() serve the OpenAPI document', () => {
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path} ${r.file}:${r.line} [${r.middleware.join(', ')}] ${r.handler.kind} ${r.handler.file}#${r.handler.name}`), [
      'GET / src/routes/index.route.ts:4 [] inline src/routes/index.route.ts#<anonymous@4>',
      'GET /doc src/lib/configure-open-api.ts:4 [] unresolved undefined#app.doc',
      'GET /doc31 src/app.ts:27 [] unresolved undefined#app.doc31',
      'GET /notes src/routes/notes.ts:8 [requireUser] inline src/routes/notes.ts#createNotesRoute',
      'POST /notes/:id/archive src/routes/notes.ts:9 [requireUser] inline src/routes/notes.ts#createNotesRoute',
      'GET /reference src/lib/configure-open-api.ts:5 [] inline src/lib/configure-open-api.ts#configureOpenAPI',
      'GET /tasks src/routes/tasks.index.ts:6 [] named src/routes/tasks.handlers.ts#list',
      'GET /tasks/:id src/routes/tasks.index.ts:7 [] named src/routes/tasks.handlers.ts#getOne',
      'GET /threads src/routes/threads.ts:8 [] inline src/routes/threads.ts#<anonymous@8>',
      'POST /threads src/routes/threads.ts:13 [requireUser] inline src/routes/threads.ts#<anonymous@13>',
      'GET /v1/notes src/routes/notes.ts:8 [apiKey, requireUser] inline src/routes/notes.ts#createNotesRoute',
      'POST /v1/notes/:id/archive src/routes/notes.ts:9 [apiKey, requireUser] inline src/routes/notes.ts#createNotesRoute',
    ]);
    assert.deepEqual(facts.unresolvedRoutes, []);
    assert.deepEqual(facts.warnings, []);
  });
});

describe('Hono paths and middleware scopes', () => {
  test("a regex constraint is written Express's way, which the proxy rules read (a {.+} one is a wildcard)", () => {
    assert.equal(honoPath('/posts/:id{[0-9]+}'), '/posts/:id([0-9]+)');
    assert.equal(honoPath('/posts/:date{[0-9]{4}-[0-9]{2}}/:slug'), '/posts/:date([0-9]{4}-[0-9]{2})/:slug');
    assert.equal(honoPath('/books/:id?'), '/books/:id?');
    assert.equal(honoPath('/authors/{id}/books/{bookId}'), '/authors/:id/books/:bookId'); // OpenAPI's, from createRoute()
    assert.deepEqual(proxyPaths(honoPath('/posts/:id{[0-9]+}')), ['/posts/:id']);
    assert.deepEqual(proxyPaths(honoPath('/files/:path{.+}')), ['/files/*path']);
    assert.deepEqual(proxyPaths('/shop/files/:name?'), ['/shop/files', '/shop/files/:name']);
  });

  test('use(mw) and use("*", mw) are for every route; use("/x/*", mw) for /x and what is under it', () => {
    assert.equal(middlewareScope('*'), undefined);
    assert.equal(middlewareScope('/*'), undefined);
    assert.ok(inScope('/orders/*', '/orders'));
    assert.ok(inScope('/orders/*', '/orders/:id'));
    assert.ok(!inScope('/orders/*', '/ordersx'));
    assert.ok(inScope('/orders*', '/ordersx'));
    assert.ok(inScope('/orders', '/orders/'));
    assert.ok(!inScope('/orders', '/orders/:id'));
  });

  test('a method no proxy rule can name is left out of the config', () => {
    assert.equal(proxyMethod('ALL'), '*');
    assert.equal(proxyMethod('PATCH'), 'PATCH');
    assert.equal(proxyMethod('SEARCH'), 'SEARCH');
    assert.equal(proxyMethod('PURGE'), undefined);
  });
});

describe('analyze on a Hono bookshop', () => {
  test('the emitted proxy config parses, with a rule per route the proxy can say', async () => {
    const { facts, plan } = await analyze(fixture('hono-app'), { pinsFile: false, rootLabel: 'hono-app' });
    assert.equal(plan.summary.routes, facts.routes.length);
    const config = parseConfig(JSON.parse(JSON.stringify(toProxyConfig(plan))), 'hono-app strangler.config.json');
    const rules = config.routes.map((r) => `${r.method} ${r.path}`);
    for (const rule of ['GET /shop/orders/:id', '* /shop/echo/*', 'GET /shop/files', 'GET /shop/files/:name', 'PUT /shop/orders/:id']) {
      assert.ok(rules.includes(rule), `${rule} in ${rules.join('; ')}`);
    }
    assert.ok(!rules.some((r) => r.startsWith('PURGE')));
    assert.ok(plan.warnings.some((w) => w.file === 'src/routes/shop.ts:21' && /PURGE route `\/shop\/cache` has a method no proxy rule can name/.test(w.message)), JSON.stringify(plan.warnings));
    assert.ok(config.routes.every((r) => r.service in config.services));
  });
});

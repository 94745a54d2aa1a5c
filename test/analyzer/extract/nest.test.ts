// NestJS routes: controllers and their method decorators read statically (no @nestjs installed), with the
// global prefix and its exclusions, URI versioning, RouterModule paths, guards/interceptors/pipes, and the
// handler ids that calls and tables join on.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf, fixture } from './fixture.ts';
import { excludeMatcher } from '../../../analyzer/extract/nest-syntax.ts';
import { loadProject } from '../../../analyzer/extract/project.ts';
import { extractNestRoutes } from '../../../analyzer/extract/routes-nest.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';

const list = (facts: Facts) => facts.routes.map((r) => `${r.method} ${r.path}`);
const route = (facts: Facts, method: string, path: string) => {
  const found = facts.routes.find((r) => r.method === method && r.path === path);
  assert.ok(found, `${method} ${path} is extracted`);
  return found;
};

/** Tables reached from a function id through up to `hops` cross-file calls: "<access> <table>". */
function tablesReached(facts: Facts, id: string, hops: number): string[] {
  const ids = new Set([id]);
  for (let i = 0; i < hops; i++) for (const e of facts.calls.edges) if (ids.has(e.from)) ids.add(e.to);
  return [...new Set(facts.tables.filter((t) => ids.has(`${t.file}#${t.function}`)).map((t) => `${t.access} ${t.table}`))].sort();
}

describe('NestJS routes: a bookshop with a global prefix, versions, RouterModule and guards', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('nest-app');
  });

  test('every route with the path Nest serves it on, no more, no fewer', () => {
    assert.deepEqual(list(facts), [
      'GET /api/admin/reports/sales',
      'PUT /api/admin/stock/:bookId',
      'GET /api/admin/stock/low',
      'GET /api/authors/:id',
      'DELETE /api/metrics',
      'GET /api/orders',
      'POST /api/orders',
      'GET /api/orders/:id',
      'POST /api/orders/:id/cancel',
      'GET /api/v1/books',
      'POST /api/v1/books',
      'DELETE /api/v1/books/:id',
      'GET /api/v1/books/:id',
      'PATCH /api/v1/books/:id',
      'GET /api/v2/books/:id',
      'POST /api/webhooks/refunds',
      'GET /api/writers/:id',
      'GET /health',
      'GET /metrics',
    ]);
  });

  test("global prefix exclusions: a string excludes every method, { path, method } only that method", () => {
    assert.equal(route(facts, 'GET', '/health').handler.name, 'HealthController.check');
    assert.equal(route(facts, 'GET', '/metrics').handler.name, 'HealthController.metrics');
    assert.equal(route(facts, 'DELETE', '/api/metrics').handler.name, 'HealthController.reset');
  });

  test('URI versioning: the controller version, a method @Version over it, no segment on unversioned controllers', () => {
    assert.equal(route(facts, 'GET', '/api/v1/books/:id').handler.name, 'BooksController.findOne');
    assert.equal(route(facts, 'GET', '/api/v2/books/:id').handler.name, 'BooksController.findOneV2');
    assert.equal(facts.routes.some((r) => r.path.startsWith('/api/v1/books/') && r.handler.name === 'BooksController.findOneV2'), false);
    assert.ok(facts.routes.some((r) => r.path === '/api/orders'));
  });

  test('RouterModule: module paths, and a child module under its parent', () => {
    assert.deepEqual(route(facts, 'GET', '/api/admin/stock/low').handler, { kind: 'named', file: 'src/admin/stock.controller.ts', name: 'StockController.low', line: 13 });
    assert.equal(route(facts, 'GET', '/api/admin/reports/sales').handler.name, 'ReportsController.sales');
  });

  test('handlers are Class.method ids; the route line is its HTTP decorator', () => {
    const findOne = route(facts, 'GET', '/api/v1/books/:id');
    assert.deepEqual(findOne.handler, { kind: 'named', file: 'src/catalog/books.controller.ts', name: 'BooksController.findOne', line: 34 });
    assert.deepEqual([findOne.file, findOne.line], ['src/catalog/books.controller.ts', 34]);
    const v2 = route(facts, 'GET', '/api/v2/books/:id');
    assert.deepEqual([v2.line, v2.handler.line], [41, 40]); // @Get on 41, the method (from its first decorator) on 40
    // an array of controller paths: one route per path, the same handler
    assert.equal(route(facts, 'GET', '/api/writers/:id').handler.name, 'AuthorsController.findOne');
    assert.ok(facts.routes.every((r) => r.handler.kind === 'named'));
  });

  test('middleware: guards, then interceptors, then pipes, as Nest runs them; controller-level before route-level', () => {
    assert.deepEqual(route(facts, 'GET', '/api/v1/books').middleware, ['ClassSerializerInterceptor']);
    assert.deepEqual(route(facts, 'POST', '/api/v1/books').middleware, ['JwtAuthGuard', 'RolesGuard', 'ClassSerializerInterceptor']);
    assert.deepEqual(route(facts, 'GET', '/api/orders').middleware, ['JwtAuthGuard']);
    assert.deepEqual(route(facts, 'POST', '/api/orders').middleware, ['JwtAuthGuard', 'AuditInterceptor', 'ValidationPipe']);
    assert.deepEqual(route(facts, 'GET', '/api/admin/reports/sales').middleware, ['JwtAuthGuard', 'RolesGuard']);
    assert.deepEqual(route(facts, 'GET', '/health').middleware, []);
  });

  test('a path built at run time is unresolved, with its expression and location', () => {
    assert.deepEqual(facts.unresolvedRoutes, [
      { file: 'src/payments/webhooks.controller.ts', line: 9, method: 'POST', expression: "process.env.PAYMENT_WEBHOOK_PATH ?? 'payment'", reason: 'path built at run time' },
    ]);
    assert.deepEqual(facts.warnings, []);
  });

  // calls inside one file (OrdersService.place → this.get) are not edges, so a hop count reaches only across files
  test('calls from a handler into its injected service resolve, so tables join to handlers', () => {
    const from = (id: string) => facts.calls.edges.filter((e) => e.from === id).map((e) => e.to);
    assert.deepEqual(from('src/catalog/books.controller.ts#BooksController.findOne'), ['src/catalog/books.service.ts#BooksService.findOne']);
    assert.deepEqual(from('src/orders/orders.controller.ts#OrdersController.place'), ['src/orders/orders.service.ts#OrdersService.place']);
    const id = (method: string, path: string) => {
      const h = route(facts, method, path).handler;
      return `${h.file}#${h.name}`;
    };
    assert.deepEqual(tablesReached(facts, id('GET', '/api/v1/books/:id'), 1), ['read books']);
    assert.deepEqual(tablesReached(facts, id('DELETE', '/api/v1/books/:id'), 1), ['write books']);
    assert.deepEqual(tablesReached(facts, id('POST', '/api/orders'), 2), ['read books', 'write order_items', 'write orders', 'write stock']);
    assert.deepEqual(tablesReached(facts, id('PUT', '/api/admin/stock/:bookId'), 1), ['write stock']);
  });
});

describe('NestJS routes: a monorepo of three apps and the less common shapes', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('nest-edge');
  });

  test('every route of every app (and the Express router mounted on one), sorted with the Express ones', () => {
    assert.deepEqual(list(facts), [
      'GET /admin/users',
      'DELETE /admin/users/:id',
      'POST /hooks/github',
      'GET /legacy/catalog',
      'GET /orphan',
      'GET /shop/store',
      'GET /shop/store/catalog/items',
      'OPTIONS /shop/store/catalog/items',
      'ALL /shop/store/catalog/items/*',
      'HEAD /shop/store/catalog/items/:id',
      'GET /shop/store/catalog/items/:sku/cost',
      'GET /shop/store/catalog/items/:sku/price',
      'GET /shop/store/catalog/products',
      'OPTIONS /shop/store/catalog/products',
      'ALL /shop/store/catalog/products/*',
      'HEAD /shop/store/catalog/products/:id',
      'GET /shop/store/catalog/products/:sku/cost',
      'GET /shop/store/catalog/products/:sku/price',
      'GET /shop/version-1/store',
      'GET /shop/version-2/store/catalog/items',
      'OPTIONS /shop/version-2/store/catalog/items',
      'ALL /shop/version-2/store/catalog/items/*',
      'HEAD /shop/version-2/store/catalog/items/:id',
      'GET /shop/version-2/store/catalog/items/:sku/cost',
      'GET /shop/version-2/store/catalog/items/:sku/price',
      'GET /shop/version-2/store/catalog/products',
      'OPTIONS /shop/version-2/store/catalog/products',
      'ALL /shop/version-2/store/catalog/products/*',
      'HEAD /shop/version-2/store/catalog/products/:id',
      'GET /shop/version-2/store/catalog/products/:sku/cost',
      'GET /shop/version-2/store/catalog/products/:sku/price',
      'POST /shop/version-3/store/catalog/items',
      'POST /shop/version-3/store/catalog/products',
      'GET /store/status/:code',
      'POST /version-1/hooks/github',
    ]);
  });

  test('decorators imported under another name or through a namespace count; same-named ones from elsewhere do not', () => {
    assert.equal(route(facts, 'GET', '/shop/store/catalog/items/:sku/price').handler.name, 'ItemsController.price'); // Get as HttpGet
    assert.equal(route(facts, 'GET', '/shop/store').handler.name, 'StatusController.root'); // nest.Get
    assert.equal(facts.routes.some((r) => r.path.includes('look-alike')), false); // routing-controllers, a local Post
  });

  test('routes inherited from a base controller take the subclass path; an override without a decorator is no route', () => {
    assert.deepEqual(route(facts, 'GET', '/shop/store/catalog/items').handler, { kind: 'named', file: 'apps/shop/base.controller.ts', name: 'ReadOnlyController.list', line: 4 });
    assert.equal(route(facts, 'HEAD', '/shop/store/catalog/items/:id').file, 'apps/shop/base.controller.ts');
    assert.equal(facts.routes.some((r) => r.method === 'GET' && r.path.endsWith('/items/:id')), false);
  });

  test('versions: controller arrays with VERSION_NEUTRAL, the default version, a custom prefix; none without enableVersioning', () => {
    // ItemsController: ['2', VERSION_NEUTRAL]; StatusController: the app default ['1', VERSION_NEUTRAL]; @Version('3') on create
    assert.ok(list(facts).includes('GET /shop/version-1/store') && list(facts).includes('GET /shop/store'));
    assert.deepEqual(facts.routes.filter((r) => r.method === 'POST' && r.path.startsWith('/shop')).map((r) => r.path), [
      '/shop/version-3/store/catalog/items',
      '/shop/version-3/store/catalog/products',
    ]);
    // the admin app sets a prefix but no versioning: the controller's version: '2' changes nothing
    assert.deepEqual(list(facts).filter((r) => r.includes('/admin/')), ['GET /admin/users', 'DELETE /admin/users/:id']);
  });

  test('exclusions with a parameter, a method and an optional wildcard; the version stays on an excluded route', () => {
    assert.equal(route(facts, 'GET', '/store/status/:code').handler.name, 'StatusController.status');
    assert.equal(route(facts, 'POST', '/version-1/hooks/github').handler.name, 'HooksController.github');
    assert.equal(route(facts, 'POST', '/hooks/github').handler.name, 'HooksController.github');
  });

  test('prefix and versioning set in a function that receives the app, as a chain; RouterModule routes from a constant', () => {
    // setup.ts configure(app): '/shop/' prefix; routes.ts: { path: 'store', children: [{ path: '/catalog/', module }, StatusModule] }
    assert.ok(facts.routes.some((r) => r.path === '/shop/store/catalog/items'));
    assert.ok(facts.routes.some((r) => r.path === '/shop/store' && r.file === 'apps/shop/status.controller.ts'));
  });

  test('middleware: stacked decorators run bottom-up, spread arrays are listed, `new Pipe()` is named by its class', () => {
    assert.deepEqual(route(facts, 'GET', '/shop/store/catalog/items').middleware, ['ApiKeyGuard', 'ThrottleGuard']);
    assert.deepEqual(route(facts, 'GET', '/shop/store/catalog/items/:sku/price').middleware, ['ApiKeyGuard', 'ThrottleGuard', 'ApiKeyGuard', 'IpAllowListGuard', 'CacheLike']);
    assert.deepEqual(route(facts, 'POST', '/shop/version-3/store/catalog/items').middleware, ['ApiKeyGuard', 'ThrottleGuard', 'IpAllowListGuard', 'ValidationPipe']);
  });

  // the worker's prefix is set on the value of createWorker(), a function that returns the app
  test('a controller path and a global prefix built at run time are unresolved; a controller in no module is a warning', () => {
    assert.deepEqual(facts.unresolvedRoutes, [
      { file: 'apps/shop/catalog.controller.ts', line: 45, method: 'GET', expression: 'tenant()', reason: 'under a controller path built at run time' },
      { file: 'apps/worker/main.ts', line: 6, method: 'GET', expression: "process.env.WORKER_PREFIX ?? 'worker'", reason: 'under a global prefix built at run time' },
    ]);
    assert.deepEqual(facts.warnings.map((w) => w.message), [
      'controller OrphanController in apps/admin/orphan.controller.ts is in no module that one of the 3 NestJS apps imports; its routes are reported without a global prefix',
    ]);
  });
});

describe('NestJS routes: what stays out', () => {
  test('an Express-only codebase: no file imports @nestjs/, nothing is read or reported', () => {
    const result = extractNestRoutes(loadProject(fixture('express-mounts')));
    assert.deepEqual(result, { routes: [], unresolved: [], warnings: [] });
  });

  test("with tests included, an e2e spec's setGlobalPrefix() on a testing app is not taken for the app's", async () => {
    const facts = await factsOf('nest-edge', { includeTests: true });
    assert.deepEqual(list(facts).filter((r) => r.includes('/users')), ['GET /admin/users', 'DELETE /admin/users/:id']);
    assert.ok(facts.warnings.some((w) => w.message === "apps/admin/test/users.e2e-spec.ts:12: setGlobalPrefix() is called on 'app', which could not be traced to a NestFactory.create(); not applied"));
  });

  test('global-prefix exclusion paths match like path-to-regexp', () => {
    assert.ok(excludeMatcher('health').test('/health'));
    assert.ok(excludeMatcher('/health/').test('/HEALTH/'));
    assert.ok(!excludeMatcher('health').test('/health/live'));
    assert.ok(excludeMatcher('status/:code').test('/status/503') && !excludeMatcher('status/:code').test('/status/5/x'));
    assert.ok(excludeMatcher('docs/*splat').test('/docs/a/b') && !excludeMatcher('docs/*splat').test('/docs'));
    assert.ok(excludeMatcher('docs/{*splat}').test('/docs') && excludeMatcher('docs/{*splat}').test('/docs/a'));
    assert.ok(excludeMatcher('legacy/(.*)').test('/legacy/x/y'));
  });
});

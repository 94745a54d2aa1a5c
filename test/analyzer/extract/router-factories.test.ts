import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { factsOf, findRoute, routeList } from './fixture.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { tempProjects } from './temp-project.ts';

describe('routes: routers and apps made by project factories (Ghost-style shared/express.js)', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('express-factories');
  });

  // server.js mounts the members app through the factory's own app.lazyUse(mountPath, requireFn), the admin app with use()
  test('each call of a factory is a router of its own, mounted under its own prefix, also through a mounting function the factory adds', () => {
    assert.deepEqual(routeList(facts), [
      'GET /ghost/api/admin/comments',
      'GET /ghost/api/admin/comments/:id',
      'GET /ghost/api/admin/posts',
      'GET /ghost/health',
      'GET /health',
      'GET /members/api/comments',
      'GET /members/api/comments/:id',
      'GET /members/api/session',
      'GET /members/old-session',
    ]);
  });

  test("what a factory registers on its local applies to every router made through it, and nothing of another router's", () => {
    // lazyUse's own app.use(mountPath, lazyLoad(…)) is a mount made at each call, not a middleware named mountPath
    // shared/express.js's router.use(sentry.errorHandler), then the app's own use() before the mount, then the router's
    assert.deepEqual(findRoute(facts, 'GET', '/members/api/comments/:id').middleware, ['sentry.errorHandler', 'cacheControl', 'sentry.errorHandler', 'loadSession']);
    assert.deepEqual(findRoute(facts, 'GET', '/ghost/api/admin/comments/:id').middleware, ['sentry.errorHandler', 'mw.bodyParser', 'sentry.errorHandler', 'loadSession']);
    assert.deepEqual(findRoute(facts, 'GET', '/ghost/api/admin/posts').middleware, ['sentry.errorHandler', 'mw.bodyParser', 'sentry.errorHandler', 'mw.cors', 'mw.authAdminApi']);
    assert.deepEqual(findRoute(facts, 'GET', '/members/api/session').middleware, ['sentry.errorHandler', 'cacheControl']);
    // a factory reached as a member of an index object (`mw.redirects()`, `{ redirects: require('./redirects') }`)
    assert.deepEqual(findRoute(facts, 'GET', '/members/old-session').middleware, ['sentry.errorHandler', 'cacheControl', 'sentry.errorHandler']);
  });

  test('a function returning a router made once at module level is one router, mounted at each place', () => {
    assert.deepEqual(findRoute(facts, 'GET', '/health').middleware, ['sentry.errorHandler']);
    assert.deepEqual(findRoute(facts, 'GET', '/ghost/health').middleware, ['sentry.errorHandler']);
    assert.equal(findRoute(facts, 'GET', '/ghost/health').handler.name, 'health');
  });

  test('routes keep their handlers and lines, and no router is left unmounted', () => {
    assert.deepEqual(findRoute(facts, 'GET', '/ghost/api/admin/comments/:id').handler, { kind: 'named', file: 'api/comments.js', name: 'read', line: 5 });
    assert.equal(findRoute(facts, 'GET', '/members/api/comments').line, 11);
    assert.deepEqual(facts.unresolvedRoutes, []);
    assert.deepEqual(facts.warnings.filter((w) => /mounted/.test(w.message)), []);
  });
});

describe('routes: a TypeScript router factory called twice', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('express-factories-esm');
  });

  test('a route the caller adds to one instance is not the other instance’s', () => {
    assert.deepEqual(routeList(facts), ['GET /v1/books', 'GET /v1/books/legacy', 'GET /v2/books']);
  });

  test("the nested factory's middleware is on both instances; a mount's middleware only on its own", () => {
    assert.deepEqual(findRoute(facts, 'GET', '/v1/books').middleware, ['logger']);
    assert.deepEqual(findRoute(facts, 'GET', '/v1/books/legacy').middleware, ['logger']);
    assert.deepEqual(findRoute(facts, 'GET', '/v2/books').middleware, ['requireKey', 'logger']);
    assert.deepEqual(findRoute(facts, 'GET', '/v2/books').handler, { kind: 'named', file: 'routes/books.ts', name: 'listBooks', line: 4 });
  });
});

// Fastify shares the identity, but an app a function builds is a root (its hooks application-wide) and plugin
// instances are parameters: keeping instances apart changes none of its routes.
describe('routes: factories in Koa and Hono (the same router identity)', () => {
  const project = tempProjects('factories');
  const routesOf = async (files: Record<string, string>) =>
    (await extractFacts(project(files))).routes.map((r) => `${r.method} ${r.path} [${r.middleware.join(', ')}]`);

  test('koa-router: a factory with a prefix, called twice, each caller adding its own route under its own mount', async () => {
    assert.deepEqual(await routesOf({
      'routes.js': `const Router = require('@koa/router');
function apiRouter() {
  const router = new Router({ prefix: '/api' });
  router.use(async function auth(ctx, next) { await next(); });
  router.get('/status', (ctx) => { ctx.body = 'ok'; });
  return router;
}
const books = apiRouter();
books.get('/books', (ctx) => { ctx.body = []; });
const authors = apiRouter();
authors.get('/authors', (ctx) => { ctx.body = []; });
const root = new Router();
root.use('/v1', books.routes());
root.use('/v2', authors.routes());
module.exports = root;
`,
      'app.js': `const Koa = require('koa');
const root = require('./routes');
const app = new Koa();
app.use(root.routes());
`,
    }), ['GET /v1/api/books [auth]', 'GET /v1/api/status [auth]', 'GET /v2/api/authors [auth]', 'GET /v2/api/status [auth]']);
  });

  test('Hono: apps made by a function that registers on its local are apps of their own', async () => {
    assert.deepEqual(await routesOf({
      'app.ts': `import { Hono } from 'hono';
const logger = async (c: unknown, next: () => Promise<void>) => next();
function makeApp() {
  const app = new Hono();
  app.use(logger);
  return app;
}
const books = makeApp();
books.get('/', (c) => c.json([]));
const authors = makeApp();
authors.post('/', (c) => c.json({}));
const app = new Hono();
app.route('/books', books);
app.route('/authors', authors);
export default app;
`,
    }), ['POST /authors [logger]', 'GET /books [logger]']);
  });
});

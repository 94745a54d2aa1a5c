import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, type Facts, type Plan } from '../../../analyzer/index.ts';
import { loadProject } from '../../../analyzer/extract/project.ts';
import { sessionMiddlewares } from '../../../analyzer/extract/session-store.ts';
import { renderMarkdown } from '../../../analyzer/report/markdown.ts';
import { accesses, assertShared, factsOf, findRoute, fixture, handlerTables } from './fixture.ts';

describe('tables: the HTTP session (express-session) as the store it is kept in', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('session-app');
  });

  test('each read and write of req.session in a handler, middleware or helper is an access of the store, redis:shop:', () => {
    assert.deepEqual(accesses(facts), [
      // assigning a session field writes; `x ?? 0` on the right reads
      'auth/routes.ts#<anonymous@6> write redis:shop: (session, line 8)',
      'auth/routes.ts#<anonymous@6> read redis:shop: (session, line 9)',
      'auth/routes.ts#<anonymous@6> write redis:shop: (session, line 9)',
      // a named handler typed Request: delete and destroy() write
      'auth/routes.ts#logout write redis:shop: (session, line 16)',
      'auth/routes.ts#logout write redis:shop: (session, line 17)',
      // ({ session, sessionID }, res): the destructured session and session id are read
      'auth/routes.ts#<anonymous@20> read redis:shop: (session, line 20)',
      'auth/routes.ts#<anonymous@20> read redis:shop: (session, line 21)',
      // const { cartId } = req.session
      'cart/routes.ts#<anonymous@6> read redis:shop: (session, line 8)',
      // ??= writes; a named function expression handler keeps its name
      'cart/routes.ts#addItem write redis:shop: (session, line 13)',
      'cart/routes.ts#addItem read redis:shop: (session, line 14)',
      // the helper the cart handler passes its request to; the middleware given to app.use()
      'lib/current-user.ts#requireUser read redis:shop: (session, line 5)',
      'lib/current-user.ts#requireUser read redis:shop: (session, line 6)',
      'lib/current-user.ts#loadUser read redis:shop: (session, line 11)',
      // the guard orders/routes.ts gives its router's use(), a file that never names the session
      'lib/current-user.ts#requireLogin read redis:shop: (session, line 17)',
      // not auth/passwords.ts#countAttempt nor admin/report.js#summarize: their `req` is no HTTP request
    ]);
  });

  test('a store it can name (connect-redis) is no warning', () => {
    assert.deepEqual(facts.warnings, []);
  });

  test('route handlers join to the session store they touch', () => {
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/auth/login')), ['read redis:shop:', 'write redis:shop:', 'write redis:shop:']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/auth/logout')), ['write redis:shop:', 'write redis:shop:']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/cart')), ['read redis:shop:']);
  });
});

describe('tables: express-session with no store keeps sessions in memory', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('session-memory');
  });

  test('accesses are of session:memory; save(), regenerate(), Object.assign() and push() on a kept array write', () => {
    assert.deepEqual(accesses(facts), [
      // a value kept in the session changed in place (push, splice) writes it; copying, includes() and slice() read
      'routes/messages.js#<anonymous@6> read session:memory (session, line 7)',
      'routes/messages.js#<anonymous@6> write session:memory (session, line 7)',
      'routes/messages.js#<anonymous@6> write session:memory (session, line 8)',
      'routes/messages.js#<anonymous@6> write session:memory (session, line 9)',
      'routes/messages.js#<anonymous@13> read session:memory (session, line 15)',
      'routes/wizard.js#<anonymous@5> read session:memory (session, line 6)',
      'routes/wizard.js#<anonymous@9> read session:memory (session, line 10)',
      'routes/wizard.js#<anonymous@9> write session:memory (session, line 10)',
      'routes/wizard.js#<anonymous@9> write session:memory (session, line 11)',
      'routes/wizard.js#<anonymous@14> write session:memory (session, line 15)',
      // ({ session: s }): the renamed session, written by Object.assign(s, …), then read
      'routes/wizard.js#<anonymous@18> write session:memory (session, line 19)',
      'routes/wizard.js#<anonymous@18> read session:memory (session, line 20)',
    ]);
  });

  test('the middleware is a warning: a memory store cannot be shared between the services', () => {
    assert.deepEqual(facts.warnings.map((w) => w.message), [
      'app.js:6: express-session keeps its sessions in memory (MemoryStore: no `store`, or an in-process one); a memory store cannot be shared between processes, so services split from this app lose the sessions: move them to a shared store (connect-redis, connect-mongo, connect-pg-simple) first',
    ]);
  });
});

describe('tables: passport and connect-flash keep their state in the session', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('session-passport');
  });

  test('req.login/logout and req.flash write the store, req.isAuthenticated/isUnauthenticated and req.user read it; req.user reads what deserializeUser() reads', () => {
    assert.deepEqual(accesses(facts), [
      // the accounts module routes/auth.js's deserializer calls (findUser), logs in (findByEmail) and signs up with
      'lib/accounts.js#findUser read users (sql, line 6)',
      'lib/accounts.js#findByEmail read users (sql, line 10)',
      'lib/accounts.js#createUser write users (sql, line 14)',
      'lib/accounts.js#createUser write user_roles (sql, line 15)',
      // middleware given to app.use() reading req.user: the session, and the tables the deserializer reads
      'middleware/expose-user.js#default read redis:auth: (session, line 3)',
      'middleware/expose-user.js#default read user_roles (passport, line 3)',
      'middleware/expose-user.js#default read users (passport, line 3)',
      // the guard given only to a router made by require('express').Router()
      'middleware/guest-only.js#guestOnly read redis:auth: (session, line 2)',
      // the guard given to express.Router()'s route, in a file that never names the session
      'middleware/require-login.js#default read redis:auth: (session, line 3)',
      // req.user beside req.flash('info'), which reads and clears the messages
      'routes/account.js#<anonymous@6> read redis:auth: (session, line 7)',
      'routes/account.js#<anonymous@6> write redis:auth: (session, line 7)',
      'routes/account.js#<anonymous@6> read user_roles (passport, line 7)',
      'routes/account.js#<anonymous@6> read users (passport, line 7)',
      // req.user.id
      'routes/account.js#<anonymous@10> read redis:auth: (session, line 11)',
      'routes/account.js#<anonymous@10> read user_roles (passport, line 11)',
      'routes/account.js#<anonymous@10> read users (passport, line 11)',
      // const { user } = req
      'routes/account.js#<anonymous@14> read redis:auth: (session, line 15)',
      'routes/account.js#<anonymous@14> read user_roles (passport, line 15)',
      'routes/account.js#<anonymous@14> read users (passport, line 15)',
      // ({ user }, res) =>
      'routes/account.js#<anonymous@19> read redis:auth: (session, line 19)',
      'routes/account.js#<anonymous@19> read user_roles (passport, line 19)',
      'routes/account.js#<anonymous@19> read users (passport, line 19)',
      // the deserializer, written in place: its own read; through accounts.findUser() it reads users too, so
      // whatever reads req.user reads users and user_roles
      'routes/auth.js#<anonymous@11> read user_roles (sql, line 13)',
      'routes/auth.js#<anonymous@19> write redis:auth: (session, line 20)',
      'routes/auth.js#<anonymous@24> write redis:auth: (session, line 27)',
      // not /token's req.logIn(user, { session: false }, cb), nor login()/flash() on routes/users.js's object
      'routes/auth.js#<anonymous@35> write redis:auth: (session, line 36)',
      // not /guest's `req.user = …` (this request's own), nor routes/users.js#describe's req.user (a plain parameter)
    ]);
    assert.deepEqual(facts.warnings, []);
  });

  test('the routes that log in and out join to the session store; the ones reading req.user to the store and the users table', () => {
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/auth/signup')), ['write redis:auth:']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/auth/logout')), ['write redis:auth:']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/auth/token')), []);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/auth/guest')), []);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/account/profile')), ['read redis:auth:', 'read user_roles', 'read users']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/account/name')), ['read redis:auth:', 'read user_roles', 'read users']);
  });

  test('koa-passport: ctx.state.user and const { user } = ctx.state read the koa-session store and what a named, imported deserializer reads', async () => {
    const koa = await factsOf('session-passport-koa');
    assert.deepEqual(accesses(koa), [
      'app.ts#<anonymous@17> read members (passport, line 18)',
      'app.ts#<anonymous@17> read redis:club: (session, line 18)',
      'app.ts#<anonymous@20> read members (passport, line 21)',
      'app.ts#<anonymous@20> read redis:club: (session, line 21)',
      // not /visits' ctx.state.visits
      'lib/users.ts#loadUser read members (sql, line 7)',
    ]);
    assert.deepEqual(koa.warnings, []);
  });

  test('@fastify/passport: request.user reads the @fastify/session store and what registerUserDeserializer()\'s function reads; request.user = … reads nothing', async () => {
    const fastify = await factsOf('session-passport-fastify');
    assert.deepEqual(accesses(fastify), [
      'app.ts#<anonymous@15> read accounts (sql, line 15)',
      'app.ts#<anonymous@17> read accounts (passport, line 17)',
      'app.ts#<anonymous@17> read redis:web: (session, line 17)',
    ]);
    assert.deepEqual(handlerTables(fastify, findRoute(fastify, 'POST', '/impersonate')), []);
    assert.deepEqual(fastify.warnings, []);
  });

  test('passport-local-mongoose: User.deserializeUser() given to passport reads users for every req.user; handlers given to catchErrors() or express-async-handler, and a guard exported as { loginRequired: loginRequired }, are requests', async () => {
    const mongoose = await factsOf('session-passport-mongoose');
    assert.deepEqual(accesses(mongoose), [
      // controllers reached only through a project wrapper, catchErrors(stores.createStore)
      'controllers/stores.js#createStore read sessions (session, line 4)',
      'controllers/stores.js#createStore write stores (mongoose, line 4)',
      'controllers/stores.js#createStore read users (passport, line 4)',
      'controllers/stores.js#getHearts read sessions (session, line 9)',
      'controllers/stores.js#getHearts read stores (mongoose, line 9)',
      'controllers/stores.js#getHearts read users (passport, line 9)',
      // the plugin's statics: register() writes, findByUsername() reads
      'controllers/users.js#register write users (mongoose, line 4)',
      'controllers/users.js#lookup read users (mongoose, line 9)',
      // a guard exported as `{ loginRequired: loginRequired }` and given to a route
      'handlers/auth.js#loginRequired read sessions (session, line 3)',
      'handlers/auth.js#loginRequired read users (passport, line 3)',
      // the function the plugin makes, handed to passport.deserializeUser()
      'handlers/passport.js#<module> read users (mongoose, line 6)',
      // asyncHandler(async (req, res) => …) from express-async-handler
      'routes/index.js#<anonymous@12> read sessions (session, line 12)',
      'routes/index.js#<anonymous@12> read users (passport, line 12)',
    ]);
    assert.deepEqual(mongoose.warnings, []);
    // the routes join the wrapped controllers: catchErrors(fn) and asyncHandler(fn) hand the request to fn
    assert.deepEqual(findRoute(mongoose, 'POST', '/stores').handler, { kind: 'named', file: 'controllers/stores.js', name: 'createStore', line: 3 });
    assert.deepEqual(findRoute(mongoose, 'GET', '/lookup').handler, { kind: 'named', file: 'controllers/users.js', name: 'lookup', line: 8 });
    assert.deepEqual(handlerTables(mongoose, findRoute(mongoose, 'POST', '/stores')), ['read sessions', 'read users', 'write stores']);
    assert.deepEqual(handlerTables(mongoose, findRoute(mongoose, 'GET', '/hearts')), ['read sessions', 'read stores', 'read users']);
  });

  test('passport.session() returned by a project helper given to app.use() (authSession()), in a file that never names passport: req.user and `req.user as Member` read the store and the deserializer\'s table', async () => {
    const helper = await factsOf('session-passport-helper');
    assert.deepEqual(accesses(helper), [
      'server/auth.ts#<anonymous@8> read members (sql, line 8)',
      'server/routes.ts#<anonymous@7> read members (passport, line 8)',
      'server/routes.ts#<anonymous@7> read web_sessions (session, line 8)',
      'server/routes.ts#<anonymous@11> read members (passport, line 12)',
      'server/routes.ts#<anonymous@11> read web_sessions (session, line 12)',
    ]);
    assert.deepEqual(helper.warnings, []);
  });

  test('with only a stateless strategy (authenticate(\'jwt\', { session: false })), req.user reads neither the session nor the deserializer\'s tables', async () => {
    const jwt = await factsOf('session-passport-jwt');
    assert.deepEqual(jwt.routes.map((r) => `${r.method} ${r.path}`), ['GET /api/me', 'GET /api/whoami']);
    assert.deepEqual(accesses(jwt), [
      // the deserializer left behind reads users itself, for no handler
      'app.js#<anonymous@13> read users (sql, line 13)',
      // req.session.cart is read (the session reader is on); req.user on the next line and ({ user }) in /whoami are not
      'routes/api.js#<anonymous@3> read redis:api: (session, line 4)',
    ]);
    assert.deepEqual(jwt.warnings, []);
  });
});

describe('session stores: the resource each store package keeps sessions in', () => {
  test('connect-redis v6/v7, connect-mongo, connect-pg-simple, connect-session-sequelize, memory stores, koa-session and koa-generic-session with koa-redis, @fastify/session; cookie-session names nothing', () => {
    const project = loadProject(fixture('session-stores'));
    assert.deepEqual(sessionMiddlewares(project, project.files).map((m) => `${m.file}:${m.line} ${m.resource}`), [
      // @fastify/session (and the older fastify-session) with no store: its MemoryStore; express-session's stores as they are
      'fastify.js:7 session:memory',
      'fastify.js:8 redis:sess:',
      'fastify.js:9 api_sessions',
      'fastify.js:10 session:memory',
      // koa-session with no store keeps the session in the cookie (null); with koa-redis its keys are koa-session's
      // ids, unprefixed unless `prefix` is given; koa-generic-session's `prefix` defaults to koa:sess:, its
      // default store is in memory
      'koa.js:7 null',
      'koa.js:8 redis:',
      'koa.js:9 redis:koa:sess:',
      'koa.js:10 redis:blog:sess:',
      'koa.js:11 session:memory',
      // koa-session's options after the app
      'koa.js:12 redis:v7:',
      // collectionName given; connect-mongo's default collection
      'mongo.ts:4 web_sessions',
      'mongo.ts:5 sessions',
      // the store set on a const's options in production only (no MemoryStore warning); two stores assigned
      'options.js:10 redis:prod:',
      'options.js:16 session:store',
      // options imported from a config module, as they are and spread into another object
      'options.ts:5 redis:shared:',
      'options.ts:6 redis:shared:',
      // connect-session-sequelize's default model and table
      'others.js:7 Session',
      // memorystore and express-session's own MemoryStore
      'others.js:8 session:memory',
      'others.js:9 session:memory',
      // a store it does not know (session-file-store); a table name made at run time
      'others.js:10 session:store',
      'others.js:11 session:store',
      // connect-pg-simple's default table; tableName in schemaName
      'postgres.js:4 session',
      'postgres.js:5 auth.user_sessions',
      // require('connect-redis')(session) with no prefix: connect-redis's default
      'redis-v6.js:5 redis:sess:',
      // require('connect-redis').default held in a const store, its prefix in a const
      'redis-v7.js:7 redis:legacy:',
      // a store module's `export default new (connectPgSimple(session))({ tableName })`
      'store-default.ts:4 web_session',
      // store modules required from another file: a `var` exported by `module.exports = store`, and
      // `module.exports = new redisStore(…)` (as real apps write them)
      'store-modules.js:6 user_sessions',
      'store-modules.js:7 redis:chat:',
      // a `let` given another store later is not guessed
      'store-modules.js:12 session:store',
    ]);
  });

  test('cookie-session keeps the session in the cookie: its handlers record nothing', async () => {
    const facts = await factsOf('session-cookie');
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path}`), ['GET /visits']);
    assert.deepEqual(accesses(facts), []);
    assert.deepEqual(facts.warnings, []);
  });
});

describe('tables: the Koa session (koa-session with koa-redis) as the store it is kept in', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('session-koa');
  });

  test('ctx.session in Koa route handlers and middleware is an access of redis:<koa-session prefix>', () => {
    assert.deepEqual(accesses(facts), [
      // assigning a session field writes; `ctx.session = null` (koa-session's destroy) writes; a named handler reads
      'account/routes.ts#<anonymous@5> write redis:shop:sess: (session, line 7)',
      'account/routes.ts#<anonymous@11> write redis:shop:sess: (session, line 12)',
      'account/routes.ts#me read redis:shop:sess: (session, line 17)',
      // middleware written in place in app.use() on the Koa app
      'app.ts#<anonymous@15> read redis:shop:sess: (session, line 16)',
      'app.ts#<anonymous@15> write redis:shop:sess: (session, line 16)',
      'basket/routes.ts#<anonymous@6> read redis:shop:sess: (session, line 7)',
      'basket/routes.ts#<anonymous@10> read redis:shop:sess: (session, line 11)',
      'basket/routes.ts#<anonymous@10> write redis:shop:sess: (session, line 11)',
      // named middleware given to app.use(), to a router verb and to router.use() (orders/routes.ts); ctx.session?.userId reads
      'lib/visitor.ts#loadVisitor read redis:shop:sess: (session, line 4)',
      'lib/visitor.ts#requireLogin read redis:shop:sess: (session, line 9)',
      // not lib/socket.ts#onHello: its `ctx` is a websocket context no route or Koa middleware receives
    ]);
    assert.deepEqual(facts.warnings, []);
  });

  test('route handlers join to the session store they touch', () => {
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/account/logout')), ['write redis:shop:sess:']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/basket')), ['read redis:shop:sess:', 'write redis:shop:sess:']);
  });

  test('koa-session with no store keeps the session in the cookie: its handlers record nothing', async () => {
    const cookie = await factsOf('session-koa-cookie');
    assert.deepEqual(cookie.routes.map((r) => `${r.method} ${r.path}`), ['GET /visits']);
    assert.deepEqual(accesses(cookie), []);
    assert.deepEqual(cookie.warnings, []);
  });
});

describe('tables: the Fastify session (@fastify/session with connect-redis) as the store it is kept in', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('session-fastify');
  });

  test('request.session in Fastify route handlers and request hooks is an access of the store: get() reads, set(), regenerate(), destroy() and touch() write', () => {
    assert.deepEqual(accesses(facts), [
      // inline handlers in a plugin take the plugin's name
      'account/routes.ts#accountRoutes write redis:api:sess: (session, line 6)',
      'account/routes.ts#accountRoutes write redis:api:sess: (session, line 7)',
      'account/routes.ts#accountRoutes write redis:api:sess: (session, line 11)',
      'account/routes.ts#accountRoutes read redis:api:sess: (session, line 14)',
      // a preHandler hook added to the instance: touch() writes
      'app.ts#<anonymous@16> write redis:api:sess: (session, line 17)',
      'basket/routes.ts#basketRoutes read redis:api:sess: (session, line 5)',
      // fastify.route({ handler }): a field assigned writes, read on the right
      'basket/routes.ts#handler read redis:api:sess: (session, line 10)',
      'basket/routes.ts#handler write redis:api:sess: (session, line 10)',
      // the helper the handler passes its request to
      'lib/recent.ts#remember write redis:api:sess: (session, line 4)',
      // not lib/jobs.ts#replay: its `request` is no Fastify request
    ]);
    assert.deepEqual(facts.warnings, []);
  });

  test('route handlers join to the session store they touch', () => {
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/basket')), ['read redis:api:sess:', 'write redis:api:sess:']);
  });

  test('@fastify/session with no store is a memory-store warning', async () => {
    const stores = await factsOf('session-stores');
    assert.deepEqual(stores.warnings.map((w) => w.message).filter((m) => m.startsWith('fastify.js:')), [
      'fastify.js:7: @fastify/session keeps its sessions in memory (MemoryStore: no `store`, or an in-process one); a memory store cannot be shared between processes, so services split from this app lose the sessions: move them to a shared store (connect-redis, connect-mongo) first',
      'fastify.js:10: fastify-session keeps its sessions in memory (MemoryStore: no `store`, or an in-process one); a memory store cannot be shared between processes, so services split from this app lose the sessions: move them to a shared store (connect-redis, connect-mongo) first',
    ]);
  });

  test('@fastify/secure-session keeps the session in the cookie: its handlers record nothing', async () => {
    const secure = await factsOf('session-fastify-secure');
    assert.deepEqual(secure.routes.map((r) => `${r.method} ${r.path}`), ['GET /visits']);
    assert.deepEqual(accesses(secure), []);
    assert.deepEqual(secure.warnings, []);
  });
});

describe('tables: the session in a Nest app on Express (express-session in main.ts)', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('session-nest');
  });

  test('@Session() session and @Req() / @Request() req.session in controller handlers are accesses of the store', () => {
    assert.deepEqual(accesses(facts), [
      // @Session() after @Body(): assigning a field writes
      'src/auth/auth.controller.ts#AuthController.login write redis:nest: (session, line 8)',
      // @Req() req: Request: destroy() writes
      'src/auth/auth.controller.ts#AuthController.logout write redis:nest: (session, line 14)',
      'src/auth/auth.controller.ts#AuthController.me read redis:nest: (session, line 19)',
      // an untyped @Request() req
      'src/cart/cart.controller.ts#CartController.list read redis:nest: (session, line 10)',
      'src/cart/cart.controller.ts#CartController.add read redis:nest: (session, line 15)',
      'src/cart/cart.controller.ts#CartController.add write redis:nest: (session, line 15)',
      'src/cart/cart.controller.ts#CartController.add read redis:nest: (session, line 16)',
      // not CartController.note (its first parameter is the @Body(), whose `session` field is the client's)
      // nor CartService.reset (a `session` parameter with no @Session())
    ]);
    assert.deepEqual(facts.warnings, []);
  });

  test('route handlers join to the session store they touch', () => {
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/auth/logout')), ['write redis:nest:']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/cart')), ['read redis:nest:']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/cart/notes')), []);
  });
});

describe('analyze(): the session store two services use is shared state', () => {
  let plan: Plan;
  before(async () => {
    ({ plan } = await analyze(fixture('session-app'), { pinsFile: false }));
  });

  test('redis:shop:, written by the auth handlers and read and written by the cart handlers, is a shared table with an owner', () => {
    assertShared(plan, 'redis:shop:', 'auth/routes.ts', 'cart/routes.ts');
    assert.match(renderMarkdown(plan), /\| `redis:shop:` \|/);
  });
});

describe('analyze(): what passport\'s deserializer reads is read by the service whose handlers read req.user', () => {
  test('users, written at sign-up by the auth service and read through req.user by the account handlers, is a shared table auth owns', async () => {
    const { facts, plan } = await analyze(fixture('session-passport'), { pinsFile: false });
    const { owner, reader } = assertShared(plan, 'users', 'routes/auth.js', 'routes/account.js');
    // the account service touches users only through req.user: none of its files names the table
    const account = plan.services.find((s) => s.name === reader)!;
    const vias = facts.tables.filter((t) => t.table === 'users' && account.files.includes(t.file)).map((t) => t.via);
    assert.deepEqual([...new Set(vias)], ['passport']);
    assert.deepEqual(plan.sharedTables.find((t) => t.table === 'users')?.writers, [owner]);
    assert.match(renderMarkdown(plan), /\| `users` \|/);
  });
});

describe('analyze(): a Koa session store two services use is shared state', () => {
  test('redis:shop:sess:, written by the account handlers and read by the orders guard, is a shared table with an owner', async () => {
    const { plan } = await analyze(fixture('session-koa'), { pinsFile: false });
    const { owner } = assertShared(plan, 'redis:shop:sess:', 'account/routes.ts', 'orders/routes.ts');
    assert.deepEqual(plan.sharedTables.find((t) => t.table === 'redis:shop:sess:')?.writers, [owner], 'only the account handlers write it');
  });
});

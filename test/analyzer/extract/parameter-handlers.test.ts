// Route handlers that reach the registering function as a parameter (NodeBB 1.4's route modules, `module.exports =
// function (app, middleware, controllers)`, called with `controllers = require('../controllers')`): read through what
// the function's callers pass, when they all pass the same project value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { tempProjects } from './temp-project.ts';
import { handlerLines as handlers } from './route-lines.ts';

/** NodeBB 1.4's controllers: an index object of `require()`s with members assigned after it, nested index objects. */
const controllers = {
  'src/controllers/index.js': `var Controllers = {
  accounts: require('./accounts'),
  admin: require('./admin'),
};
Controllers.home = function (req, res) { res.end(); };
Controllers.ping = function (req, res) { res.end('pong'); };
module.exports = Controllers;
`,
  'src/controllers/accounts.js': `module.exports = {
  edit: require('./accounts/edit'),
  info: require('./accounts/info'),
};
`,
  'src/controllers/accounts/edit.js': `var editController = {};
editController.get = function (req, res) { res.end(); };
module.exports = editController;
`,
  'src/controllers/accounts/info.js': `module.exports = function (req, res) { res.end(); };
`,
  'src/controllers/admin.js': `exports.dashboard = require('./admin/dashboard');
`,
  'src/controllers/admin/dashboard.js': `exports.get = function (req, res) { res.end(); };
`,
  'src/routes/helpers.js': `var helpers = {};
helpers.setupPageRoute = function (router, name, middleware, middlewares, controller) {
  router.get(name, middlewares, controller);
  router.get('/api' + name, middlewares, controller);
};
module.exports = helpers;
`,
};

describe('routes: handlers given as a parameter of the registering function', () => {
  const project = tempProjects('parameter-handlers');

  test("NodeBB's route modules: member chains of a `controllers` parameter, through index objects, setupPageRoute and three functions handing it on", async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/routes/accounts.js': `var setupPageRoute = require('./helpers').setupPageRoute;
module.exports = function (app, middleware, controllers) {
  setupPageRoute(app, '/user/:userslug/edit', middleware, [], controllers.accounts.edit.get);
  app.get('/user/:userslug/info', controllers.accounts.info);
};
`,
      'src/routes/admin.js': `var express = require('express');
function addRoutes(router, middleware, controllers) {
  router.get('/', controllers.admin.dashboard.get);
}
function adminRouter(middleware, controllers) {
  var router = express.Router();
  addRoutes(router, middleware, controllers);
  return router;
}
module.exports = function (app, middleware, controllers) {
  app.use('/admin', adminRouter(middleware, controllers));
};
`,
      'src/routes/index.js': `var express = require('express');
var controllers = require('../controllers');
var accountRoutes = require('./accounts');
var adminRoutes = require('./admin');
var setupPageRoute = require('./helpers').setupPageRoute;
function mainRoutes(app, middleware, controllers) {
  setupPageRoute(app, '/', middleware, [], controllers.home);
  app.get('/ping', controllers.ping);
}
function pingRoute(router, handler) {
  router.get('/sping', handler);
}
module.exports = function (app, middleware) {
  var router = express.Router();
  mainRoutes(router, middleware, controllers);
  accountRoutes(router, middleware, controllers);
  adminRoutes(router, middleware, controllers);
  pingRoute(router, controllers.ping);
  app.use('/', router);
};
`,
      'src/webserver.js': `var express = require('express');
var app = express();
require('./routes')(app, {});
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET / named src/controllers/index.js#Controllers.home',
      'GET /admin named src/controllers/admin/dashboard.js#get',
      'GET /api/ named src/controllers/index.js#Controllers.home',
      'GET /api/user/:userslug/edit named src/controllers/accounts/edit.js#editController.get',
      'GET /ping named src/controllers/index.js#Controllers.ping',
      'GET /sping named src/controllers/index.js#Controllers.ping',
      'GET /user/:userslug/edit named src/controllers/accounts/edit.js#editController.get',
      'GET /user/:userslug/info named src/controllers/accounts/info.js#default',
    ]);
  });

  test('callers that pass different values, a package value, or no caller at all: the handler stays unresolved; a function calling itself with it is read at its other calls', async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/app.js': `var express = require('express');
var controllers = require('./controllers');
var app = express();
function pageRoute(router, handler) {
  router.get('/page', handler);
}
function listRoute(router, c) {
  router.get('/list', c.list);
}
function unusedRoute(router, c) {
  router.get('/unused', c.home);
}
function sameRoute(router, handler) {
  router.get('/same', handler);
}
function walkRoute(router, handler, n) {
  router.get('/walk', handler);
  if (n > 0) walkRoute(router, handler, n - 1);
}
pageRoute(app, controllers.home);
pageRoute(app, controllers.ping);
walkRoute(app, controllers.ping, 2);
listRoute(app, require('some-package'));
sameRoute(app, controllers.home);
sameRoute(app, controllers.home);
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /list unresolved c.list',
      'GET /page unresolved handler',
      'GET /same named src/controllers/index.js#Controllers.home',
      'GET /unused unresolved c.home',
      'GET /walk named src/controllers/index.js#Controllers.ping',
    ]);
  });
});

/** Two controller modules of the same shape, each with a nested `admin` object. */
const crudControllers = {
  'src/books.js': `exports.list = function (req, res) { res.end(); };
exports.create = function (req, res) { res.end(); };
exports.admin = { list: function (req, res) { res.end(); } };
`,
  'src/authors.js': `exports.list = function (req, res) { res.end(); };
exports.create = function (req, res) { res.end(); };
exports.admin = { list: function (req, res) { res.end(); } };
`,
};

describe('routes: handlers given per call, to a router factory or a helper called with different controllers', () => {
  const project = tempProjects('per-call-handlers');

  test('a router factory called twice: each router’s handlers are the ones its own call gives (member chains, bare parameters)', async () => {
    const facts = await extractFacts(project({
      ...crudControllers,
      'src/app.js': `const express = require('express');
const app = express();
function crud(ctrl) {
  const r = express.Router();
  r.get('/', ctrl.list);
  r.post('/', ctrl.create);
  r.get('/admin', ctrl.admin.list);
  return r;
}
const one = (handler) => {
  const r = express.Router();
  r.get('/', handler);
  return r;
};
const authors = require('./authors');
app.use('/books', crud(require('./books')));
app.use('/authors', crud(authors));
app.use('/first/books', one(require('./books').list));
app.use('/first/authors', one(authors.list));
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /authors named src/authors.js#list',
      'POST /authors named src/authors.js#create',
      'GET /authors/admin named src/authors.js#list',
      'GET /books named src/books.js#list',
      'POST /books named src/books.js#create',
      'GET /books/admin named src/books.js#list',
      'GET /first/authors named src/authors.js#list',
      'GET /first/books named src/books.js#list',
    ]);
    assert.equal(facts.routes.find((r) => r.path === '/books/admin')!.handler.line, 3);
  });

  test('factories nested one and two levels, handing on their parameter or a member of it', async () => {
    const facts = await extractFacts(project({
      ...crudControllers,
      'src/app.js': `const express = require('express');
const app = express();
function auth(req, res, next) { next(); }
function adminRouter(admin) {
  const r = express.Router();
  r.get('/', admin.list);
  return r;
}
function crud(ctrl) {
  const r = express.Router();
  r.get('/', ctrl.list);
  r.use('/admin', adminRouter(ctrl.admin));
  return r;
}
function guarded(ctrl) {
  const r = crud(ctrl);
  r.use(auth);
  return r;
}
function versioned(c) {
  const r = express.Router();
  r.use('/v1', guarded(c));
  return r;
}
app.use('/books', guarded(require('./books')));
app.use('/authors', versioned(require('./authors')));
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /authors/v1 named src/authors.js#list',
      'GET /authors/v1/admin named src/authors.js#list',
      'GET /books named src/books.js#list',
      'GET /books/admin named src/books.js#list',
    ]);
    assert.deepEqual(facts.routes.map((r) => r.handler.kind === 'named' && r.handler.line), [1, 3, 1, 3]);
  });

  test('helpers that register at each call (the path a parameter), directly, one helper down, and inside a factory', async () => {
    const facts = await extractFacts(project({
      ...crudControllers,
      'src/app.js': `const express = require('express');
const app = express();
function resource(router, name, ctrl) {
  router.get('/' + name, ctrl.list);
  router.post('/' + name, ctrl.create);
}
function adminPage(router, name, ctrl) {
  resource(router, 'admin/' + name, ctrl.admin);
}
function crud(ctrl) {
  const r = express.Router();
  resource(r, 'all', ctrl);
  return r;
}
resource(app, 'books', require('./books'));
resource(app, 'authors', require('./authors'));
adminPage(app, 'books', require('./books'));
app.use('/x/authors', crud(require('./authors')));
app.use('/x/books', crud(require('./books')));
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /admin/books named src/books.js#list',
      'POST /admin/books unresolved ctrl.create',
      'GET /authors named src/authors.js#list',
      'POST /authors named src/authors.js#create',
      'GET /books named src/books.js#list',
      'POST /books named src/books.js#create',
      'GET /x/authors/all named src/authors.js#list',
      'POST /x/authors/all named src/authors.js#create',
      'GET /x/books/all named src/books.js#list',
      'POST /x/books/all named src/books.js#create',
    ]);
  });

  test('a function registering on the router it is given, called for two routers with two controllers, also inside a factory', async () => {
    const facts = await extractFacts(project({
      ...crudControllers,
      'src/app.js': `const express = require('express');
const app = express();
function addRoutes(router, c) {
  router.get('/', c.list);
}
function crud(ctrl) {
  const r = express.Router();
  addRoutes(r, ctrl);
  return r;
}
const books = express.Router();
const authors = express.Router();
addRoutes(books, require('./books'));
addRoutes(authors, require('./authors'));
app.use('/books', books);
app.use('/authors', authors);
app.use('/x/books', crud(require('./books')));
app.use('/x/authors', crud(require('./authors')));
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /authors named src/authors.js#list',
      'GET /books named src/books.js#list',
      'GET /x/authors named src/authors.js#list',
      'GET /x/books named src/books.js#list',
    ]);
  });
  test('factory routers mounted through a plain mounting helper, and koa-router factories', async () => {
    const facts = await extractFacts(project({
      ...crudControllers,
      'src/app.js': `const express = require('express');
const app = express();
function crud(ctrl) { const r = express.Router(); r.get('/', ctrl.list); return r; }
function mount(app, prefix, router) { app.use(prefix, router); }
mount(app, '/books', crud(require('./books')));
mount(app, '/authors', crud(require('./authors')));
module.exports = app;
`,
      'src/koa.js': `const Koa = require('koa');
const Router = require('@koa/router');
const books = require('./books');
const authors = require('./authors');
function crud(ctrl) { const r = new Router(); r.post('/', ctrl.create); return r; }
const root = new Router();
root.use('/k/books', crud(books).routes());
root.use('/k/authors', crud(authors).routes());
const app = new Koa();
app.use(root.routes());
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /authors named src/authors.js#list',
      'GET /books named src/books.js#list',
      'POST /k/authors named src/authors.js#create',
      'POST /k/books named src/books.js#create',
    ]);
  });
});

describe('routes: callers of a function that is not per call must all agree, every call counted', () => {
  const project = tempProjects('all-callers');

  test('a call passing only a require() written in place counts: it disagrees with the other call, so the handler stays unresolved', async () => {
    const facts = await extractFacts(project({
      ...crudControllers,
      'src/app.js': `const express = require('express');
const app = express();
const router = express.Router();
function listRoute(c) {
  router.get('/list', c.list);
}
function sameRoute(c) {
  router.get('/same', c.create);
}
const authors = require('./authors');
listRoute(require('./books'));
listRoute(authors);
sameRoute(require('./books'));
sameRoute(require('./books'));
app.use('/', router);
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), ['GET /list unresolved c.list', 'GET /same named src/books.js#create']);
  });
});

// Route handlers that reach the registering function as a parameter (NodeBB 1.4's route modules, `module.exports =
// function (app, middleware, controllers)`, called with `controllers = require('../controllers')`): read through what
// the function's callers pass, when they all pass the same project value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { tempProjects } from './temp-project.ts';

/** `METHOD path kind file#name` per route. */
const handlers = (facts: Facts): string[] => facts.routes.map((r) => `${r.method} ${r.path} ${r.handler.kind} ${r.handler.kind === 'unresolved' ? r.handler.name : `${r.handler.file}#${r.handler.name}`}`);

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

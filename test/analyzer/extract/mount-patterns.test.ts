// Express mounts written the ways real apps write them: routers kept in an array or an object and mounted in a loop
// (NodeBB 1.4's routes/index.js), and plain project helpers that mount what they are given.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { tempProjects } from './temp-project.ts';
import { routeLines as routes, routerFiles, warningLines as warnings } from './route-lines.ts';

describe('routes: routers kept in an array or an object and mounted in a loop', () => {
  const project = tempProjects('mount-loops');
  const factsOf = async (app: string, ...names: string[]): Promise<Facts> =>
    extractFacts(project({ ...routerFiles(...names), 'app.js': app }));

  test('forEach over an array held by a const, without a prefix and under a literal one', async () => {
    const facts = await factsOf(`const express = require('express');
const app = express();
const routers = [require('./routes/books'), require('./routes/authors')];
routers.forEach((r) => app.use(r));
[require('./routes/tags')].forEach(function (router) { app.use('/api', auth, router); });
function auth(req, res, next) { next(); }
app.listen(3000);
`, 'books', 'authors', 'tags');
    assert.deepEqual(routes(facts), ['GET /api/tags [auth]', 'GET /authors []', 'GET /books []']);
    assert.deepEqual(warnings(facts), []);
  });

  test('for…of over an array written in place, and over a spread of a held one', async () => {
    const facts = await factsOf(`import express from 'express';
import books from './routes/books.js';
import authors from './routes/authors.js';
import tags from './routes/tags.js';
const app = express();
for (const r of [books, authors]) app.use('/api', r);
const more = [tags];
for (const r of [...more]) { app.use(\`/v2\`, r); }
export default app;
`, 'books', 'authors', 'tags');
    assert.deepEqual(routes(facts), ['GET /api/authors []', 'GET /api/books []', 'GET /v2/tags []']);
  });

  test('[prefix, router] pairs: destructured, by index, and objects with a path and a router', async () => {
    const facts = await factsOf(`const express = require('express');
const app = express();
const books = require('./routes/books');
const authors = require('./routes/authors');
const mounts = [['/shop', books], ['/people', authors]];
mounts.forEach(([prefix, router]) => app.use(prefix, router));
for (const pair of mounts) app.use('/v1' + pair[0], pair[1]);
const table = [{ path: '/t', router: require('./routes/tags') }, { path: '/a', router: authors }];
table.forEach((m) => app.use(m.path, m.router));
module.exports = app;
`, 'books', 'authors', 'tags');
    assert.deepEqual(routes(facts), [
      'GET /a/authors []', 'GET /people/authors []', 'GET /shop/books []', 'GET /t/tags []', 'GET /v1/people/authors []', 'GET /v1/shop/books []',
    ]);
    assert.deepEqual(warnings(facts), []);
  });

  test("an object's routers by key: Object.keys with byName[k], Object.entries, for…in", async () => {
    const facts = await factsOf(`const express = require('express');
const app = express();
const books = require('./routes/books');
const authors = require('./routes/authors');
const byName = { books, writers: authors };
Object.keys(byName).forEach((k) => app.use('/' + k, byName[k]));
Object.entries(byName).forEach(([name, r]) => app.use(\`/v1/\${name}\`, r));
for (const k in byName) app.use('/v2/' + k, byName[k]);
module.exports = app;
`, 'books', 'authors');
    assert.deepEqual(routes(facts), [
      'GET /books/books []', 'GET /v1/books/books []', 'GET /v1/writers/authors []', 'GET /v2/books/books []', 'GET /v2/writers/authors []', 'GET /writers/authors []',
    ]);
  });

  test("NodeBB 1.4: routers made in an array, one taken by index, mounted by an index loop under the configuration's relative path", async () => {
    const facts = await extractFacts(project({
      'src/webserver.js': `var express = require('express');
var app = express();
var routes = require('./routes');
routes(app, {});
`,
      'src/routes/index.js': `var express = require('express');
var nconf = require('nconf');
function mainRoutes(app, middleware) {
  app.get('/ping', middleware.ping);
}
module.exports = function (app, middleware) {
  var routers = [
    express.Router(),
    express.Router(),
  ];
  var router = routers[1];
  var pluginRouter = routers[0];
  var relativePath = nconf.get('relative_path');
  pluginRouter.get('/plugins/x', middleware.plugin);
  app.use(middleware.maintenanceMode);
  mainRoutes(router, middleware);
  for (var x = 0; x < routers.length; x++) {
    app.use(relativePath, routers[x]);
  }
  app.use(relativePath, express.static('public'));
};
`,
    }));
    assert.deepEqual(routes(facts), ['GET /ping [middleware.maintenanceMode]', 'GET /plugins/x [middleware.maintenanceMode]']);
    assert.deepEqual(warnings(facts), [
      "src/routes/index.js:18: the prefix relativePath this loop mounts its routers under is not known statically (made at run time); their routes are reported under '/'",
    ]);
  });

  test('a prefix made at run time: under the part written before it, with a warning naming the file and line', async () => {
    const facts = await factsOf(`const express = require('express');
const app = express();
const byName = { books: require('./routes/books') };
Object.keys(byName).forEach((k) => {
  app.use('/api/' + k.toLowerCase(), byName[k]);
});
module.exports = app;
`, 'books');
    assert.deepEqual(routes(facts), ['GET /api/books []']);
    assert.deepEqual(warnings(facts), [
      "app.js:5: the prefix '/api/' + k.toLowerCase() this loop mounts its routers under is not known statically (made at run time); their routes are reported under '/api/'",
    ]);
  });

  test('routes registered in a loop: one per element, with the path and handler the element gives; a collection not written out stays unresolved', async () => {
    const facts = await factsOf(`const express = require('express');
const app = express();
const router = express.Router();
function about(req, res) { res.end(); }
function faq(req, res) { res.end(); }
function legal(req, res) { res.end(); }
const pages = [{ path: '/about', handler: about }, { path: '/faq', handler: faq }];
pages.forEach((p) => router.get(p.path, p.handler));
for (const name of ['terms', 'privacy']) router.get(\`/legal/\${name}\`, legal);
loadPages().forEach((p) => router.get(p.path, p.handler));
function loadPages() { return []; }
const strategies = [];
strategies.forEach((s) => router.get(s.url, s.handler));
app.use('/site', router);
module.exports = app;
`);
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path} ${r.handler.name} line ${r.line}`), [
      'GET /site/about about line 8', 'GET /site/faq faq line 8', 'GET /site/legal/privacy legal line 9', 'GET /site/legal/terms legal line 9',
    ]);
    // an array filled at run time (NodeBB's loginStrategies, empty where it is declared) is not known: unresolved, as before
    assert.deepEqual(facts.unresolvedRoutes.map((u) => `${u.method} ${u.file}:${u.line} ${u.expression}`), ['GET app.js:10 p.path', 'GET app.js:13 s.url']);
  });

  test('a loop over middleware stays middleware; a collection built at run time mounts nothing', async () => {
    const facts = await factsOf(`const express = require('express');
const app = express();
const books = require('./routes/books');
[cors, log].forEach((mw) => app.use(mw));
app.use('/api', books);
const found = loadRouters();
found.forEach((r) => app.use(r));
function cors(req, res, next) { next(); }
function log(req, res, next) { next(); }
function loadRouters() { return []; }
module.exports = app;
`, 'books');
    assert.deepEqual(routes(facts), ['GET /api/books []']);
  });
});

describe('routes: plain helpers that mount what they are given', () => {
  const project = tempProjects('mount-helpers');
  const factsOf = async (files: Record<string, string>, ...names: string[]): Promise<Facts> => extractFacts(project({ ...routerFiles(...names), ...files }));

  test('mount(app, prefix, router): each call mounts its router under its prefix', async () => {
    const facts = await factsOf({
      'mount.js': `module.exports = function mount(app, prefix, router) {
  app.use(prefix, router);
};
`,
      'app.js': `const express = require('express');
const mount = require('./mount');
const app = express();
mount(app, '/shop', require('./routes/books'));
mount(app, '/people', require('./routes/authors'));
module.exports = app;
`,
    }, 'books', 'authors');
    assert.deepEqual(routes(facts), ['GET /people/authors []', 'GET /shop/books []']);
    assert.deepEqual(warnings(facts), []);
  });

  test('a helper with a literal prefix given the router, and one whose prefix parameter is not named like a path', async () => {
    const facts = await factsOf({
      'app.ts': `import express, { type Router, type Express } from 'express';
import books from './routes/books.js';
import authors from './routes/authors.js';
function mountShop(app: Express, router: Router) {
  app.use('/shop', router);
}
function attach(app: Express, p: string, r: Router) {
  app.use(p, requireKey, r);
}
function requireKey(req: express.Request, res: express.Response, next: express.NextFunction) { next(); }
const app = express();
mountShop(app, books);
attach(app, '/people', authors);
export default app;
`,
    }, 'books', 'authors');
    assert.deepEqual(routes(facts), ['GET /people/authors [requireKey]', 'GET /shop/books []']);
  });

  test('through two levels of helpers that hand their parameters on, and a helper of a function that receives the app', async () => {
    const facts = await factsOf({
      'helpers.js': `function mount(app, prefix, router) {
  app.use(prefix, router);
}
function mountApi(app, name, router) {
  mount(app, '/api', router);
}
function mountVersioned(app, prefix, router) {
  mount(app, prefix, router);
}
module.exports = { mount, mountApi, mountVersioned };
`,
      'routes/index.js': `const { mount, mountVersioned } = require('../helpers');
module.exports = function (app) {
  mount(app, '/tags', require('./tags'));
  app.use('/y', require('./authors'));
};
`,
      'app.js': `const express = require('express');
const { mountApi, mountVersioned } = require('./helpers');
const app = express();
mountApi(app, 'books', require('./routes/books'));
mountVersioned(app, '/v2', require('./routes/authors'));
require('./routes')(app);
module.exports = app;
`,
    }, 'books', 'authors', 'tags');
    assert.deepEqual(routes(facts), ['GET /api/books []', 'GET /tags/tags []', 'GET /v2/authors []', 'GET /y/authors []']);
    assert.deepEqual(warnings(facts), []);
  });

  test('a router made by a function that only hands it to a helper registering on it is mounted where that function is called', async () => {
    // NodeBB's routes/admin.js: function apiRouter() { var router = express.Router(); addRoutes(router); return router; }
    const facts = await factsOf({
      'admin.js': `const express = require('express');
function addRoutes(router) {
  router.get('/dashboard', dashboard);
}
function dashboard(req, res) { res.end(); }
function adminRouter() {
  const router = express.Router();
  router.use(header);
  addRoutes(router);
  return router;
}
function apiRouter() {
  const router = express.Router();
  addRoutes(router);
  return router;
}
function header(req, res, next) { next(); }
module.exports = function (app) {
  app.use('/admin', adminRouter());
  app.use('/api/admin', apiRouter());
};
`,
      'app.js': `const express = require('express');
const app = express();
require('./admin')(app);
module.exports = app;
`,
    });
    assert.deepEqual(routes(facts), ['GET /admin/dashboard [header]', 'GET /api/admin/dashboard []']);
    assert.deepEqual(warnings(facts), []);
  });
});

describe('routes: helpers that register a route at the path their callers give', () => {
  const project = tempProjects('route-helpers');

  // the line is the call that gives the path (through pageRoutes: its caller's); tagRoutes' `controllers` is its own
  // parameter, as in NodeBB, read through its one caller (handler-params.ts)
  test("NodeBB's setupPageRoute(router, name, middleware, middlewares, controller): a page and its /api twin at each call, on the calling line", async () => {
    const facts = await extractFacts(project({
      'src/routes/helpers.js': `var helpers = {};
helpers.setupPageRoute = function (router, name, middleware, middlewares, controller) {
  middlewares = middlewares.concat([middleware.pageView]);
  router.get(name, middleware.buildHeader, middlewares, controller);
  router.get('/api' + name, middlewares, controller);
};
module.exports = helpers;
`,
      'src/routes/index.js': `var express = require('express');
var helpers = require('./helpers');
var controllers = require('../controllers');
var setupPageRoute = helpers.setupPageRoute;
function tagRoutes(app, middleware, controllers) {
  setupPageRoute(app, '/tags/:tag', middleware, [middleware.privateTagListing], controllers.tags.getTag);
}
function pageRoutes(app, middleware, name, controller) {
  setupPageRoute(app, name, middleware, [], controller);
}
module.exports = function (app, middleware) {
  var router = express.Router();
  var loginMiddleware = [middleware.redirectToAccountIfLoggedIn];
  setupPageRoute(router, '/login', middleware, loginMiddleware, controllers.login);
  tagRoutes(router, middleware, controllers);
  pageRoutes(router, middleware, '/tos', controllers.termsOfUse);
  app.use('/forum', router);
};
`,
      'src/controllers/index.js': `exports.login = function (req, res) { res.end(); };
exports.termsOfUse = function (req, res) { res.end(); };
exports.tags = { getTag: function (req, res) { res.end(); } };
`,
      'src/webserver.js': `var express = require('express');
var app = express();
require('./routes')(app, {});
`,
    }));
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path} ${r.file}:${r.line} [${r.middleware.join(', ')}] ${r.handler.name}`), [
      'GET /forum/api/login src/routes/index.js:14 [loginMiddleware] login',
      'GET /forum/api/tags/:tag src/routes/index.js:6 [middleware.privateTagListing] getTag',
      'GET /forum/api/tos src/routes/index.js:16 [] termsOfUse',
      'GET /forum/login src/routes/index.js:14 [middleware.buildHeader, loginMiddleware] login',
      'GET /forum/tags/:tag src/routes/index.js:6 [middleware.buildHeader, middleware.privateTagListing] getTag',
      'GET /forum/tos src/routes/index.js:16 [middleware.buildHeader] termsOfUse',
    ]);
    assert.deepEqual(facts.unresolvedRoutes, []);
    assert.deepEqual(warnings(facts), []);
  });

  test('a helper nothing calls keeps its route unresolved, with the path as written', async () => {
    const facts = await extractFacts(project({
      'app.js': `const express = require('express');
const app = express();
function addPage(name, handler) {
  app.get('/pages/' + name, (req, res) => handler(req, res));
}
module.exports = { app, addPage };
`,
    }));
    assert.deepEqual(facts.routes, []);
    assert.deepEqual(facts.unresolvedRoutes.map((u) => `${u.method} ${u.file}:${u.line} ${u.expression} (${u.reason})`), ["GET app.js:4 '/pages/' + name (path built at run time)"]);
  });
});

describe('routes: vhost(host, app), a mount for one host', () => {
  const project = tempProjects('vhost');

  test("the app's routes keep their paths, through the vhost middleware, with a warning naming the host", async () => {
    const facts = await extractFacts(project({
      ...routerFiles('books'),
      'app.js': `const express = require('express');
const vhost = require('vhost');
const main = express();
const api = express.Router();
api.get('/status', (req, res) => res.end());
api.use('/v1', require('./routes/books'));
main.get('/', (req, res) => res.end());
main.use(vhost('api.example.com', api));
module.exports = main;
`,
    }));
    assert.deepEqual(routes(facts), ['GET / []', 'GET /status [vhost]', 'GET /v1/books [vhost]']);
    assert.deepEqual(warnings(facts), [
      "app.js:8: vhost('api.example.com', api) serves api's routes only for that host; they are reported under their paths, which the proxy matches whatever the host",
    ]);
  });
});

// Route handlers and routers given to a function in other calls than a plain one: through `fn.call(thisArg, …)`,
// `fn.apply(thisArg, [ … ])` and `ctrl.list.bind(ctrl)`, and through spreads of arrays known statically (a spread of
// anything else gives up); and a member another module's function adds to an object (NodeBB's middleware).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { tempProjects } from './temp-project.ts';
import { handlerLines as handlers, TWO_CONTROLLERS as controllers } from './route-lines.ts';

describe('routes: handlers given through call, apply and bind', () => {
  const project = tempProjects('call-apply-handlers');

  test('`register.call(null, router, ctrl)`, `register.apply(this, [router, ctrl])`, `ctrl.list.bind(ctrl)`; a project method named `call` is an ordinary call', async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/routes/register.js': `module.exports = function register(router, controllers) {
  router.get('/call/list', controllers.list);
  router.get('/call/admin', controllers.admin.list);
};
`,
      'src/routes/applied.js': `module.exports = function (router, ctrl) {
  router.get('/apply/show', ctrl.show);
};
`,
      'src/routes/bound.js': `module.exports = function (app, ctrl) {
  app.get('/bind/list', ctrl.list.bind(ctrl));
  app.get('/bind/admin', ctrl.admin.list.bind(ctrl.admin, 'x'));
};
`,
      'src/routes/method.js': `module.exports = {
  call(app, ctrl) {
    app.get('/method', ctrl.list);
  },
};
`,
      'src/webserver.js': `const express = require('express');
const controllers = require('./controllers');
const app = express();
const router = express.Router();
const register = require('./routes/register');
register.call(null, router, controllers);
const applied = require('./routes/applied');
applied.apply(this, [router, require('./other')]);
require('./routes/bound')(app, controllers);
require('./routes/method').call(app, require('./other'));
app.get('/direct', controllers.show.bind(controllers));
app.use('/r', router);
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /bind/admin named src/controllers/index.js#list',
      'GET /bind/list named src/controllers/index.js#list',
      'GET /direct named src/controllers/index.js#show',
      'GET /method named src/other.js#list',
      'GET /r/apply/show named src/other.js#show',
      'GET /r/call/admin named src/controllers/index.js#list',
      'GET /r/call/list named src/controllers/index.js#list',
    ]);
  });
  test('a router factory called through `call` and `apply`: a router of its own at each call, with that call’s handlers', async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/webserver.js': `const express = require('express');
const app = express();
function crud(ctrl) {
  const r = express.Router();
  r.get('/', ctrl.list);
  return r;
}
app.use('/one', crud.call(null, require('./controllers')));
app.use('/two', crud.apply(null, [require('./other')]));
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), ['GET /one named src/controllers/index.js#list', 'GET /two named src/other.js#list']);
  });
  test("a path helper method called with a literal and a bound method only (Ghost's `this.mountRoute('/feed/', this._redirectFeedRequest.bind(this))`)", async () => {
    const facts = await extractFacts(project({
      'src/rss-router.js': `const express = require('express');
class RssRouter {
  constructor() {
    this._router = express.Router();
    this.mountRoute('/rss/', this.feed.bind(this));
    this.mountRoute('/feed/', this._redirectFeedRequest.bind(this));
  }
  mountRoute(path, controller) {
    this._router.get(path, controller);
  }
  feed(req, res) { res.end(); }
  _redirectFeedRequest(req, res) { res.redirect('/rss/'); }
}
const app = express();
app.use('/blog', new RssRouter()._router);
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /blog/feed/ named src/rss-router.js#RssRouter._redirectFeedRequest',
      'GET /blog/rss/ named src/rss-router.js#RssRouter.feed',
    ]);
  });
  test('a path helper called with literals only: each call registers its route, none dropped for another call passing a name', async () => {
    const facts = await extractFacts(project({
      'src/app.js': `const express = require('express');
const app = express();
const router = express.Router();
function show(req, res) { res.end(); }
function page(path) {
  router.get(path, show);
}
const B = '/b';
page('/a');
page(B);
app.use('/p', router);
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), ['GET /p/a named src/app.js#show', 'GET /p/b named src/app.js#show']);
  });
});

describe('routes: handlers given through spread arguments', () => {
  const project = tempProjects('spread-handlers');

  test('a spread of a `const` array or one written in place is read by position; a spread of anything else gives up', async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/routes/two.js': `module.exports = function (router, ctrl) {
  router.get('/two', ctrl.list);
};
`,
      'src/routes/three.js': `module.exports = function (router, ctrl, extra) {
  router.get('/three', ctrl.show);
  router.get('/three/extra', extra.list);
};
`,
      'src/routes/inline.js': `module.exports = function (router, ctrl) {
  router.get('/inline', ctrl.admin.list);
};
`,
      'src/routes/unknown.js': `module.exports = function (router, ctrl) {
  router.get('/unknown', ctrl.list);
};
`,
      'src/webserver.js': `const express = require('express');
const controllers = require('./controllers');
const app = express();
const router = express.Router();
const args = [router, controllers];
require('./routes/two')(...args);
require('./routes/three')(...args, require('./other'));
require('./routes/inline')(...[router], ...[require('./other')]);
let rest = [controllers];
require('./routes/unknown')(router, ...rest);
app.use('/r', router);
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /r/inline named src/other.js#list',
      'GET /r/three named src/controllers/index.js#show',
      'GET /r/three/extra unresolved extra.list',
      'GET /r/two named src/controllers/index.js#list',
      'GET /r/unknown unresolved ctrl.list',
    ]);
  });
});

describe('routes: handlers a function of another module adds to an object', () => {
  const project = tempProjects('added-members');

  test("NodeBB's middleware: `require('./user')(middleware)` adds `middleware.redirectUidToUserslug` in user.js; the last writer wins, a member no one adds stays unresolved", async () => {
    const facts = await extractFacts(project({
      'src/middleware/index.js': `var middleware = {};
require('./user')(middleware);
require('./header')(middleware);
middleware.authenticate = function (req, res, next) { next(); };
module.exports = middleware;
`,
      'src/middleware/user.js': `module.exports = function (middleware) {
  middleware.redirectUidToUserslug = function (req, res, next) { next(); };
  middleware.buildHeader = function (req, res, next) { next(); };
};
`,
      'src/middleware/header.js': `module.exports = function (middleware) {
  middleware.buildHeader = function (req, res, next) { next(); };
};
`,
      'src/routes/accounts.js': `module.exports = function (app, middleware) {
  app.get('/uid/:uid', middleware.redirectUidToUserslug);
  app.get('/header', middleware.buildHeader);
  app.get('/auth', middleware.authenticate);
  app.get('/missing', middleware.nothere);
};
`,
      'src/webserver.js': `var express = require('express');
var app = express();
var middleware = require('./middleware');
require('./routes/accounts')(app, middleware);
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /auth named src/middleware/index.js#middleware.authenticate',
      'GET /header named src/middleware/header.js#middleware.buildHeader',
      'GET /missing unresolved middleware.nothere',
      'GET /uid/:uid named src/middleware/user.js#middleware.redirectUidToUserslug',
    ]);
  });
});

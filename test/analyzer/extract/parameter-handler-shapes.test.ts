// Route handlers reaching the registering function as a parameter written in other shapes than a plain name: taken apart
// (`function ({ controllers })`, renamed, nested, with defaults; a router and a path taken so too), or read by element
// access (`ctrl['list']`, `ctrl[NAME]`). Callers that disagree leave it unresolved. (Calls through `call`, `apply`, `bind`
// and spreads: handler-call-shapes.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { tempProjects } from './temp-project.ts';
import { handlerLines as handlers, TWO_CONTROLLERS as controllers } from './route-lines.ts';

describe('routes: handlers given as a destructured parameter', () => {
  const project = tempProjects('destructured-handlers');

  test('an object pattern, alone or after the app, renamed, nested, with defaults, and given on by a caller’s own parameter; a member of an object written in the call', async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/routes/factory.js': `const express = require('express');
module.exports = function ({ controllers, middleware }) {
  const router = express.Router();
  router.get('/list', middleware.auth, controllers.list);
  router.get('/admin', controllers.admin.list);
  return router;
};
`,
      'src/routes/pair.js': `module.exports = function (app, { ctrl: c, ctrl: { admin } }) {
  app.get('/pair', c.show);
  app.get('/pair/admin', admin.list);
};
`,
      'src/routes/defaults.js': `module.exports = function (app, { ctrl = require('../other') } = {}) {
  app.get('/defaults', ctrl.list);
};
`,
      'src/routes/given.js': `module.exports = function (app, { ctrl = require('../other') } = {}) {
  app.get('/given', ctrl.show);
};
`,
      'src/routes/mixed.js': `module.exports = function (app, { ctrl = require('../other') } = {}) {
  app.get('/mixed', ctrl.list);
};
`,
      'src/routes/nested.js': `module.exports = function (app, { controllers }) {
  app.get('/nested', controllers.show);
};
`,
      'src/routes/index.js': `module.exports = function (app, controllers) {
  require('./nested')(app, { controllers });
  require('./deps')(app, { controllers, extra: 1 });
};
`,
      'src/routes/deps.js': `module.exports = function (app, deps) {
  app.get('/deps', deps.controllers.show);
};
`,
      'src/routes/solo.js': `const express = require('express');
const router = express.Router();
function solo({ ctrl = require('../other') } = {}) {
  router.get('/solo', ctrl.list);
}
function alone({ ctrl = require('../other') } = {}) {
  router.get('/alone', ctrl.show);
}
solo({ ctrl: require('../controllers') });
solo();
alone();
module.exports = router;
`,
      'src/webserver.js': `const express = require('express');
const controllers = require('./controllers');
const app = express();
app.use(require('./routes/solo'));
const auth = (req, res, next) => next();
app.use('/f', require('./routes/factory')({ controllers, middleware: { auth } }));
require('./routes/pair')(app, { ctrl: require('./controllers') });
require('./routes/defaults')(app);
require('./routes/given')(app, { ctrl: controllers });
require('./routes/mixed')(app, { ctrl: controllers });
require('./routes/mixed')(app);
require('./routes')(app, controllers);
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /alone named src/other.js#show',
      'GET /defaults named src/other.js#list',
      'GET /deps named src/controllers/index.js#show',
      'GET /f/admin named src/controllers/index.js#list',
      'GET /f/list named src/controllers/index.js#list',
      'GET /given named src/controllers/index.js#show',
      'GET /mixed unresolved ctrl.list',
      'GET /nested named src/controllers/index.js#show',
      'GET /pair named src/controllers/index.js#show',
      'GET /pair/admin named src/controllers/index.js#list',
      'GET /solo unresolved ctrl.list',
    ]);
    assert.equal(facts.routes.find((r) => r.path === '/f/admin')!.handler.line, 3);
  });
  test('a router taken from the object too (`function ({ router, ctrl })`): mounted where each call’s object gives it, with that call’s handlers', async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/routes/both.js': `module.exports = function ({ router, ctrl }) {
  router.get('/both', ctrl.list);
};
`,
      'src/routes/pair.js': `module.exports = function ({ router: r }, { ctrl }) {
  r.get('/pair', ctrl.show);
};
`,
      'src/webserver.js': `const express = require('express');
const app = express();
const api = express.Router();
const admin = express.Router();
app.use('/api', api);
app.use('/admin', admin);
require('./routes/both')({ router: api, ctrl: require('./controllers') });
require('./routes/both')({ router: admin, ctrl: require('./other') });
require('./routes/pair')({ router: api }, { ctrl: require('./other') });
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /admin/both named src/other.js#list',
      'GET /api/both named src/controllers/index.js#list',
      'GET /api/pair named src/other.js#show',
    ]);
  });
  test('a helper registering at each call with the path, router and handler taken from its object parameter, a default among them', async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/webserver.js': `const express = require('express');
const controllers = require('./controllers');
const app = express();
function page(router, { path, handler }) {
  router.get(path, handler);
  router.get('/api' + path, handler);
}
function item({ router, path, handler = controllers.show }) {
  router.get(path + '/:id', handler);
}
page(app, { path: '/books', handler: controllers.list });
page(app, { path: '/authors', handler: require('./other').list });
item({ router: app, path: '/books' });
item({ router: app, path: '/authors', handler: require('./other').show });
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /api/authors named src/other.js#list',
      'GET /api/books named src/controllers/index.js#list',
      'GET /authors named src/other.js#list',
      'GET /authors/:id named src/other.js#show',
      'GET /books named src/controllers/index.js#list',
      'GET /books/:id named src/controllers/index.js#show',
    ]);
    assert.deepEqual(facts.unresolvedRoutes, []);
  });
});

describe('routes: handlers read by element access', () => {
  const project = tempProjects('element-handlers');

  test('`ctrl[\'list\']` and `ctrl[NAME]` with a const string, on a parameter and on a required module; a `let` key stays unresolved', async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/routes/api.js': `const NAME = 'show';
const KEY = 'admin';
module.exports = function (app, ctrl) {
  app.get('/p/list', ctrl['list']);
  app.get('/p/show', ctrl[NAME]);
  app.get('/p/admin', ctrl[KEY]["list"]);
  app.get('/p/mixed', ctrl.admin['list']);
};
`,
      'src/routes/both.js': `module.exports = function (app, ctrl) {
  app.get('/both', ctrl['list']);
};
`,
      'src/routes/direct.js': `const express = require('express');
const controllers = require('../controllers');
const router = express.Router();
const NAME = 'show';
let late = 'list';
router.get('/d/list', controllers['list']);
router.get('/d/show', controllers[NAME]);
router.get('/d/admin', controllers.admin['list']);
router.get('/d/late', controllers[late]);
module.exports = router;
`,
      'src/webserver.js': `const express = require('express');
const app = express();
require('./routes/api')(app, require('./controllers'));
require('./routes/both')(app, require('./controllers'));
require('./routes/both')(app, require('./other'));
app.use(require('./routes/direct'));
module.exports = app;
`,
    }));
    assert.deepEqual(handlers(facts), [
      'GET /both unresolved ctrl[\'list\']',
      'GET /d/admin named src/controllers/index.js#list',
      'GET /d/late unresolved controllers[late]',
      'GET /d/list named src/controllers/index.js#list',
      'GET /d/show named src/controllers/index.js#show',
      'GET /p/admin named src/controllers/index.js#list',
      'GET /p/list named src/controllers/index.js#list',
      'GET /p/mixed named src/controllers/index.js#list',
      'GET /p/show named src/controllers/index.js#show',
    ]);
  });
});

describe('routes: handlers and routers through array patterns and rest parameters', () => {
  const project = tempProjects('array-pattern-handlers');

  test('`function ([router, ctrl])` and `function (app, ...ctrls)` read by position where the call writes the array or the arguments out; else unresolved', async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/routes/pair.js': `module.exports = function ([router, ctrl]) {
  router.get('/pair', ctrl.list);
};
`,
      'src/routes/rest.js': `module.exports = function (app, ...ctrls) {
  app.get('/rest/first', ctrls[0].list);
  app.get('/rest/second', ctrls[1].show);
};
`,
      'src/routes/held.js': `module.exports = function (app, [, ctrl]) {
  app.get('/held', ctrl.show);
};
`,
      'src/routes/spread.js': `module.exports = function (app, ...ctrls) {
  app.get('/spread', ctrls[0].list);
};
`,
      'src/app.js': `const express = require('express');
const app = express();
const ctrl = require('./controllers');
const other = require('./other');
const router = express.Router();
require('./routes/pair')([router, ctrl]);
app.use('/r', router);
require('./routes/rest')(app, ctrl, other);
module.exports = function (pairs, list) {
  require('./routes/held')(app, pairs);
  require('./routes/spread')(app, ...list);
};
app.listen(3000);
`,
    }));
    assert.deepEqual(handlers(facts).sort(), [
      'GET /held unresolved ctrl.show',
      'GET /r/pair named src/controllers/index.js#list',
      'GET /rest/first named src/controllers/index.js#list',
      'GET /rest/second named src/other.js#show',
      'GET /spread unresolved ctrls[0].list',
    ]);
  });
});

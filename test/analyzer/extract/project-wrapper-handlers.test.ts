import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { findRoute } from './fixture.ts';
import { tempProjects } from './temp-project.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';

const ASYNC_HANDLER = 'const asyncHandler = (fn) => (req, res, next) => Promise.resolve(fn(req, res, next)).catch(next);\nexport default asyncHandler;\n';

describe('routes: a handler a const holds, made by a project wrapper given the function (`const list = asyncHandler(async (req, res) => …)`)', () => {
  const project = tempProjects('held-wrapped');
  let facts: Facts;
  before(async () => {
    const root = project({
      'utils/async-handler.js': ASYNC_HANDLER,
      'app.js': "import express from 'express';\nimport users from './controllers/users.js';\nconst app = express();\napp.use('/users', users);\n",
      'controllers/users.js': [
        "import express from 'express';",
        "import asyncHandler from '../utils/async-handler.js';",
        "import { findAll } from '../services/users.js';",
        'const router = express.Router();',
        'const listUsers = asyncHandler(async (req, res) => {',
        '  res.json(await findAll());',
        '});',
        "router.get('/', listUsers);",
        'export default router;',
      ].join('\n'),
      'services/users.js': "export async function findAll() { return []; }\n",
    });
    facts = await extractFacts(root);
  });

  test('the handler is the function the wrapper is given, the id its calls carry; not the wrapper', () => {
    assert.deepEqual(findRoute(facts, 'GET', '/users').handler, { kind: 'named', file: 'controllers/users.js', name: '<anonymous@5>', line: 5 });
    assert.ok(facts.calls.edges.some((e) => e.from === 'controllers/users.js#<anonymous@5>' && e.to === 'services/users.js#findAll'));
  });
});

// Directus ends each route with one shared `respond` (it sends what the handler left in res.locals): the code written for
// the route is the handler, the responder a step after it
describe('routes: a responder that ends the routes of many files is not their handler', () => {
  const project = tempProjects('shared-responder');
  const controller = (name: string, extra = '') =>
    [
      "import express from 'express';",
      "import asyncHandler from '../utils/async-handler.js';",
      "import { respond } from '../middleware/respond.js';",
      "import { auth } from '../middleware/auth.js';",
      'const router = express.Router();',
      `router.get('/', auth, asyncHandler(async (req, res, next) => { res.locals.payload = '${name}'; return next(); }), respond);`,
      extra,
      'export default router;',
    ].join('\n');
  let facts: Facts;
  before(async () => {
    const root = project({
      'utils/async-handler.js': ASYNC_HANDLER,
      'middleware/respond.js': "import asyncHandler from '../utils/async-handler.js';\nexport const respond = asyncHandler(async (req, res) => { res.json(res.locals.payload); });\n",
      'middleware/auth.js': 'export function auth(req, res, next) { next(); }\n',
      'middleware/render.js': 'export function render(req, res) { res.render(res.locals.view); }\n',
      'app.js': [
        "import express from 'express';",
        "import users from './controllers/users.js';",
        "import roles from './controllers/roles.js';",
        "import files from './controllers/files.js';",
        "import pages from './controllers/pages.js';",
        "import blog from './controllers/blog.js';",
        'const app = express();',
        "app.use('/users', users);",
        "app.use('/roles', roles);",
        "app.use('/files', files);",
        "app.use('/pages', pages);",
        "app.use('/blog', blog);",
      ].join('\n'),
      'controllers/users.js': controller('users', [
        'const readUsers = asyncHandler(async (req, res, next) => next());',
        "router.post('/', auth, readUsers, respond);",
        "router.get('/me', auth, respond);",
      ].join('\n')),
      'controllers/roles.js': controller('roles'),
      'controllers/files.js': controller('files'),
      // a function ending the routes of two files only is those routes' handler, as written
      'controllers/pages.js': "import express from 'express';\nimport { auth } from '../middleware/auth.js';\nimport { render } from '../middleware/render.js';\nconst router = express.Router();\nrouter.get('/', (req, res, next) => next(), render);\nexport default router;\n",
      'controllers/blog.js': "import express from 'express';\nimport { auth } from '../middleware/auth.js';\nimport { render } from '../middleware/render.js';\nconst router = express.Router();\nrouter.get('/', auth, render);\nexport default router;\n",
    });
    facts = await extractFacts(root);
  });

  test("the handler is the route's own code (written inline, or a const of the same file); the responder is listed after the middleware", () => {
    for (const name of ['users', 'roles', 'files']) {
      const route = findRoute(facts, 'GET', `/${name}`);
      assert.deepEqual(route.handler, { kind: 'inline', file: `controllers/${name}.js`, name: '<anonymous@6>', line: 6 }, name);
      assert.deepEqual(route.middleware, ['auth', 'respond'], name);
    }
    assert.deepEqual(findRoute(facts, 'POST', '/users').handler, { kind: 'named', file: 'controllers/users.js', name: '<anonymous@7>', line: 7 });
  });

  test('a route with no code of its own before the responder keeps it; a function ending the routes of two files stays their handler', () => {
    assert.deepEqual(findRoute(facts, 'GET', '/users/me').handler, { kind: 'named', file: 'middleware/respond.js', name: '<anonymous@2>', line: 2 });
    assert.equal(findRoute(facts, 'GET', '/pages').handler.name, 'render');
    assert.equal(findRoute(facts, 'GET', '/blog').handler.name, 'render');
  });
});

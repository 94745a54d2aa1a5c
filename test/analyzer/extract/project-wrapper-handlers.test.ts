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

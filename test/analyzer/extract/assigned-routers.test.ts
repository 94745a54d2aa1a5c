// A router a variable is given in branches (Directus's login routers: `let authRouter; switch (driver) { case 'oauth2':
// authRouter = createOAuth2AuthRouter(name); … } router.use(path, authRouter)`): each router assigned is mounted there.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { routeList } from './fixture.ts';
import { tempProjects } from './temp-project.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';

describe('routes: a router a let variable is assigned in branches', () => {
  const project = tempProjects('assigned-routers');
  let facts: Facts;
  before(async () => {
    facts = await extractFacts(project({
      'app.js': "import express from 'express';\nimport auth from './auth.js';\nconst app = express();\napp.use('/auth', auth);\n",
      'auth.js': [
        "import { Router } from 'express';",
        "import { createOAuthRouter } from './drivers/oauth.js';",
        "import { createSamlRouter } from './drivers/saml.js';",
        'const router = Router();',
        "const providers = [{ name: 'github', driver: 'oauth' }, { name: 'corp', driver: 'saml' }];",
        'for (const provider of providers) {',
        '  let loginRouter;',
        '  switch (provider.driver) {',
        "    case 'oauth':",
        '      loginRouter = createOAuthRouter(provider.name);',
        '      break;',
        "    case 'saml':",
        '      loginRouter = createSamlRouter(provider.name);',
        '      break;',
        '  }',
        '  if (!loginRouter) continue;',
        "  router.use('/sso', loginRouter);",
        '}',
        'export default router;',
      ].join('\n'),
      'drivers/oauth.js': "import { Router } from 'express';\nexport function createOAuthRouter(name) {\n  const router = Router();\n  router.get('/', (req, res) => res.redirect(name));\n  router.get('/callback', (req, res) => res.end());\n  return router;\n}\n",
      'drivers/saml.js': "import { Router } from 'express';\nexport function createSamlRouter(name) {\n  const router = Router();\n  router.post('/acs', (req, res) => res.end(name));\n  return router;\n}\n",
    }));
  });

  test('every router assigned is mounted where the variable is', () => {
    assert.deepEqual(routeList(facts).sort(), ['GET /auth/sso', 'GET /auth/sso/callback', 'POST /auth/sso/acs']);
    assert.ok(!facts.warnings.some((w) => /not mounted/.test(w.message)), facts.warnings.map((w) => w.message).join('\n'));
  });
});

// Express routes every method node's http.METHODS lists; SEARCH is the one real apps register (Directus's
// `router.search('/', validateBatch('read'), readHandler, respond)` on each collection)
describe('routes: router.search()', () => {
  const project = tempProjects('search-verb');

  test('is a SEARCH route; on a value that is not a router it is nothing', async () => {
    const facts = await extractFacts(project({
      'app.js': [
        "import express from 'express';",
        'const app = express();',
        'const index = { search: (q, opts) => [] };',
        "app.search('/items', (req, res) => res.json([]));",
        "index.search('/items', { limit: 1 });",
        // an LDAP or search client's search(base, options, callback): not a route with a path made at run time
        "import ldap from 'ldapjs';",
        "const client = ldap.createClient({ url: 'ldap://x' });",
        'export function find(baseDn) { client.search(baseDn, { scope: "sub" }, (err, res) => res); }',
      ].join('\n'),
    }));
    assert.deepEqual(routeList(facts), ['SEARCH /items']);
    assert.deepEqual(facts.unresolvedRoutes, []);
  });
});

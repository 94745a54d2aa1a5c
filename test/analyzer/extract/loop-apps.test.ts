// Hono's route(prefix, app) and Fastify's register(plugin, { prefix }) written in loops: each app or plugin of the loop's
// collection, under the prefix its element gives, and a loop over the apps that mount.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { tempProjects } from './temp-project.ts';
import { warningLines as warnings } from './route-lines.ts';

const routes = (facts: Facts): string[] => facts.routes.map((r) => `${r.method} ${r.path} ${r.file}:${r.line}`);
const unresolved = (facts: Facts): string[] => facts.unresolvedRoutes.map((u) => `${u.method} ${u.file}:${u.line} ${u.expression} (${u.reason})`);

describe('routes: Hono route() in loops', () => {
  const project = tempProjects('loop-hono');

  test('[prefix, app] pairs, objects, Object.entries and a loop over the apps that mount, each under its own prefix', async () => {
    const facts = await extractFacts(project({
      'src/app.ts': `import { Hono } from 'hono';
const books = new Hono();
books.get('/', (c) => c.json([]));
const authors = new Hono();
authors.get('/:id', (c) => c.json({}));
const app = new Hono();
for (const [prefix, sub] of [['/books', books], ['/authors', authors]] as const) app.route(prefix, sub);
const mounts = [{ at: '/v2/books', app: books }, { at: '/v2/authors', app: authors }];
mounts.forEach((m) => app.route(m.at, m.app));
const byPath = { '/v3/books': books };
for (const [p, a] of Object.entries(byPath)) app.route(p, a);
const v4 = new Hono();
const v5 = new Hono();
for (const v of [v4, v5]) v.route('/books', books);
app.route('/v4', v4);
app.route('/v5', v5);
for (const [name, sub] of [['Books', books]] as const) app.route('/' + name.toLowerCase(), sub);
export default app;
`,
    }));
    assert.deepEqual(routes(facts), [
      'GET /authors/:id src/app.ts:5', 'GET /books src/app.ts:3', 'GET /v2/authors/:id src/app.ts:5', 'GET /v2/books src/app.ts:3',
      'GET /v3/books src/app.ts:3', 'GET /v4/books src/app.ts:3', 'GET /v5/books src/app.ts:3',
    ]);
    assert.deepEqual(unresolved(facts), ["GET src/app.ts:3 '/' + name.toLowerCase() (mounted under a prefix built at run time)"]);
    assert.deepEqual(warnings(facts), []);
  });
});

describe('routes: Fastify register() in loops', () => {
  const project = tempProjects('loop-fastify');

  test('[prefix, plugin] pairs with { prefix }, objects with a built prefix, options as elements, nested under a plugin with its own prefix', async () => {
    const facts = await extractFacts(project({
      'app.js': `const fastify = require('fastify')();
const fp = require('fastify-plugin');
async function books(app) { app.get('/books', async () => []); }
async function authors(app) { app.get('/authors', async () => []); }
const shared = fp(async function shared(app) { app.get('/shared', async () => ({})); });
for (const [prefix, plugin] of [['/a', books], ['/b', authors]]) fastify.register(plugin, { prefix });
const plugins = [{ plugin: books, prefix: '/c' }, { plugin: authors, prefix: '/d' }];
plugins.forEach(({ plugin, prefix }) => fastify.register(plugin, { prefix: '/v2' + prefix }));
for (const [plugin, options] of [[books, { prefix: '/e' }], [shared, { prefix: '/f' }]]) fastify.register(plugin, options);
fastify.register(async function api(api) {
  for (const p of [books, authors]) api.register(p, { prefix: '/g' });
}, { prefix: '/api' });
fastify.listen({ port: 3000 });
`,
    }));
    assert.deepEqual(routes(facts), [
      'GET /a/books app.js:3', 'GET /api/g/authors app.js:4', 'GET /api/g/books app.js:3', 'GET /b/authors app.js:4', 'GET /e/books app.js:3',
      'GET /shared app.js:5', 'GET /v2/c/books app.js:3', 'GET /v2/d/authors app.js:4',
    ]);
    assert.deepEqual(unresolved(facts), []);
    assert.deepEqual(warnings(facts), [
      "app.js:9: plugin 'shared' is wrapped in fastify-plugin, so Fastify ignores its prefix '/f'; its routes are reported under the prefix of the instance that registers it",
    ]);
  });
});

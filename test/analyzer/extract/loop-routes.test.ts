// Routes and mounts written in loops the simple cases do not cover: arrays grown by push() or concat(), loops in
// loops, a loop's variable as the router that mounts, koa-router's loops, and helpers given an expression of their parameters.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { tempProjects } from './temp-project.ts';
import { routeLines as routes, routerFiles, warningLines as warnings } from './route-lines.ts';

const unresolved = (facts: Facts): string[] => facts.unresolvedRoutes.map((u) => `${u.method} ${u.file}:${u.line} ${u.expression}`);

describe('routes: arrays of routers grown by push() or concat() before the loop', () => {
  const project = tempProjects('loop-grown');
  const factsOf = async (app: string, ...names: string[]): Promise<Facts> => extractFacts(project({ ...routerFiles(...names), 'app.js': app }));

  test('pairs pushed onto an empty array, and a const array concatenated with another and an element', async () => {
    const facts = await factsOf(`const express = require('express');
const app = express();
const routers = [];
routers.push(['/shop', require('./routes/books')]);
if (process.env.PEOPLE) routers.push(['/people', require('./routes/authors')]);
for (const [p, r] of routers) app.use(p, r);
const base = [require('./routes/tags')];
const all = base.concat([require('./routes/notes')], require('./routes/pages'));
all.forEach((r) => app.use('/v1', r));
module.exports = app;
`, 'books', 'authors', 'tags', 'notes', 'pages');
    assert.deepEqual(routes(facts), ['GET /people/authors []', 'GET /shop/books []', 'GET /v1/notes []', 'GET /v1/pages []', 'GET /v1/tags []']);
    assert.deepEqual(warnings(facts), []);
  });

  test('an array something empties, or that a push in a loop grows, is not read as written; pushes after the loop do not count', async () => {
    const facts = await factsOf(`const express = require('express');
const app = express();
const cleared = [require('./routes/books')];
cleared.length = 0;
cleared.forEach((r) => app.use('/gone', r));
const some = [require('./routes/tags')];
for (const name of loadNames()) some.push(require('./routes/' + name));
some.forEach((r) => app.use('/some', r));
const late = [require('./routes/notes')];
late.forEach((r) => app.use('/late', r));
late.push(require('./routes/authors'));
function loadNames() { return []; }
module.exports = app;
`, 'books', 'tags', 'notes', 'authors');
    assert.deepEqual(routes(facts), ['GET /authors []', 'GET /books []', 'GET /late/notes []', 'GET /some/tags []']);
    assert.deepEqual(warnings(facts).filter((w) => w.includes('push')), [
      "app.js:7: some.push(…) in a loop adds elements not known statically; the loop at app.js:8 reads only the 1 written out",
    ]);
  });
});

describe('routes: loops in loops', () => {
  const project = tempProjects('loop-nested');
  const factsOf = async (app: string, ...names: string[]): Promise<Facts> => extractFacts(project({ ...routerFiles(...names), 'app.js': app }));

  test('a mount at each pair of two loops, and an inner loop over a collection the outer one gives', async () => {
    const facts = await factsOf(`const express = require('express');
const app = express();
const versions = ['v1', 'v2'];
const mounts = [['/shop', require('./routes/books')], ['/people', require('./routes/authors')]];
for (const v of versions) for (const [p, r] of mounts) app.use(\`/api/\${v}\${p}\`, r);
const groups = [{ base: '/tags', routers: [require('./routes/tags')] }, { base: '/more', routers: [require('./routes/notes'), require('./routes/pages')] }];
groups.forEach((g) => g.routers.forEach((r) => app.use(g.base, r)));
module.exports = app;
`, 'books', 'authors', 'tags', 'notes', 'pages');
    assert.deepEqual(routes(facts), [
      'GET /api/v1/people/authors []', 'GET /api/v1/shop/books []', 'GET /api/v2/people/authors []', 'GET /api/v2/shop/books []',
      'GET /more/notes []', 'GET /more/pages []', 'GET /tags/tags []',
    ]);
    assert.deepEqual(warnings(facts), []);
  });

  test('routes at each pair of two loops; past 200 pairs the rest are left out with a warning', async () => {
    const many = Array.from({ length: 15 }, (_, i) => `'p${i}'`).join(', ');
    const facts = await factsOf(`const express = require('express');
const app = express();
function legal(req, res) { res.end(); }
for (const v of ['v1', 'v2']) for (const name of ['terms', 'privacy']) app.get(\`/\${v}/legal/\${name}\`, legal);
const a = [${many}];
for (const x of a) {
  for (const y of a) app.get('/grid/' + x + '/' + y, legal);
}
module.exports = app;
`);
    const all = routes(facts);
    assert.deepEqual(all.filter((r) => r.includes('/legal/')), ['GET /v1/legal/privacy []', 'GET /v1/legal/terms []', 'GET /v2/legal/privacy []', 'GET /v2/legal/terms []']);
    assert.equal(all.filter((r) => r.includes('/grid/')).length, 200);
    assert.ok(all.includes('GET /grid/p0/p0 []'));
    assert.deepEqual(warnings(facts), ['app.js:7: the loops around this call make 225 combinations; only the first 200 are read']);
  });
});

describe("routes: a loop's variable as the router that registers or mounts", () => {
  const project = tempProjects('loop-receiver');
  const factsOf = async (app: string, ...names: string[]): Promise<Facts> => extractFacts(project({ ...routerFiles(...names), 'app.js': app }));

  test('routes and mounts on each router of the loop, with what the same element gives them', async () => {
    const facts = await factsOf(`const express = require('express');
const app = express();
const admin = express.Router();
const api = express.Router();
function health(req, res) { res.end(); }
for (const r of [admin, api]) r.get('/health', health);
[admin, api].forEach((r) => r.use(require('./routes/books')));
const pairs = [[admin, '/tags', require('./routes/tags')], [api, '/notes', require('./routes/notes')]];
for (const [on, p, child] of pairs) on.use(p, child);
for (const [on, p] of [[admin, '/a'], [api, '/b']]) on.post(p + '/ping', health);
app.use('/admin', admin);
app.use('/api', api);
module.exports = app;
`, 'books', 'tags', 'notes');
    assert.deepEqual(routes(facts), [
      'POST /admin/a/ping []', 'GET /admin/books []', 'GET /admin/health []', 'GET /admin/tags/tags []',
      'POST /api/b/ping []', 'GET /api/books []', 'GET /api/health []', 'GET /api/notes/notes []',
    ]);
    assert.deepEqual(warnings(facts), []);
  });
});

describe('routes: koa-router registrations and nesting in loops', () => {
  const project = tempProjects('loop-koa');
  /** A @koa/router module per name, each with one GET route at /<name>. */
  const koaRouters = (...names: string[]): Record<string, string> => Object.fromEntries(names.map((name) => [`routes/${name}.js`, `const Router = require('@koa/router');
const router = new Router();
router.get('/${name}', async function ${name}List(ctx) { ctx.body = []; });
module.exports = router;
`]));

  test('router[m](p, h) over a table of [method, path, handler], and use(prefix, child.routes()) over [prefix, child] pairs', async () => {
    const facts = await extractFacts(project({
      ...koaRouters('books', 'authors', 'tags'),
      'app.js': `const Koa = require('koa');
const Router = require('@koa/router');
const app = new Koa();
const router = new Router();
async function list(ctx) { ctx.body = []; }
async function create(ctx) { ctx.status = 201; }
async function remove(ctx) { ctx.status = 204; }
const table = [['get', '/items', list], ['post', '/items', create], ['del', '/items/:id', remove]];
for (const [m, p, h] of table) router[m](p, h);
const api = new Router({ prefix: '/api' });
const children = [['/shop', require('./routes/books')], ['/people', require('./routes/authors')]];
for (const [p, child] of children) api.use(p, child.routes());
[require('./routes/tags')].forEach((r) => api.use(r.routes(), r.allowedMethods()));
const loaded = loadTable();
for (const [m, p, h] of loaded) router[m](p, h);
function loadTable() { return []; }
app.use(router.routes());
app.use(api.routes());
`,
    }));
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path} ${r.handler.name}`), [
      'GET /api/people/authors authorsList', 'GET /api/shop/books booksList', 'GET /api/tags tagsList',
      'GET /items list', 'POST /items create', 'DELETE /items/:id remove',
    ]);
    assert.deepEqual(facts.unresolvedRoutes.map((u) => `${u.method} ${u.file}:${u.line} ${u.expression} (${u.reason})`), ['* app.js:15 router[m](p, …) (method chosen at run time)']);
    assert.deepEqual(warnings(facts), []);
  });
});

describe('routes: helpers that mount under a prefix made from their parameters', () => {
  const project = tempProjects('helper-prefix');
  const factsOf = async (files: Record<string, string>, ...names: string[]): Promise<Facts> => extractFacts(project({ ...routerFiles(...names), ...files }));

  test("'/api/' + name and `/v2/${name}` read at each call, also through a helper handing on an expression of its own parameters", async () => {
    const facts = await factsOf({
      'helpers.js': `function mount(app, name, r) {
  app.use('/api/' + name, r);
}
function mountV2(app, name, r) {
  app.use(\`/v2/\${name}\`, auth, r);
}
function mountVersioned(app, version, name, r) {
  mount(app, version + '/' + name, r);
}
function auth(req, res, next) { next(); }
module.exports = { mount, mountV2, mountVersioned };
`,
      'app.js': `const express = require('express');
const { mount, mountV2, mountVersioned } = require('./helpers');
const app = express();
mount(app, 'books', require('./routes/books'));
mountV2(app, 'authors', require('./routes/authors'));
mountVersioned(app, 'v3', 'tags', require('./routes/tags'));
mount(app, process.env.NOTES_AT, require('./routes/notes'));
module.exports = app;
`,
    }, 'books', 'authors', 'tags', 'notes');
    assert.deepEqual(routes(facts), ['GET /api/books/books []', 'GET /api/v3/tags/tags []', 'GET /v2/authors/authors [auth]']);
    assert.deepEqual(unresolved(facts), ["GET routes/notes.js:3 '/api/' + name"]);
    assert.deepEqual(warnings(facts), [
      "app.js:7: mount(…) gives '/api/' + name no value known statically (process.env.NOTES_AT); the routes it mounts are reported unresolved",
    ]);
  });
});

describe('routes: a prefix made from a helper\'s parameters, the helper called through call, apply or a spread', () => {
  const project = tempProjects('helper-prefix-call');

  test('`mount.call(null, app, name, r)`, `mount.apply(null, [app, name, r])`, `mount(...args)` read the prefix at the positions they give', async () => {
    const facts = await extractFacts(project({
      ...routerFiles('books', 'authors', 'tags'),
      'helpers.js': `function mount(app, name, r) {
  app.use('/api/' + name, r);
}
module.exports = { mount };
`,
      'app.js': `const express = require('express');
const { mount } = require('./helpers');
const app = express();
mount.call(null, app, 'books', require('./routes/books'));
mount.apply(null, [app, 'authors', require('./routes/authors')]);
const args = [app, 'tags', require('./routes/tags')];
mount(...args);
module.exports = app;
`,
    }));
    assert.deepEqual(routes(facts), ['GET /api/authors/authors []', 'GET /api/books/books []', 'GET /api/tags/tags []']);
  });
});

describe('routes: a prefix held by a name outside a loop (`app.use(relativePath, x)`)', () => {
  const project = tempProjects('named-prefix');

  test('a first argument named like a path is a prefix made at run time, not a middleware; a middleware named like one stays one', async () => {
    const facts = await extractFacts(project({
      ...routerFiles('books', 'authors', 'tags', 'notes', 'base', 'pages'),
      'app.js': `const express = require('express');
const config = require('./config');
const app = express();
const relativePath = process.env.RELATIVE_PATH || '';
app.use(relativePath, require('./routes/books'));
app.use(config.basePath, require('./routes/authors'));
const urlencoded = express.urlencoded({ extended: true });
app.use(urlencoded, require('./routes/tags'));
const checkPath = require('./check-path');
app.use(checkPath, require('./routes/notes'));
const base = require('./routes/base');
app.use(base, require('./routes/pages'));
const api = express.Router();
api.use(relativePath, express.static('public'));
api.get('/ping', (req, res) => res.end());
app.use('/api', api);
module.exports = app;
`,
      'config.js': `module.exports = { basePath: process.env.BASE_PATH };
`,
      'check-path.js': `module.exports = function checkPath(req, res, next) { next(); };
`,
    }));
    assert.deepEqual(routes(facts), ['GET /api/ping []', 'GET /base []', 'GET /notes [checkPath]', 'GET /pages []', 'GET /tags [urlencoded]']);
    assert.deepEqual(facts.unresolvedRoutes.map((u) => `${u.method} ${u.file}:${u.line} ${u.expression} (${u.reason})`), [
      'GET routes/authors.js:3 config.basePath (mounted under a prefix built at run time)',
      'GET routes/books.js:3 relativePath (mounted under a prefix built at run time)',
    ]);
  });
});

describe('routes: helpers called in a loop', () => {
  const project = tempProjects('helper-loop');

  test('a route helper and a mounting helper called at each element of a loop, with what the element gives', async () => {
    const facts = await extractFacts(project({
      ...routerFiles('books', 'authors'),
      'helpers.js': `function page(router, name, handler) {
  router.get('/pages/' + name, handler);
}
function mount(app, prefix, r) {
  app.use(prefix, r);
}
module.exports = { page, mount };
`,
      'app.js': `const express = require('express');
const { page, mount } = require('./helpers');
const app = express();
function about(req, res) { res.end(); }
function terms(req, res) { res.end(); }
const pages = [['about', about], ['terms', terms]];
for (const [name, h] of pages) page(app, name, h);
[['/shop', require('./routes/books')], ['/people', require('./routes/authors')]].forEach(([p, r]) => mount(app, p, r));
module.exports = app;
`,
    }));
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path} ${r.file}:${r.line} ${r.handler.name}`), [
      'GET /pages/about app.js:7 about', 'GET /pages/terms app.js:7 terms', 'GET /people/authors routes/authors.js:3 authorsList', 'GET /shop/books routes/books.js:3 booksList',
    ]);
    assert.deepEqual(unresolved(facts), []);
    assert.deepEqual(warnings(facts), []);
  });
});

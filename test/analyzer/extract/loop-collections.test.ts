// What a loop goes over when it is not written out beside it: `Object.keys/entries/values` of an outer loop's
// element (loops in loops), and arrays grown by push() through a helper function, a function they are handed to, or in
// the module that exports them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { tempProjects } from './temp-project.ts';
import { routerFiles, warningLines as warnings } from './route-lines.ts';

const routes = (facts: Facts): string[] => facts.routes.map((r) => `${r.method} ${r.path} ${r.file}:${r.line} ${r.handler.name}`);
const unresolved = (facts: Facts): string[] => facts.unresolvedRoutes.map((u) => `${u.method} ${u.file}:${u.line} ${u.expression}`);

describe("routes: an inner loop over Object.keys/entries/values of the outer loop's element", () => {
  const project = tempProjects('loop-object-of-element');

  test('routes and mounts at each key of each group, with the value the key holds', async () => {
    const facts = await extractFacts(project({
      ...routerFiles('books', 'authors', 'tags'),
      'app.js': `const express = require('express');
const app = express();
function about(req, res) { res.end(); }
function terms(req, res) { res.end(); }
function help(req, res) { res.end(); }
const groups = [{ base: '/pages', routes: { '/about': about, '/terms': terms } }, { base: '/support', routes: { '/help': help } }];
for (const group of groups) for (const [path, handler] of Object.entries(group.routes)) app.get(group.base + path, handler);
groups.forEach((g) => Object.keys(g.routes).forEach((k) => app.post(g.base + k, g.routes[k])));
const areas = [{ at: '/shop', routers: { books: require('./routes/books'), authors: require('./routes/authors') } }, { at: '/meta', routers: { tags: require('./routes/tags') } }];
for (const area of areas) for (const r of Object.values(area.routers)) app.use(area.at, r);
module.exports = app;
`,
    }));
    assert.deepEqual(routes(facts), [
      'GET /meta/tags routes/tags.js:3 tagsList',
      'GET /pages/about app.js:7 about', 'POST /pages/about app.js:8 about', 'GET /pages/terms app.js:7 terms', 'POST /pages/terms app.js:8 terms',
      'GET /shop/authors routes/authors.js:3 authorsList', 'GET /shop/books routes/books.js:3 booksList',
      'GET /support/help app.js:7 help', 'POST /support/help app.js:8 help',
    ]);
    assert.deepEqual(unresolved(facts), []);
    assert.deepEqual(warnings(facts), []);
  });

  test("an element whose member is no object literal leaves that loop's routes unresolved", async () => {
    const facts = await extractFacts(project({
      'app.js': `const express = require('express');
const app = express();
const groups = [{ base: '/x', routes: loadRoutes() }];
for (const group of groups) for (const [path, handler] of Object.entries(group.routes)) app.get(group.base + path, handler);
function loadRoutes() { return {}; }
module.exports = app;
`,
    }));
    assert.deepEqual(routes(facts), []);
    assert.deepEqual(unresolved(facts), ['GET app.js:4 group.base + path']);
  });
});

describe('routes: arrays grown by push() through a helper function, before the loop', () => {
  const project = tempProjects('loop-helper-push');

  test('a pair, an object and a built path pushed at each call of the helper; calls after the loop do not count', async () => {
    const facts = await extractFacts(project({
      'app.js': `const express = require('express');
const app = express();
function about(req, res) { res.end(); }
function terms(req, res) { res.end(); }
function status(req, res) { res.end(); }
const pages = [];
function page(p, h) { pages.push([p, h]); }
page('/about', about);
page('/terms', terms);
for (const [p, h] of pages) app.get(p, h);
page('/late', status);
const table = [];
const route = (path, handler) => table.push({ path, handler });
route('/status', status);
for (const t of table) app.post(t.path, t.handler);
const apis = [['/api/terms', terms]];
function api(name, h) { apis.push(['/api/' + name, h]); }
api('about', about);
apis.forEach(([p, h]) => app.put(p, h));
module.exports = app;
`,
    }));
    assert.deepEqual(routes(facts), [
      'GET /about app.js:10 about', 'PUT /api/about app.js:19 about', 'PUT /api/terms app.js:19 terms', 'POST /status app.js:15 status', 'GET /terms app.js:10 terms',
    ]);
    assert.deepEqual(unresolved(facts), []);
    assert.deepEqual(warnings(facts), []);
  });

  test('the array handed to a function that pushes onto its parameter; one that empties it, or pushes in a loop, is not read as written', async () => {
    const facts = await extractFacts(project({
      'app.js': `const express = require('express');
const app = express();
function a(req, res) { res.end(); }
function b(req, res) { res.end(); }
function add(list, p, h) { list.push([p, h]); }
function clear(list) { list.length = 0; }
function many(list, names) { for (const n of names) list.push(['/' + n, a]); }
const pages = [];
add(pages, '/a', a);
add(pages, '/b', b);
for (const [p, h] of pages) app.get(p, h);
const gone = [['/gone', a]];
clear(gone);
for (const [p, h] of gone) app.post(p, h);
const some = [['/some', a]];
many(some, ['x', 'y']);
for (const [p, h] of some) app.put(p, h);
console.log(pages);
module.exports = app;
`,
    }));
    assert.deepEqual(routes(facts), ['GET /a app.js:11 a', 'GET /b app.js:11 b', 'PUT /some app.js:17 a']);
    assert.deepEqual(unresolved(facts), ['POST app.js:14 p']);
    assert.deepEqual(warnings(facts), ['app.js:7: list.push(…) in a loop adds elements not known statically; the loop at app.js:17 reads only the 1 written out']);
  });

  test('a function that hands the array on to one that pushes onto it: warned about, not read past one function', async () => {
    const facts = await extractFacts(project({
      'app.js': `const express = require('express');
const app = express();
function a(req, res) { res.end(); }
function addAll(list) { list.push(['/late', a]); }
function reg(list) { addAll(list); }
function show(list) { return list.length; }
function look(list) { show(list); }
const pages = [['/first', a]];
reg(pages);
look(pages);
for (const [p, h] of pages) app.get(p, h);
const read = [['/read', a]];
look(read);
for (const [p, h] of read) app.post(p, h);
function addBorrowed(list) { Array.prototype.push.call(list, ['/late', a]); }
function reg2(list) { addBorrowed(list); }
const more = [['/more', a]];
reg2(more);
for (const [p, h] of more) app.put(p, h);
module.exports = app;
`,
    }));
    assert.deepEqual(routes(facts), ['GET /first app.js:11 a', 'PUT /more app.js:19 a', 'POST /read app.js:14 a']);
    // the push two functions down is named, not silently missed (a push called off it too); a function that only
    // reads what it is handed is no push
    assert.deepEqual(warnings(facts), [
      'app.js:5: addAll(…) in a function of its own adds elements not known statically; the loop at app.js:11 reads only the 1 written out',
      'app.js:16: addBorrowed(…) in a function of its own adds elements not known statically; the loop at app.js:19 reads only the 1 written out',
    ]);
  });

  test('groups a helper pushes, each with an object of routes an inner loop goes over (Object.entries, for…in)', async () => {
    const facts = await extractFacts(project({
      'app.js': `const express = require('express');
const app = express();
function a(req, res) { res.end(); }
function b(req, res) { res.end(); }
const groups = [];
function group(base, routes) { groups.push({ base, routes }); }
group('/x', { '/a': a, '/b': b });
group('/y', { '/c': a });
for (const g of groups) for (const [p, h] of Object.entries(g.routes)) app.get(g.base + p, h);
for (const g of groups) for (const k in g.routes) app.post(g.base + k, g.routes[k]);
module.exports = app;
`,
    }));
    assert.deepEqual(routes(facts), [
      'GET /x/a app.js:9 a', 'POST /x/a app.js:10 a', 'GET /x/b app.js:9 b', 'POST /x/b app.js:10 b', 'GET /y/c app.js:9 a', 'POST /y/c app.js:10 a',
    ]);
    assert.deepEqual(unresolved(facts), []);
  });

  test('a helper called in a loop, handed on or exported, or pushing a value made at run time, is warned about and its pushes left out', async () => {
    const facts = await extractFacts(project({
      ...routerFiles('books', 'authors', 'tags', 'notes'),
      'app.js': `const express = require('express');
const app = express();
const looped = [require('./routes/books')];
function addLooped(r) { looped.push(r); }
for (const r of [require('./routes/authors')]) addLooped(r);
looped.forEach((r) => app.use('/looped', r));
const named = [require('./routes/tags')];
function addNamed(name) { named.push(require('./routes/' + name)); }
addNamed('notes');
named.forEach((r) => app.use('/named', r));
const shared = [];
function addShared(p, h) { shared.push([p, h]); }
addShared('/x', (req, res) => res.end());
module.exports = { app, addShared };
for (const [p, h] of shared) app.get(p, h);
`,
    }));
    assert.deepEqual(routes(facts), [
      'GET /authors routes/authors.js:3 authorsList', 'GET /looped/books routes/books.js:3 booksList', 'GET /named/tags routes/tags.js:3 tagsList', 'GET /notes routes/notes.js:3 notesList',
    ]);
    assert.deepEqual(unresolved(facts), ['GET app.js:15 p']);
    assert.deepEqual(warnings(facts).filter((w) => w.includes('push')), [
      'app.js:4: looped.push(…) in a function of its own adds elements not known statically; the loop at app.js:6 reads only the 1 written out',
      'app.js:8: named.push(…) in a function of its own adds elements not known statically; the loop at app.js:10 reads only the 1 written out',
    ]);
  });
});

describe('routes: an array another module exports, grown by push() at its top level', () => {
  const project = tempProjects('loop-module-push');

  test('the pushes (also through a helper) at the top level of the exporting module count; pushes in its exported functions do not', async () => {
    const facts = await extractFacts(project({
      ...routerFiles('books', 'authors', 'tags', 'notes', 'pages'),
      'registry.js': `const list = [require('./routes/books')];
list.push(require('./routes/authors'));
function add(r) { list.push(r); }
add(require('./routes/tags'));
module.exports = list;
`,
      'more.js': `const more = [];
more.push(require('./routes/notes'));
exports.more = more;
exports.register = (r) => more.push(r);
`,
      'app.js': `const express = require('express');
const app = express();
const routers = require('./registry');
routers.forEach((r) => app.use('/api', r));
const { more } = require('./more');
for (const r of more) app.use('/more', r);
require('./more').register(require('./routes/pages'));
require('./more').more.forEach((r) => app.use('/again', r));
module.exports = app;
`,
    }));
    assert.deepEqual(routes(facts), [
      'GET /again/notes routes/notes.js:3 notesList', 'GET /api/authors routes/authors.js:3 authorsList', 'GET /api/books routes/books.js:3 booksList',
      'GET /api/tags routes/tags.js:3 tagsList', 'GET /more/notes routes/notes.js:3 notesList', 'GET /pages routes/pages.js:3 pagesList',
    ]);
    assert.deepEqual(warnings(facts).filter((w) => w.includes('push')), [
      'more.js:4: more.push(…) in a function of its own adds elements not known statically; the loop at app.js:6 reads only the 1 written out',
      'more.js:4: more.push(…) in a function of its own adds elements not known statically; the loop at app.js:8 reads only the 1 written out',
    ]);
  });

  test('TypeScript: an exported const array imported by name and as the default export, pushed onto directly and through a helper', async () => {
    const facts = await extractFacts(project({
      'registry.ts': `import type { Request, Response } from 'express';
export function ping(req: Request, res: Response) { res.end(); }
export function pong(req: Request, res: Response) { res.end(); }
export const routes: [string, typeof ping][] = [];
routes.push(['/ping', ping]);
const add = (path: string, handler: typeof ping) => { routes.push([path, handler]); };
add('/pong', pong);
export default routes;
`,
      'app.ts': `import express from 'express';
import { routes } from './registry';
import all from './registry';
const app = express();
for (const [p, h] of routes) app.get(p, h);
all.forEach(([p, h]) => app.post(p, h));
export default app;
`,
    }));
    assert.deepEqual(routes(facts), ['GET /ping app.ts:5 ping', 'POST /ping app.ts:6 ping', 'GET /pong app.ts:5 pong', 'POST /pong app.ts:6 pong']);
    assert.deepEqual(unresolved(facts), []);
  });

  test('an array pushed onto both in the module that exports it and in the one that loops over it is not read', async () => {
    const facts = await extractFacts(project({
      ...routerFiles('books', 'authors'),
      'registry.js': `const list = [];
list.push(require('./routes/books'));
module.exports = list;
`,
      'app.js': `const express = require('express');
const app = express();
const routers = require('./registry');
routers.push(require('./routes/authors'));
for (const r of routers) app.use('/api', r);
module.exports = app;
`,
    }));
    assert.deepEqual(routes(facts).filter((r) => r.startsWith('GET /api/')), []);
  });
});

// What a loop goes over when it is not written out beside it: `Object.keys/entries/values` of an outer loop's
// element (loops in loops), and arrays grown by push() through a helper function or in the module that exports them.
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

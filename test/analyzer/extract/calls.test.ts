import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf } from './fixture.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { tempProjects } from './temp-project.ts';

const edges = (facts: Facts) => facts.calls.edges.map((e) => `${e.from} -> ${e.to} x${e.count}`).sort();

describe('calls: resolved through imports, re-export aliases and dynamic import', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('esm-reexports');
  });

  test('function-level edges across files land on the declaration, through `export { add as plus }`', () => {
    assert.deepEqual(edges(facts), ['src/app.ts#main -> src/lib/math.ts#add x2', 'src/app.ts#main -> src/lib/math.ts#double x1']);
  });

  test('aggregated per file pair', () => {
    assert.deepEqual(facts.calls.fileEdges, [{ from: 'src/app.ts', to: 'src/lib/math.ts', count: 3 }]);
  });

  test('same-file calls count as resolved but are not cross-file edges', () => {
    // main: plus(), double(), add() across files; double → add inside math.ts
    assert.equal(facts.calls.resolved, 4);
    assert.equal(facts.calls.unresolved, 0);
  });
});

describe('calls: CommonJS exports and require', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('cjs-require');
  });

  test('destructured require, module object member, exports.f = function', () => {
    assert.deepEqual(edges(facts), [
      'index.cjs#main -> lib/books.js#countBooks x1',
      'index.cjs#main -> lib/books.js#listBooks x1',
      'lib/books.js#countBooks -> lib/db.js#query x1',
      'lib/books.js#listBooks -> lib/db.js#query x1',
    ]);
  });

  test('what cannot be resolved is counted, never guessed', () => {
    // .concat() on the untyped result of listBooks()
    assert.equal(facts.calls.unresolved, 1);
    // new Database() from a package import; db.prepare(sql) and .all() on the value it made
    assert.equal(facts.calls.external, 3);
    const files = new Set(facts.files.map((f) => f.path));
    for (const e of facts.calls.edges) assert.ok(files.has(e.toFile), `${e.toFile} is a project file`);
  });
});

describe('calls: handler factories and routers', () => {
  test('a call through an object of handlers lands on the member', async () => {
    const facts = await factsOf('express-mounts');
    const toHandlers = facts.calls.edges.filter((e) => e.toFile === 'handlers/factory.ts').map((e) => `${e.from} -> ${e.to}`);
    assert.deepEqual(toHandlers, ['routes/books.ts#<module> -> handlers/factory.ts#makeGetHandler']);
  });
});

describe('calls: classes, statics, namespaces, default exports, aliased imports', () => {
  test('methods on instances (fields, locals), statics, object members through aliases and namespaces', async () => {
    const facts = await factsOf('ts-classes');
    assert.deepEqual(edges(facts), [
      // a field initializer runs in the constructor
      'controller.ts#BookController.constructor -> service.ts#CatalogService.create x1',
      // new svc.CatalogService()
      'controller.ts#BookController.show -> service.ts#CatalogService x1',
      // this.service.getBook(), other.getBook()
      'controller.ts#BookController.show -> service.ts#CatalogService.getBook x2',
      // h.slug() (import alias), svc.helpers.slug() (namespace import)
      'controller.ts#BookController.show -> service.ts#helpers.slug x2',
      'controller.ts#BookController.show -> service.ts#main x1',
    ]);
    // 'A'.toLowerCase() lands in the runtime's declarations; res.json() on an express-typed res goes
    // into a package, so do Router(), r.get() and res.json() in a callback of r.get(); x.go() on an
    // `any` is unresolved
    assert.equal(facts.calls.external, 5);
    assert.equal(facts.calls.unresolved, 1);
  });
});

describe('calls: through an index object of required modules', () => {
  const project = tempProjects('index-object');

  // Ghost's serializers call `mappers.users(…)` with `mappers = require('./mappers')`, an index of require()s
  test("a call of an index object's member lands on the module it requires, not on the index", async () => {
    const dir = project({
      'package.json': '{ "name": "x" }',
      'mappers/index.js': "module.exports = {\n  users: require('./users'),\n  posts: require('./posts'),\n  plain: function plain(x) { return x; },\n};\n",
      'mappers/users.js': 'module.exports = function mapUser(user) {\n  return { id: user.id };\n};\n',
      'mappers/posts.js': 'function mapPost(post) {\n  return { id: post.id };\n}\nmodule.exports = mapPost;\n',
      'serializers/users.js': "const mappers = require('../mappers');\nfunction serialize(user, post) {\n  return [mappers.users(user), mappers.posts(post), mappers.plain(1)];\n}\nmodule.exports = serialize;\n",
    });
    const facts = await extractFacts(dir);
    assert.deepEqual(edges(facts), [
      'serializers/users.js#serialize -> mappers/index.js#plain x1',
      'serializers/users.js#serialize -> mappers/posts.js#mapPost x1',
      'serializers/users.js#serialize -> mappers/users.js#default x1',
    ]);
  });
});

// Two graph signals for layered code: files in layer folders named after the same domain belong together, and a file
// that imports many others (an index requiring every serializer) does not glue them together.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decompose } from '../../analyzer/decompose.ts';
import { buildFileGraph, type FileGraph } from '../../analyzer/graph.ts';
import type { Facts, ImportEdge, RouteFact, TableAccess } from '../../analyzer/extract/types.ts';

const DOMAINS = ['books', 'authors', 'orders', 'customers', 'reviews', 'payments', 'shipments', 'coupons', 'carts', 'wishlists'];
const singular = (d: string) => d.slice(0, -1);

/**
 * A layered shop as Ghost's API is built: routes → controllers → models (one table each), and the controllers answer
 * through `serializers/index.ts`, which requires a serializer per domain and calls it by name, so no import or call
 * ties `serializers/books.ts` to the books controller. Validators are looked up by name the same way.
 */
function layeredFacts(): Facts {
  const files = ['app.ts', 'serializers/index.ts', 'validators/index.ts'];
  const imports: ImportEdge[] = [];
  const fileEdges: Facts['calls']['fileEdges'] = [];
  const routes: RouteFact[] = [];
  const tables: TableAccess[] = [];
  const imp = (from: string, to: string): void => {
    imports.push({ from, to, kind: 'static', typeOnly: false, specifier: `./${to}`, line: 1 });
  };
  const call = (from: string, to: string, count: number): void => {
    fileEdges.push({ from, to, count });
  };
  for (const d of DOMAINS) {
    const [route, controller, model, serializer, validator] = [`routes/${d}.ts`, `controllers/${d}.ts`, `models/${singular(d)}.ts`, `serializers/${d}.ts`, `validators/${d}.ts`];
    files.push(route, controller, model, serializer, validator);
    imp('app.ts', route);
    imp(route, controller);
    call(route, controller, 4);
    imp(controller, model);
    call(controller, model, 6);
    imp(controller, 'serializers/index.ts');
    call(controller, 'serializers/index.ts', 3);
    imp(controller, 'validators/index.ts');
    call(controller, 'validators/index.ts', 2);
    imp('serializers/index.ts', serializer);
    imp('validators/index.ts', validator);
    routes.push({ method: 'GET', path: `/api/${d}`, file: route, line: 3, middleware: [], handler: { kind: 'inline', file: route, name: '<anonymous@3>', line: 3 } });
    tables.push({ file: model, function: 'find', table: d, access: 'read', line: 4, via: 'sql' });
    tables.push({ file: model, function: 'save', table: d, access: 'write', line: 8, via: 'sql' });
  }
  return {
    version: 1,
    root: '/work/layered',
    files: files.sort().map((path) => ({ path, loc: 40, size: 1200, language: 'ts' as const, externals: [] })),
    imports,
    calls: { edges: [], fileEdges, unresolved: 0, resolved: fileEdges.length },
    routes,
    unresolvedRoutes: [],
    tables,
    warnings: [],
  } as Facts;
}

const weight = (g: FileGraph, a: string, b: string): number => {
  const [from, to] = a < b ? [a, b] : [b, a];
  return g.clusteringEdges.find((e) => e.from === from && e.to === to)?.weight ?? 0;
};

function withFiles(paths: string[]): Facts {
  return { ...layeredFacts(), files: paths.map((path) => ({ path, loc: 10, size: 100, language: 'ts' as const, externals: [] })), imports: [], calls: { edges: [], fileEdges: [], unresolved: 0, resolved: 0 }, routes: [], tables: [] } as Facts;
}

describe('name affinity: layer files named after the same domain', () => {
  test('the files of a name group get name/(k−1) per pair: plural and singular, layer words and suffixes dropped', () => {
    const facts = withFiles(['controllers/PostsController.ts', 'models/post.model.ts', 'serializers/output/posts.js', 'routes/posts-router.ts', 'lib/other.ts']);
    const g = buildFileGraph(facts);
    const group = ['controllers/PostsController.ts', 'models/post.model.ts', 'serializers/output/posts.js', 'routes/posts-router.ts'];
    for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) assert.equal(weight(g, group[i], group[j]), 1 / 3, `${group[i]} – ${group[j]}`);
    assert.equal(weight(g, 'lib/other.ts', group[0]), 0);
    assert.equal(buildFileGraph(facts, { name: 2 }).clusteringEdges.length, 6);
    assert.equal(weight(buildFileGraph(facts, { name: 2 }), group[0], group[1]), 2 / 3);
    assert.equal(buildFileGraph(facts, { name: 0 }).clusteringEdges.length, 0);
  });

  test('no name edge: two files only, one folder only, a domain folder, a generic name, or more than twelve files', () => {
    // two alike may be a coincidence (an account page and the accounts store)
    assert.equal(buildFileGraph(withFiles(['routes/account.js', 'lib/accounts.js'])).clusteringEdges.length, 0);
    // the same folder: folder affinity's business, not a name group
    assert.equal(buildFileGraph(withFiles(['models/tag.ts', 'models/tags.ts', 'models/Tag.ts'])).clusteringEdges.length, 0);
    // a domain folder already says the domain (`catalog/books.ts` is catalog's)
    assert.equal(buildFileGraph(withFiles(['catalog/books.ts', 'orders/books.ts', 'reviews/books.ts'])).clusteringEdges.filter((e) => e.weight > 0).length, 0);
    // index, utils: no domain word
    assert.equal(buildFileGraph(withFiles(['routes/index.ts', 'models/index.ts', 'controllers/utils.ts', 'models/utils.ts', 'lib/utils.ts'])).clusteringEdges.length, 0);
    const many = Array.from({ length: 13 }, (_, i) => `services/layer${i}/output/url.js`);
    assert.equal(buildFileGraph(withFiles(many)).clusteringEdges.length, 0);
    assert.equal(buildFileGraph(withFiles(many.slice(0, 12))).clusteringEdges.length, 66);
  });
});

describe('aggregator damping: a file importing many others', () => {
  test('an index importing k > 8 files gives each import 8/k; up to 8 imports count in full', () => {
    const g = buildFileGraph(layeredFacts());
    assert.equal(weight(g, 'serializers/index.ts', 'serializers/books.ts'), 8 / 10);
    assert.equal(weight(g, 'app.ts', 'routes/books.ts'), 8 / 10);
    // a controller imports three files
    assert.equal(weight(g, 'controllers/books.ts', 'models/book.ts'), 1 + Math.log2(1 + 6) + 1 / 4);
  });
});

describe('the cut of a layered codebase', () => {
  const facts = layeredFacts();
  const serviceOf = (cut: ReturnType<typeof decompose>, file: string) => cut.assignment.get(file) ?? 'kernel';

  test("each domain's serializer and validator join its controller, model and routes", () => {
    const cut = decompose(facts, buildFileGraph(facts));
    for (const d of DOMAINS) {
      const s = serviceOf(cut, `controllers/${d}.ts`);
      assert.notEqual(s, 'kernel', d);
      for (const f of [`routes/${d}.ts`, `models/${singular(d)}.ts`, `serializers/${d}.ts`, `validators/${d}.ts`]) assert.equal(serviceOf(cut, f), s, f);
    }
  });

  test('without the name signal the serializers and validators do not join their domains', () => {
    const cut = decompose(facts, buildFileGraph(facts, { name: 0 }));
    const joined = DOMAINS.filter((d) => serviceOf(cut, `serializers/${d}.ts`) === serviceOf(cut, `controllers/${d}.ts`));
    assert.ok(joined.length < DOMAINS.length / 2, `joined: ${joined.join(', ')}`);
  });
});

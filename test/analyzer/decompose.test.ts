// The cut on hand-written facts: modules found, shared kernel set aside, pins honoured, determinism, --services.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decompose, DEFAULT_DECOMPOSE } from '../../analyzer/decompose.ts';
import { appSegments, buildFileGraph, routePrefix } from '../../analyzer/graph.ts';
import { loadReference, planFromFacts } from '../../analyzer/pipeline.ts';
import { parsePinFlags, readPinsFile, resolvePins } from '../../analyzer/pins.ts';
import { globToRegExp } from '../../common/glob.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderLabel, nameCandidates } from '../../analyzer/naming.ts';
import { UserError } from '../../common/user-error.ts';
import { shopFacts, shopReference } from './shop-facts.ts';

const byService = (assignment: Map<string, string>): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const [file, s] of assignment) (out[s] ??= []).push(file);
  return out;
};

describe('decompose on the shop', () => {
  const facts = shopFacts();
  const graph = buildFileGraph(facts);

  test('each module folder becomes one service named after it', () => {
    const cut = decompose(facts, graph);
    assert.deepEqual(byService(cut.assignment), {
      catalog: ['catalog/catalog.ts', 'catalog/repo.ts', 'catalog/routes.ts'],
      customers: ['customers/customers.ts', 'customers/repo.ts', 'customers/routes.ts'],
      inventory: ['inventory/inventory.ts', 'inventory/repo.ts', 'inventory/routes.ts'],
      orders: ['orders/orders.ts', 'orders/repo.ts', 'orders/routes.ts'],
    });
  });

  test('db singleton, utils and the composition root are the shared kernel, not a service', () => {
    const cut = decompose(facts, graph);
    assert.deepEqual(cut.kernel.map((k) => k.file), ['app.ts', 'db.ts', 'utils.ts']);
    assert.match(cut.kernel.find((k) => k.file === 'app.ts')!.reason, /composition root/);
    assert.match(cut.kernel.find((k) => k.file === 'db.ts')!.reason, /used by \d services/);
  });

  test('an entry script importing the composition root does not keep it out of the kernel', () => {
    const withServer = shopFacts();
    withServer.files.push({ path: 'server.ts', loc: 10, size: 200, language: 'ts', externals: ['node:http'] });
    withServer.imports.push({ from: 'server.ts', to: 'app.ts', kind: 'static', typeOnly: false, specifier: './app.ts', line: 1 });
    const cut = decompose(withServer, buildFileGraph(withServer));
    assert.deepEqual(cut.kernel.map((k) => k.file), ['app.ts', 'db.ts', 'server.ts', 'utils.ts']);
    assert.equal(new Set(cut.assignment.values()).size, 4);
  });

  test('files connected to nothing are set aside with what they do: no tables, or the tables they touch', () => {
    const withLoners = shopFacts();
    withLoners.files.push({ path: 'logger.ts', loc: 10, size: 200, language: 'ts', externals: ['pino'] });
    withLoners.files.push({ path: 'jobs/purge.ts', loc: 10, size: 200, language: 'ts', externals: ['ioredis'] });
    withLoners.tables.push({ file: 'jobs/purge.ts', function: 'purge', table: 'redis:session:', access: 'write', line: 4, via: 'redis' });
    withLoners.tables.push({ file: 'jobs/purge.ts', function: 'purge', table: 'audit_log', access: 'read', line: 6, via: 'sql' });
    withLoners.tables.push({ file: 'jobs/purge.ts', function: 'purge', table: 'redis:session:', access: 'read', line: 3, via: 'redis' });
    const cut = decompose(withLoners, buildFileGraph(withLoners));
    const reason = (file: string) => cut.kernel.find((k) => k.file === file)?.reason;
    assert.equal(reason('logger.ts'), 'no routes, no tables, connected to no service');
    assert.equal(reason('jobs/purge.ts'), 'no routes, connected to no service; writes redis:session:; reads audit_log');
  });

  test('an entry script answering a route itself (GET / in main.ts) goes to the kernel, and its route stays on the monolith', () => {
    const withMain = shopFacts();
    withMain.files.push({ path: 'main.ts', loc: 12, size: 300, language: 'ts', externals: ['express'] });
    withMain.imports.push({ from: 'main.ts', to: 'app.ts', kind: 'static', typeOnly: false, specifier: './app.ts', line: 1 });
    withMain.imports.push({ from: 'main.ts', to: 'utils.ts', kind: 'static', typeOnly: false, specifier: './utils.ts', line: 2 });
    withMain.routes.push({ method: 'GET', path: '/', file: 'main.ts', line: 8, middleware: [], handler: { kind: 'inline', file: 'main.ts', name: '<anonymous@8>', line: 8 } });
    const cut = decompose(withMain, buildFileGraph(withMain));
    assert.match(cut.kernel.find((k) => k.file === 'main.ts')?.reason ?? '', /^entry script: nothing imports it, owns no table, answers 1 route itself$/);
    assert.equal(new Set(cut.assignment.values()).size, 4, 'no one-route service of its own');
    const plan = planFromFacts(withMain);
    assert.deepEqual(plan.kernel.routes.map((r) => `${r.method} ${r.path}`), ['GET /']);
    // a file the app imports is not an entry script, whatever it serves
    const imported = shopFacts();
    imported.routes.push({ method: 'GET', path: '/health', file: 'catalog/routes.ts', line: 40, middleware: [], handler: { kind: 'inline', file: 'catalog/routes.ts', name: '<anonymous@40>', line: 40 } });
    assert.ok(!decompose(imported, buildFileGraph(imported)).kernel.some((k) => k.file === 'catalog/routes.ts'));
  });

  test("the script that starts the app goes with the composition root, not with a service whose constants it imports", () => {
    const withMain = shopFacts();
    withMain.files.push({ path: 'main.ts', loc: 12, size: 300, language: 'ts', externals: ['@nestjs/core'] });
    withMain.imports.push({ from: 'main.ts', to: 'app.ts', kind: 'static', typeOnly: false, specifier: './app.ts', line: 1 });
    withMain.imports.push({ from: 'main.ts', to: 'catalog/catalog.ts', kind: 'static', typeOnly: false, specifier: './catalog/catalog.ts', line: 2 });
    const cut = decompose(withMain, buildFileGraph(withMain));
    assert.equal(cut.kernel.find((k) => k.file === 'main.ts')?.reason, 'entry script: starts the app (imports the composition root app.ts)');
    assert.equal(cut.assignment.has('main.ts'), false);
  });

  test('a module file wiring other modules is not a composition root: something other than an entry script uses it', () => {
    const cut = decompose(facts, graph, { kernelMinServices: 2 });
    // orders/orders.ts calls inventory and customers, but orders/routes.ts (imported by app.ts) depends on it
    assert.equal(cut.kernel.some((k) => k.file === 'orders/orders.ts'), false);
  });

  test('without kernel detection the hub files land in some service', () => {
    const cut = decompose(facts, graph, { kernelMinServices: 0 });
    assert.equal(cut.kernel.length, 0);
    assert.ok(cut.assignment.has('db.ts'));
  });

  test('the same facts and seed give the same cut, whatever the input order', () => {
    const shuffled = shopFacts();
    shuffled.imports.reverse();
    shuffled.calls.fileEdges.reverse();
    shuffled.tables.reverse();
    shuffled.files.reverse();
    const a = JSON.stringify(planFromFacts(facts));
    const b = JSON.stringify(planFromFacts(shuffled));
    assert.equal(a, b);
    assert.equal(JSON.stringify(planFromFacts(shopFacts())), a);
  });

  test('--services N searches the resolution for N services', () => {
    const two = decompose(facts, graph, { services: 2 });
    assert.equal(new Set(two.assignment.values()).size, 2);
    assert.deepEqual(two.warnings, []);
    assert.notEqual(two.resolution, DEFAULT_DECOMPOSE.resolution);
  });

  test('an unreachable service count is reported, not faked', () => {
    const many = decompose(facts, graph, { services: 40 });
    assert.ok(new Set(many.assignment.values()).size < 40);
    assert.match(many.warnings[0], /asked for 40 services/);
  });

  test('a cluster below the minimum size is merged into its best-connected neighbour', () => {
    const cut = decompose(facts, graph, { minServiceFiles: 4, resolution: 1 });
    for (const files of Object.values(byService(cut.assignment))) assert.ok(files.length >= 4, `tiny service: ${files.join(',')}`);
  });
});

describe('pins', () => {
  const facts = shopFacts();

  test('a pinned file moves to the pinned service and the metrics before and after are both reported', () => {
    const plan = planFromFacts(facts, { pins: [{ pattern: 'inventory/**', service: 'orders' }], reference: shopReference() });
    const orders = plan.services.find((s) => s.name === 'orders')!;
    assert.ok(orders.files.includes('inventory/repo.ts'));
    assert.ok(orders.files.includes('orders/repo.ts'));
    assert.equal(plan.services.some((s) => s.name === 'inventory'), false);
    assert.ok(plan.metrics.unpinned, 'metrics without pins are present');
    assert.equal(plan.metrics.unpinned!.services, 4);
    assert.equal(plan.metrics.proposed.services, 3);
    // merging inventory into orders removes the stock table shared between them
    assert.equal(plan.metrics.unpinned!.sharedWriteTables, 1);
    assert.equal(plan.metrics.proposed.sharedWriteTables, 0);
    assert.ok(plan.metrics.reference!.mojofm < plan.metrics.unpinnedReference!.mojofm);
  });

  test('two pins that Louvain would group stay separate services', () => {
    const plan = planFromFacts(facts, {
      pins: [
        { pattern: 'catalog/repo.ts', service: 'books-data' },
        { pattern: 'catalog/catalog.ts', service: 'books-logic' },
      ],
    });
    const names = plan.services.map((s) => s.name);
    assert.ok(names.includes('books-data') && names.includes('books-logic'));
    assert.deepEqual(plan.services.find((s) => s.name === 'books-data')!.files, ['catalog/repo.ts']);
  });

  test('a pinned file is never shared kernel', () => {
    const plan = planFromFacts(facts, { pins: [{ pattern: 'db.ts', service: 'catalog' }] });
    assert.equal(plan.kernel.files.some((k) => k.file === 'db.ts'), false);
    assert.ok(plan.services.find((s) => s.name === 'catalog')!.files.includes('db.ts'));
  });

  test('a pin matching no file is a user error naming the pin', () => {
    assert.throws(() => resolvePins([{ pattern: 'nope/**', service: 'x' }], ['a.ts']), (e: unknown) => e instanceof UserError && /nope\/\*\*=x/.test(e.message));
  });

  test('--pin flags parse glob=service and refuse anything else', () => {
    assert.deepEqual(parsePinFlags(['orders/**=billing']), [{ pattern: 'orders/**', service: 'billing' }]);
    assert.throws(() => parsePinFlags(['orders/**']), UserError);
    assert.throws(() => parsePinFlags(['x=Bad Name']), UserError);
  });

  test('strangler.pins.json: { glob: service }, optional when absent, refused when malformed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pins-'));
    try {
      const file = join(dir, 'strangler.pins.json');
      assert.deepEqual(readPinsFile(file, false), []);
      assert.throws(() => readPinsFile(file, true), (e: unknown) => e instanceof UserError && e.message.includes(file));
      writeFileSync(file, JSON.stringify({ 'payments/**': 'billing', 'orders/refunds.ts': 'billing' }));
      assert.deepEqual(readPinsFile(file, false), [
        { pattern: 'payments/**', service: 'billing' },
        { pattern: 'orders/refunds.ts', service: 'billing' },
      ]);
      writeFileSync(file, JSON.stringify({ pins: { 'a/**': 'a' } }));
      assert.deepEqual(readPinsFile(file, false), [{ pattern: 'a/**', service: 'a' }]);
      writeFileSync(file, JSON.stringify({ 'a/**': 'Not A Name' }));
      assert.throws(() => readPinsFile(file, false), UserError);
      writeFileSync(file, '{ nope');
      assert.throws(() => readPinsFile(file, false), /not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('pins and reference files saved with a byte-order mark (Windows editors) are read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pins-bom-'));
    try {
      const pins = join(dir, 'strangler.pins.json');
      writeFileSync(pins, `\uFEFF${JSON.stringify({ 'payments/**': 'billing' })}`);
      assert.deepEqual(readPinsFile(pins, true), [{ pattern: 'payments/**', service: 'billing' }]);
      const reference = join(dir, 'reference.json');
      writeFileSync(reference, `\uFEFF${JSON.stringify({ 'catalog/routes.ts': 'catalog' })}`);
      assert.deepEqual(loadReference(reference), { 'catalog/routes.ts': 'catalog' });
      // a mark anywhere else is invalid JSON, said visibly
      writeFileSync(pins, `{"a/**": \uFEFF"a"}`);
      assert.throws(() => readPinsFile(pins, true), (e: unknown) => e instanceof UserError && /not valid JSON/.test(e.message) && e.message.includes('\\ufeff') && !e.message.includes('\uFEFF'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a pins or reference file that is a folder is said to be unreadable, not invalid JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pins-folder-'));
    try {
      assert.throws(() => readPinsFile(dir, true), (e: unknown) => e instanceof UserError && e.message.startsWith(`pins file ${dir} cannot be read (EISDIR`));
      assert.throws(() => loadReference(dir), (e: unknown) => e instanceof UserError && e.message.startsWith(`reference file ${dir} cannot be read (EISDIR`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('globs: * stays in a segment, ** crosses them, a folder pins its content', () => {
    assert.ok(globToRegExp('orders/*.ts').test('orders/a.ts'));
    assert.equal(globToRegExp('orders/*.ts').test('orders/x/a.ts'), false);
    assert.ok(globToRegExp('**/repo.ts').test('orders/repo.ts'));
    assert.ok(globToRegExp('**/repo.ts').test('repo.ts'));
    assert.deepEqual([...resolvePins([{ pattern: 'orders', service: 'o' }], ['orders/a.ts', 'ordersx.ts']).keys()], ['orders/a.ts']);
  });
});

describe('naming', () => {
  test('the deepest non-generic folder names a file, else its own name', () => {
    assert.equal(folderLabel('src/modules/catalog/routes/books.ts'), 'catalog');
    assert.equal(folderLabel('src/routes/books.ts'), 'books');
    assert.equal(folderLabel('src/index.ts'), undefined);
    assert.equal(folderLabel('src/shoppingCart/service.ts'), 'shopping-cart');
    // generic words inside a name are dropped: a koa realworld's src/controllers/tags-controller.ts is "tags"
    assert.equal(folderLabel('src/controllers/tags-controller.ts'), 'tags');
    assert.equal(folderLabel('src/controllers/BooksController.ts'), 'books');
    assert.equal(folderLabel('src/books-module/index.ts'), 'books');
    assert.equal(folderLabel('src/order-items/repo.ts'), 'order-items');
    assert.equal(folderLabel('src/middleware/db-middleware.ts'), undefined);
    // a version or date folder names no domain (Ghost's data/migrations/versions/5.0/…: "s5-0" before)
    assert.equal(folderLabel('core/server/data/migrations/5.0/2022-05-03-add-offers.js'), 'migrations');
    assert.equal(folderLabel('src/api/v2/orders.ts'), 'orders');
    assert.equal(folderLabel('src/orders/v2/handlers.ts'), 'orders');
    assert.equal(folderLabel('src/billing/2024-01-15/index.ts'), 'billing');
    assert.equal(folderLabel('src/billing/20240115.ts'), 'billing');
    // API layers' folders are layers too (Ghost: core/server/api/endpoints/, utils/serializers/output/mappers/)
    assert.equal(folderLabel('core/server/api/endpoints/posts.js'), 'posts');
    assert.equal(folderLabel('api/endpoints/utils/serializers/output/mappers/posts.js'), 'posts');
  });

  test("the path segments most routes share are the app's own, not a domain (Ghost's /ghost/api/admin/…)", () => {
    const route = (path: string) => ({ method: 'GET', path, file: 'r.js', line: 1, middleware: [], handler: { kind: 'unresolved' as const, name: 'h' } });
    const ghost = [
      ...['posts', 'pages', 'tags', 'users', 'offers', 'tiers', 'labels', 'members'].map((r) => route(`/ghost/api/admin/${r}/:id`)),
      ...['posts', 'pages', 'tags'].map((r) => route(`/ghost/api/content/${r}`)),
      route('/members/api/comments/:id'),
    ];
    // ghost starts 11 of 12 routes, then admin 8 of 12; content (3) and members (1) are domains
    assert.deepEqual([...appSegments(ghost)], ['ghost', 'admin']);
    assert.equal(routePrefix('/ghost/api/admin/posts/:id', appSegments(ghost)), 'posts');
    assert.equal(routePrefix('/ghost/api/content/tags', appSegments(ghost)), 'content');
    assert.equal(routePrefix('/members/api/comments/:id', appSegments(ghost)), 'members');
    assert.equal(routePrefix('/ghost/api/admin/posts/:id'), 'ghost', 'without the shared set: the first non-generic segment');
    // fewer than 10 routes, or no segment in 60% of them: none taken
    assert.deepEqual([...appSegments(ghost.slice(0, 9))], []);
    assert.deepEqual([...appSegments(shopFacts().routes)], []);
  });

  test('a folder above at least half the files names the group when no deepest folder does, unless most of the codebase is under it', () => {
    const file = (path: string) => ({ path, loc: 10, size: 100, language: 'js' as const, externals: [] });
    const frontend = [
      ...['asset', 'authors', 'body_class', 'date'].map((h) => `core/frontend/helpers/${h}.js`),
      ...['router', 'controller', 'registry'].map((r) => `core/frontend/services/routing/${r}.js`),
      ...['title', 'description', 'schema'].map((m) => `core/frontend/meta/${m}.js`),
      'core/server/lib/image/size.js',
    ];
    const server = Array.from({ length: 40 }, (_, i) => `core/server/services/s${i}/index.js`);
    const imageRoute = { method: 'GET', path: '/content/images/:file', file: 'core/server/lib/image/size.js', line: 1, middleware: [], handler: { kind: 'inline' as const, file: 'core/server/lib/image/size.js', name: 'h', line: 1 } };
    const facts = { ...shopFacts(), files: [...frontend, ...server].map(file), routes: [imageRoute], tables: [] };
    // deepest folders: frontend 4 (helpers/ is a layer), routing 3, meta 3, image 1 of 11 — none half; frontend/ holds 10
    assert.equal(nameCandidates(frontend, facts)[0], 'frontend');
    assert.equal(nameCandidates(frontend, facts)[1], 'content', 'then the route prefix');
    // with most of the codebase under frontend/, it names nothing
    const mostly = { ...facts, files: [...frontend, ...server.map((f) => f.replace('core/server/', 'core/frontend/'))].map(file) };
    assert.equal(nameCandidates(frontend, mostly)[0], 'content');
  });

  test('a Redis key prefix names a service by its prefix, not by the store', () => {
    const facts = { ...shopFacts(), routes: [], tables: [
      { file: 'src/lib/index.ts', function: 'warm', table: 'redis:product:', access: 'write' as const, line: 3, via: 'redis' as const },
    ] };
    assert.deepEqual(nameCandidates(['src/lib/index.ts'], facts), ['product']);
  });

  test('writing the HTTP session names no service: logging in is not what a service holds', () => {
    const facts = { ...shopFacts(), routes: [], tables: [
      { file: 'src/lib/index.ts', function: 'login', table: 'redis:shop:', access: 'write' as const, line: 3, via: 'session' as const },
      { file: 'src/lib/index.ts', function: 'login', table: 'redis:shop:', access: 'write' as const, line: 4, via: 'session' as const },
      { file: 'src/lib/index.ts', function: 'login', table: 'accounts', access: 'write' as const, line: 5, via: 'sql' as const },
    ] };
    assert.deepEqual(nameCandidates(['src/lib/index.ts'], facts), ['accounts']);
  });
});

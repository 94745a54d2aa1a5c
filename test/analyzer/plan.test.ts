// The plan contract: schema, table ownership, cross-service calls, waves, and the proxy config emitted from it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planFromFacts } from '../../analyzer/pipeline.ts';
import { extractionWaves, planSchema, toProxyConfig } from '../../analyzer/plan.ts';
import { DEFAULT_REDACT } from '../../proxy/store/redact.ts';
import fc from 'fast-check';
import { assignRouteIds, routeAction } from '../../analyzer/route-id.ts';
import { parseConfig } from '../../proxy/config.ts';
import { shopFacts } from './shop-facts.ts';
import type { ForeignKey } from '../../analyzer/extract/types.ts';
import { renderMarkdown } from '../../analyzer/report/markdown.ts';
import { renderHtml } from '../../analyzer/report/html.ts';
import { formatSummary } from '../../analyzer/report/summary.ts';

const plan = planFromFacts(shopFacts(), { rootLabel: 'shop' });

describe('plan.json schema', () => {
  test('a built plan passes its own schema and survives a JSON round trip', () => {
    const parsed = planSchema.parse(JSON.parse(JSON.stringify(plan)));
    assert.deepEqual(parsed, plan);
    assert.equal(plan.version, 1);
    assert.equal(plan.root, 'shop');
  });

  test('the schema refuses another version, a missing section or a malformed route id', () => {
    assert.equal(planSchema.safeParse({ ...plan, version: 2 }).success, false);
    const { services: _s, ...noServices } = plan;
    assert.equal(planSchema.safeParse(noServices).success, false);
    const bad = structuredClone(plan);
    bad.services[0].routes[0].id = 'no dots here';
    assert.equal(planSchema.safeParse(bad).success, false);
  });

  test('summary counts the facts', () => {
    assert.deepEqual(plan.summary, { files: 15, loc: 600, routes: 11, tables: 7, services: 4, kernelFiles: 3, unresolvedRoutes: 1, unresolvedCalls: 3 });
  });
});

describe('services, tables and calls', () => {
  const svc = (name: string) => plan.services.find((s) => s.name === name)!;

  test('each service lists its routes, tables owned, read and written', () => {
    assert.deepEqual(svc('orders').tables, { owned: ['order_items', 'orders'], read: ['books', 'order_items', 'orders'], written: ['order_items', 'orders', 'stock'] });
    assert.deepEqual(svc('orders').routes.map((r) => r.id), ['orders.getOrders', 'orders.createOrder', 'orders.cancelOrder']);
    assert.deepEqual(svc('inventory').tables.owned, ['stock']);
  });

  test('a table written by two services is shared, owned by the main writer, the other goes through its API', () => {
    const stock = plan.sharedTables.find((t) => t.table === 'stock')!;
    assert.deepEqual(stock.writers, ['inventory', 'orders']);
    assert.equal(stock.recommendation.owner, 'inventory');
    assert.deepEqual(stock.recommendation.viaApi, ['orders']);
    const books = plan.sharedTables.find((t) => t.table === 'books')!;
    assert.deepEqual(books.writers, ['catalog']);
    assert.deepEqual(books.readers, ['catalog', 'orders']);
    assert.equal(plan.sharedTables.some((t) => t.table === 'customers'), false);
  });

  test('dependencies carry calls, imports and the other side’s tables', () => {
    const toInventory = svc('orders').dependsOn.find((d) => d.service === 'inventory')!;
    assert.deepEqual(toInventory, { service: 'inventory', calls: 3, imports: 1, tables: ['stock'] });
    assert.deepEqual(svc('inventory').usedBy.map((d) => d.service), ['orders']);
  });

  test('cross-service calls list caller, callee and count, busiest first', () => {
    assert.deepEqual(plan.crossServiceCalls, [
      { from: 'orders', to: 'inventory', caller: 'orders/orders.ts#handler', callee: 'inventory/inventory.ts#reserve', count: 3 },
      { from: 'orders', to: 'customers', caller: 'orders/orders.ts#handler', callee: 'customers/customers.ts#find', count: 1 },
    ]);
  });

  test('waves go leaves first: orders, which nothing depends on, before what it calls', () => {
    assert.deepEqual(plan.waves.map((w) => w.services), [['orders'], ['catalog', 'customers', 'inventory']]);
    assert.equal(plan.services.find((s) => s.name === 'orders')!.wave, 1);
  });

  test('a cycle is broken at its service with the fewest inbound dependencies', () => {
    const dep = (service: string) => ({ service, calls: 1, imports: 0, tables: [] });
    const deps = new Map([
      ['a\u0000b', dep('b')],
      ['b\u0000a', dep('a')],
      ['c\u0000a', dep('a')],
      ['d\u0000c', dep('c')],
    ]);
    // after d and c, a and b depend on each other with one inbound each; a writes shared tables, so b goes first
    const waves = extractionWaves(['a', 'b', 'c', 'd'], deps, new Map([['a', 2]]));
    assert.deepEqual(waves.map((w) => w.services), [['d'], ['c'], ['b'], ['a']]);
    assert.match(waves[2].reason, /cycle a ↔ b/);
    assert.deepEqual(extractionWaves(['a', 'b', 'c', 'd'], deps, new Map()).map((w) => w.services), [['d'], ['c'], ['a'], ['b']]);
  });

  test('warnings name unresolved routes and calls', () => {
    assert.ok(plan.warnings.some((w) => w.kind === 'unresolved-route' && w.file === 'app.ts:30'));
    assert.ok(plan.warnings.some((w) => w.kind === 'unresolved-calls' && /3 of 63/.test(w.message)));
  });

  test('a route handled by shared-kernel code stays on the monolith, with a warning', () => {
    const facts = shopFacts();
    facts.routes.push({ method: 'GET', path: '/health', file: 'app.ts', line: 3, middleware: [], handler: { kind: 'inline', file: 'app.ts', name: 'health' } });
    const p = planFromFacts(facts);
    assert.deepEqual(p.kernel.routes.map((r) => r.path), ['/health']);
    assert.ok(p.warnings.some((w) => w.kind === 'kernel-route'));
    assert.equal(p.services.flatMap((s) => s.routes).some((r) => r.path === '/health'), false);
  });

  test('a route registered inline in the composition root goes to the service owning its path prefix', () => {
    const facts = shopFacts();
    facts.routes.push({ method: 'GET', path: '/api/books/featured', file: 'app.ts', line: 4, middleware: [], handler: { kind: 'inline', file: 'app.ts', name: 'createApp' } });
    const p = planFromFacts(facts);
    assert.ok(p.kernel.files.some((k) => k.file === 'app.ts'));
    assert.ok(p.services.find((s) => s.name === 'catalog')!.routes.some((r) => r.path === '/api/books/featured'));
    assert.deepEqual(p.kernel.routes, []);
  });
});

describe('route ids', () => {
  test('read like the operation', () => {
    assert.equal(routeAction('GET', '/api/books/:id'), 'getBook');
    assert.equal(routeAction('GET', '/api/books'), 'getBooks');
    assert.equal(routeAction('POST', '/api/books'), 'createBook');
    assert.equal(routeAction('POST', '/orders/:id/cancel'), 'cancelOrder');
    assert.equal(routeAction('GET', '/books/:id/reviews'), 'getBookReviews');
    assert.equal(routeAction('DELETE', '/categories/:id'), 'deleteCategory');
    assert.equal(routeAction('GET', '/'), 'getRoot');
    assert.equal(routeAction('POST', '/books/:bookId/reviews'), 'createBookReview');
    assert.equal(routeAction('POST', '/payments/:id/refund'), 'refundPayment');
    assert.equal(routeAction('POST', '/login'), 'login');
    assert.equal(routeAction('POST', '/api/logout'), 'logout');
  });

  test('a segment with no letter or digit (/_, /-, /café\'s é) names nothing, and never throws', () => {
    assert.equal(routeAction('POST', '/_'), 'createRoot');
    assert.equal(routeAction('POST', '/-'), 'createRoot');
    assert.equal(routeAction('POST', '/orders/:id/ç'), 'createOrder');
    assert.equal(routeAction('POST', '/a/:id/-'), 'createA');
  });

  test('any route gets an id the plan schema takes and the admin API can address in a URL', () => {
    const segment = fc.oneof(fc.constantFrom('books', ':id', '*', '.', '..', '_', '-', 'ç', '%2F', 'a?b', '#', 'orders', 'login'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'ALL', 'HEAD', 'OPTIONS'), fc.array(segment, { maxLength: 4 }), (method, segments) => {
        const [{ id }] = assignRouteIds([{ service: 'catalog', method, path: `/${segments.join('/')}` }]);
        assert.match(id, /^[a-z0-9-]+\.[A-Za-z0-9]+$/);
      }),
    );
  });

  test('are unique across the plan', () => {
    const ids = plan.services.flatMap((s) => s.routes.map((r) => r.id));
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('strangler.config.json', () => {
  const config = toProxyConfig(plan);

  test('every route of the plan, in mode legacy, with its candidate service', () => {
    const planned = plan.services.flatMap((s) => s.routes.map((r) => `${r.method} ${r.path} ${s.name}`)).sort();
    assert.deepEqual(config.routes.map((r) => `${r.method} ${r.path} ${r.service}`).sort(), planned);
    assert.ok(config.routes.every((r) => r.mode === 'legacy'));
  });

  test('placeholder URLs per service and the monolith on 3000', () => {
    assert.equal(config.legacy.url, 'http://127.0.0.1:3000');
    assert.deepEqual(Object.values(config.services).map((s) => s.url), ['http://127.0.0.1:4001', 'http://127.0.0.1:4002', 'http://127.0.0.1:4003', 'http://127.0.0.1:4004']);
    assert.equal(config.services.catalog.owner, 'team-catalog');
  });

  test('literal paths come before parameter paths (first match wins)', () => {
    const facts = shopFacts();
    facts.routes.push({ method: 'GET', path: '/api/books/search', file: 'catalog/routes.ts', line: 50, middleware: [], handler: { kind: 'inline', file: 'catalog/routes.ts', name: 's' } });
    const cfg = toProxyConfig(planFromFacts(facts));
    const paths = cfg.routes.map((r) => r.path);
    assert.ok(paths.indexOf('/api/books/search') < paths.indexOf('/api/books/:id'));
  });

  test("frameworks' path syntax becomes proxy rules; a path no rule can say is left out of the config with a warning", () => {
    const facts = shopFacts();
    const route = (path: string, line: number): (typeof facts.routes)[number] =>
      ({ method: 'GET', path, file: 'catalog/routes.ts', line, middleware: [], handler: { kind: 'inline', file: 'catalog/routes.ts', name: 'h' } });
    facts.routes.push(route('/api/books/:id/reviews/:rid?', 70), route('/api/books/:isbn(\\d{13})/cover', 71), route('/api/books/files/:path(.*)', 72), route('/api/books/:from-:to', 73));
    const crafted = planFromFacts(facts);
    const cfg = toProxyConfig(crafted);
    const rules = cfg.routes.filter((r) => r.path.includes('/reviews') || r.path.includes('/cover') || r.path.includes('/files'));
    assert.deepEqual(rules.map((r) => r.path).sort(), ['/api/books/:id/reviews', '/api/books/:id/reviews/:rid', '/api/books/:isbn/cover', '/api/books/files/*path']);
    const reviews = rules.filter((r) => r.path.includes('/reviews')).map((r) => r.id).sort();
    assert.equal(reviews[1], `${reviews[0]}.2`, 'the optional part written out: a second rule with its own id');
    assert.ok(!cfg.routes.some((r) => r.path.includes(':from')));
    assert.equal(parseConfig(JSON.parse(JSON.stringify(cfg))).routes.length, cfg.routes.length, 'the proxy loads every rule');
    const warned = crafted.warnings.filter((w) => w.file === 'catalog/routes.ts:73');
    assert.equal(warned.length, 1);
    assert.match(warned[0].message, /`\/api\/books\/:from-:to` cannot be written as a proxy rule/);
    assert.ok(crafted.services.some((s) => s.routes.some((r) => r.path === '/api/books/:from-:to')), 'it stays in the plan');
  });

  test('a route path with control or bidi characters is left out, with a warning that shows it', () => {
    const facts = shopFacts();
    const route = (path: string, line: number): (typeof facts.routes)[number] =>
      ({ method: 'GET', path, file: 'catalog/routes.ts', line, middleware: [], handler: { kind: 'inline', file: 'catalog/routes.ts', name: 'h' } });
    facts.routes.push(route('/api/books/x\r\n| a | b |', 60), route('/api/books/\u202etxt.exe', 61), route('/api/app\x1b[2J', 62));
    const crafted = planFromFacts(facts);
    const cfg = toProxyConfig(crafted);
    assert.equal(cfg.routes.length, 11);
    assert.ok(cfg.routes.every((r) => !/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(r.path)));
    assert.equal(parseConfig(JSON.parse(JSON.stringify(cfg))).routes.length, 11);
    assert.equal(crafted.services.flatMap((s) => s.routes).length + crafted.kernel.routes.length, 11);
    assert.deepEqual([crafted.summary.routes, crafted.summary.unresolvedRoutes], [11, 4]);
    const warned = crafted.warnings.filter((w) => w.kind === 'unresolved-route' && w.file !== 'app.ts:30');
    assert.deepEqual(warned.map((w) => w.file), ['catalog/routes.ts:60', 'catalog/routes.ts:61', 'catalog/routes.ts:62']);
    assert.ok(warned[0].message.includes('`/api/books/x\\r\\n| a | b |`'), warned[0].message);
    assert.ok(warned[1].message.includes('`/api/books/\\u202etxt.exe`'));
    assert.ok(warned[2].message.includes('`/api/app\\u001b[2J`'));
    assert.match(warned[0].message, /left out of the plan and strangler\.config\.json/);
  });

  test('a plan holding such a path does not pass the schema', () => {
    const bad = structuredClone(plan);
    bad.services[0].routes[0].path = '/api/books\r\n';
    assert.equal(planSchema.safeParse(bad).success, false);
  });

  test('the proxy accepts it as is', () => {
    const parsed = parseConfig(JSON.parse(JSON.stringify(config)));
    assert.equal(parsed.routes.length, 11);
    assert.equal(parsed.version, 1);
    assert.deepEqual(config.redact, DEFAULT_REDACT, 'the emitted redaction is the proxy\'s default, written out');
  });
});

describe('foreign keys across services', () => {
  const fk = (table: string, columns: string[], references: string, extra: Partial<ForeignKey> = {}): ForeignKey => ({
    table, columns, references, referencedColumns: ['id'], file: 'db.ts', line: 10, via: 'sql', ...extra,
  });
  const facts = shopFacts();
  facts.foreignKeys = [
    fk('order_items', ['order_id'], 'orders', { onDelete: 'cascade', line: 11 }), // both orders': not listed
    fk('orders', ['customer_id'], 'customers', { line: 12 }),
    fk('stock', ['book_id'], 'books', { onDelete: 'cascade', line: 13 }),
    fk('order_items', ['book_id'], 'books', { onDelete: 'set null', line: 14 }),
    fk('orders', ['customer_id'], 'customers', { file: 'migrations/001.ts', line: 3, via: 'knex' }), // declared again
    fk('reviews', ['book_id'], 'books', { line: 15 }), // no service touches reviews
  ];
  const keyed = planFromFacts(facts, { rootLabel: 'shop' });

  test('keys between tables of two services are listed once, with their owners and what to do', () => {
    assert.deepEqual(
      keyed.crossServiceForeignKeys.map((k) => [`${k.table}(${k.columns.join()})`, k.owner, k.references, k.referencedOwner, k.onDelete ?? '-', `${k.file}:${k.line}`]),
      [
        ['order_items(book_id)', 'orders', 'books', 'catalog', 'set null', 'db.ts:14'],
        ['orders(customer_id)', 'orders', 'customers', 'customers', '-', 'db.ts:12'],
        ['stock(book_id)', 'inventory', 'books', 'catalog', 'cascade', 'db.ts:13'],
      ],
    );
    const [setNull, plain, cascade] = keyed.crossServiceForeignKeys;
    assert.equal(cascade.advice, 'deleting a books row deletes its stock rows in the database; once books is in the catalog service and stock in the inventory service, catalog must tell inventory (an event) and inventory delete them itself');
    assert.equal(setNull.advice, 'deleting a books row resets order_items.book_id in the database; once books is in the catalog service and order_items in the orders service, catalog must tell orders (an event) and orders reset it itself');
    assert.equal(plain.advice, "once customers is in the customers service, the database can no longer check the customers ids the orders service keeps in orders.customer_id: drop the constraint, and check ids through the customers service's API (or accept a dangling id)");
    assert.deepEqual(planSchema.parse(JSON.parse(JSON.stringify(keyed))), keyed);
  });

  test('facts without keys give none; a plan written before the field existed still reads', () => {
    assert.deepEqual(plan.crossServiceForeignKeys, []);
    const { crossServiceForeignKeys: _k, ...older } = plan;
    assert.deepEqual(planSchema.parse(JSON.parse(JSON.stringify(older))).crossServiceForeignKeys, []);
  });

  test('the reports and the summary show them', () => {
    const md = renderMarkdown(keyed);
    assert.match(md, /## Foreign keys across services\n\nKeys between tables two services own[^\n]*\n\n\| Key \| Owner \| References \| Owner \| On delete \| Declared at \| What to do \|/);
    assert.match(md, /\| `stock\(book_id\)` \| inventory \| `books\(id\)` \| catalog \| cascade \| db\.ts:13 \| deleting a books row/);
    assert.match(renderMarkdown(plan), /## Foreign keys across services\n\n_No declared foreign key crosses a service boundary\._/);
    const html = renderHtml(keyed, '<svg></svg>');
    assert.match(html, /<h2>Foreign keys across services<\/h2>\n<p>Keys between[^<]*<\/p><table class="sortable">/);
    assert.match(html, /<td>stock\(book_id\)<\/td><td>inventory<\/td><td>books\(id\)<\/td><td>catalog<\/td><td>cascade<\/td>/);
    const summary = formatSummary(keyed, []);
    assert.match(summary, /^ {2}keys {5}3 foreign keys across services: order_items → books \(on delete set null\), orders → customers, stock → books \(on delete cascade\)$/m);
    assert.doesNotMatch(formatSummary(plan, []), /foreign key/);
  });
});

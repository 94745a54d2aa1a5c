// Accuracy on the sample monolith: the static facts against the running app (routes), the README's
// table of readers and writers (tables) and dependency-cruiser (import edges).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { createApp } from '../../../legacy-monolith/app.ts';
import { registeredRoutes } from '../../monolith/registered-routes.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MONOLITH = path.join(REPO, 'legacy-monolith');

/** The module a file belongs to: its top folder; root-level files (db, seed, schema, utils) are shared plumbing. */
const moduleOf = (file: string): string | undefined => (file.includes('/') ? file.split('/')[0] : undefined);

describe('sample monolith', () => {
  let facts: Facts;
  before(async () => {
    facts = await extractFacts(MONOLITH);
  });

  test('extracted routes equal the routes the running app registers (method + full path)', () => {
    const { app, close } = createApp();
    try {
      const registered = registeredRoutes(app).map((r) => `${r.method} ${r.path}`).sort();
      const extracted = facts.routes.map((r) => `${r.method} ${r.path}`).sort();
      assert.ok(registered.length >= 40);
      assert.deepEqual(extracted, registered);
      assert.deepEqual(facts.unresolvedRoutes, []);
    } finally {
      close();
    }
  });

  test('auth middleware is found the three ways the monolith applies it', () => {
    const middlewareOf = (method: string, p: string) => facts.routes.find((r) => r.method === method && r.path === p)?.middleware ?? [];
    assert.ok(middlewareOf('GET', '/customers/me').includes('requireAuth'), 'per route');
    assert.ok(middlewareOf('GET', '/cart').includes('requireAuth'), 'router.use(requireAuth)');
    assert.ok(middlewareOf('GET', '/orders').includes('requireAuth'), "app.use('/orders', requireAuth, router)");
    assert.ok(!middlewareOf('GET', '/books').includes('requireAuth'));
  });

  test('every route handler is resolved to a declaration', () => {
    const unresolved = facts.routes.filter((r) => r.handler.kind === 'unresolved').map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(unresolved, []);
  });

  test('every table of the README is found, with the right modules reading and writing it', () => {
    // The README's table, module by module. Four README cells name a reader that only DELETEs from the
    // table (catalog: stock, cart_items, reviews; customers: sessions); the extractor counts a DELETE as
    // a write, not a read, so those readers are left out here (catalog reads reviews only through
    // reviews/ratings.ts, a call, which the call facts carry).
    const expected: Record<string, { read: string[]; write: string[] }> = {
      books: { read: ['cart', 'catalog', 'orders', 'recommendations', 'reporting', 'reviews'], write: ['catalog'] },
      authors: { read: ['catalog', 'reporting'], write: ['catalog'] },
      categories: { read: ['catalog', 'recommendations', 'reporting'], write: ['catalog'] },
      reviews: { read: ['reviews'], write: ['catalog', 'reviews'] },
      stock: { read: ['fulfillment', 'inventory', 'orders', 'reporting'], write: ['catalog', 'fulfillment', 'inventory'] },
      reservations: { read: ['fulfillment', 'inventory'], write: ['fulfillment', 'inventory'] },
      fulfillment_centers: { read: ['catalog', 'fulfillment', 'inventory'], write: [] },
      customers: { read: ['customers', 'middleware', 'recommendations', 'reviews'], write: ['customers'] },
      addresses: { read: ['customers'], write: ['customers'] },
      sessions: { read: ['middleware'], write: ['customers'] },
      cart_items: { read: ['cart'], write: ['cart', 'catalog'] },
      orders: { read: ['orders', 'recommendations', 'reporting'], write: ['fulfillment', 'orders'] },
      order_items: { read: ['catalog', 'orders', 'recommendations', 'reporting'], write: ['orders'] },
      payments: { read: ['payments'], write: ['payments'] },
      shipments: { read: ['fulfillment'], write: ['fulfillment'] },
    };
    const readme = readFileSync(path.join(MONOLITH, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Who reads and writes'));
    const readmeTables = [...section.matchAll(/^\| ([a-z_, ]+) \| [a-z]+ \|/gm)].flatMap((m) => m[1].split(',').map((t) => t.trim())).filter((t) => t !== 'table');
    assert.deepEqual([...readmeTables].sort(), Object.keys(expected).sort(), 'the README lists the same tables');

    const actual: Record<string, { read: Set<string>; write: Set<string> }> = {};
    for (const t of facts.tables) {
      const mod = moduleOf(t.file);
      if (!mod) continue;
      actual[t.table] ??= { read: new Set(), write: new Set() };
      actual[t.table][t.access].add(mod);
    }
    const shape = Object.fromEntries(Object.entries(actual).map(([t, a]) => [t, { read: [...a.read].sort(), write: [...a.write].sort() }]));
    assert.deepEqual(shape, expected);
    const declared = new Set((facts.schema ?? []).map((s) => s.table));
    for (const table of Object.keys(expected)) assert.ok(declared.has(table), `${table} is declared in schema.ts`);
  });

  test('import edges equal dependency-cruiser’s (--ts-pre-compilation-deps)', async () => {
    const result = await cruise(['legacy-monolith'], {
      baseDir: REPO,
      tsPreCompilationDeps: true,
      exclude: { path: 'node_modules' },
      doNotFollow: { path: 'node_modules' },
    });
    const output = result.output;
    assert.ok(typeof output !== 'string');
    const strip = (p: string) => p.replace(/^legacy-monolith\//, '');
    const theirs = new Set<string>();
    for (const m of output.modules) {
      if (!m.source.startsWith('legacy-monolith/')) continue;
      for (const d of m.dependencies) {
        if (d.coreModule || d.couldNotResolve || !d.resolved.startsWith('legacy-monolith/')) continue;
        theirs.add(`${strip(m.source)} -> ${strip(d.resolved)}`);
      }
    }
    const ours = new Set(facts.imports.map((e) => `${e.from} -> ${e.to}`));
    assert.ok(theirs.size > 50);
    assert.deepEqual([...ours].sort(), [...theirs].sort());
  });
});

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
    // The README's table, parsed: one row per table, "read by" and "written by" cells as module lists
    // (parenthesised remarks dropped, "middleware/auth" is the middleware module, "—" is nobody).
    const readme = readFileSync(path.join(MONOLITH, 'README.md'), 'utf8');
    const from = readme.indexOf('## Who reads and writes');
    const section = readme.slice(from, readme.indexOf('\n## ', from + 1));
    const modules = (cell: string): string[] =>
      cell
        .replace(/\([^)]*\)/g, '')
        .split(',')
        .map((m) => m.trim().split('/')[0])
        .filter((m) => m !== '' && m !== '—')
        .sort();
    const expected: Record<string, { read: string[]; write: string[] }> = {};
    for (const m of section.matchAll(/^\| ([a-z_]+) \| [a-z]+ \| ([^|]*) \| ([^|]*) \|$/gm)) {
      if (m[1] !== 'table') expected[m[1]] = { read: modules(m[2]), write: modules(m[3]) };
    }
    assert.equal(Object.keys(expected).length, 15, 'the README lists the 15 tables');

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

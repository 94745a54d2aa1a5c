import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf } from './fixture.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';

const edgeList = (facts: Facts) => facts.imports.map((e) => `${e.from} -> ${e.to} ${e.kind}${e.typeOnly ? ' type' : ''} '${e.specifier}'`).sort();
const externalsOf = (facts: Facts, file: string) => facts.files.find((f) => f.path === file)?.externals;

describe('imports: ESM, re-exports, extension-less and .js specifiers, import(), type-only', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('esm-reexports');
  });

  test('every edge, with its kind and type-only flag', () => {
    assert.deepEqual(edgeList(facts), [
      "src/app.ts -> src/lib/index.ts static './lib'",
      "src/app.ts -> src/lib/math.ts dynamic './lib/math'",
      "src/app.ts -> src/lib/types.ts static type './lib/types'",
      "src/lib/index.ts -> src/lib/math.ts re-export './math'",
      "src/lib/index.ts -> src/lib/math.ts re-export './math.js'",
      "src/lib/index.ts -> src/lib/types.ts re-export type './types'",
    ]);
  });

  test('packages are listed per file, node built-ins are not, neither become edges', () => {
    assert.deepEqual(externalsOf(facts, 'src/app.ts'), ['express']);
    assert.ok(!facts.imports.some((e) => e.specifier === 'express' || e.specifier === 'node:fs'));
  });

  test('lines point at the import', () => {
    const dynamic = facts.imports.find((e) => e.kind === 'dynamic');
    assert.equal(dynamic?.line, 7);
  });
});

describe('imports: CommonJS require', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('cjs-require');
  });

  test('require() edges, with and without extension, from .js and .cjs files', () => {
    assert.deepEqual(edgeList(facts), [
      "index.cjs -> lib/books.js require './lib/books'",
      "lib/books.js -> lib/db.js require './db'",
      "lib/books.js -> lib/db.js require './db.js'",
    ]);
    assert.deepEqual(externalsOf(facts, 'lib/db.js'), ['better-sqlite3']);
  });

  test('a relative require that resolves nowhere is a warning naming file and line, not an edge', () => {
    assert.deepEqual(facts.warnings, [{ file: 'index.cjs', message: "index.cjs:2: cannot resolve './lib/nope'" }]);
  });

  test('JSON that require() finds (./defaults → defaults.json, ./limits.json, a folder\'s index.json) is neither an edge nor a warning', () => {
    assert.ok(facts.files.some((f) => f.path === 'lib/settings.js'));
    assert.ok(!facts.imports.some((e) => e.from === 'lib/settings.js'), JSON.stringify(facts.imports));
    assert.ok(!facts.warnings.some((w) => w.file === 'lib/settings.js'), JSON.stringify(facts.warnings));
    assert.deepEqual(externalsOf(facts, 'lib/settings.js'), []);
  });

  test('file facts: language, size and non-blank lines', () => {
    const index = facts.files.find((f) => f.path === 'index.cjs');
    assert.equal(index?.language, 'cjs');
    assert.equal(index?.loc, 6);
    assert.equal(index?.size, 175);
  });
});

describe('imports: tsconfig paths', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('tsconfig-paths');
  });

  test('path aliases resolve to project files, with and without extension', () => {
    assert.deepEqual(edgeList(facts), [
      "src/features/orders/index.ts -> src/features/orders/total.ts re-export './total.js'",
      "src/features/orders/total.ts -> src/shared/money.ts static '@shared/money'",
      "src/main.ts -> src/features/orders/index.ts static '@orders'",
      "src/main.ts -> src/shared/money.ts static '@shared/money.js'",
    ]);
  });

  test('deep and scoped package imports are listed by package name', () => {
    assert.deepEqual(externalsOf(facts, 'src/main.ts'), ['@scope/pkg', 'lodash']);
  });
});

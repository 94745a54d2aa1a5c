// Migrations and seeds in the plan: set aside from the cut, the kernel, table ownership and the metrics; listed apart.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../../common/user-error.ts';
import { analyze } from '../../analyzer/index.ts';
import { extractFacts } from '../../analyzer/extract/index.ts';
import type { Facts } from '../../analyzer/extract/types.ts';
import { planFromFacts } from '../../analyzer/pipeline.ts';
import { planSchema, type Plan } from '../../analyzer/plan.ts';
import { renderHtml } from '../../analyzer/report/html.ts';
import { renderMarkdown } from '../../analyzer/report/markdown.ts';
import { formatSummary } from '../../analyzer/report/summary.ts';
import { fixture } from './extract/fixture.ts';

/** The facts of a copy of the fixture from which the migration and seed files were deleted. */
async function factsWithoutMigrationFiles(root: string, files: readonly string[]): Promise<Facts> {
  const copy = mkdtempSync(path.join(tmpdir(), 'strangler-no-migrations-'));
  try {
    cpSync(root, copy, { recursive: true });
    for (const f of files) rmSync(path.join(copy, f));
    return await extractFacts(copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const MIGRATIONS = [
  'db/migrations/20240101_init.js',
  'db/migrations/20240201_prices.ts',
  'db/migrations/20240301-archive-orders.js',
  'db/migrations/add-order-notes.js',
  'db/migrations/lib/columns.js',
  'db/migrations/lib/helpers.js',
  'db/seeders/demo-orders.js',
  'db/seeds/01_books.js',
  'typeorm/migration/AddReviews.ts',
];

let facts: Facts;
let plan: Plan;
/** the fixture's facts with its migration and seed files deleted from a copy */
let bareFacts: Facts;
before(async () => {
  facts = await extractFacts(fixture('migrations-app'));
  plan = planFromFacts(facts);
  bareFacts = await factsWithoutMigrationFiles(fixture('migrations-app'), MIGRATIONS);
});

describe('migrations in the plan', () => {
  test('no migration or seed file is in a service or the shared kernel; plan.migrations lists them by folder', () => {
    const placed = [...plan.services.flatMap((s) => s.files), ...plan.kernel.files.map((k) => k.file)];
    assert.deepEqual(placed.filter((f) => MIGRATIONS.includes(f)), []);
    assert.deepEqual(placed.sort(), facts.files.map((f) => f.path).filter((f) => !MIGRATIONS.includes(f)).sort());
    assert.deepEqual(plan.migrations, {
      folders: [
        { folder: 'db/migrations', files: 6 },
        { folder: 'db/seeders', files: 1 },
        { folder: 'db/seeds', files: 1 },
        { folder: 'typeorm/migration', files: 1 },
      ],
      files: MIGRATIONS,
    });
  });

  test('the cut, the kernel, table ownership and the metrics are those of the code without its migrations', () => {
    const bare = planFromFacts(bareFacts);
    assert.deepEqual(bare.migrations.files, []);
    assert.deepEqual(plan.services, bare.services);
    assert.deepEqual(plan.kernel, bare.kernel);
    assert.deepEqual(plan.sharedTables, bare.sharedTables);
    assert.deepEqual(plan.metrics, bare.metrics);
    assert.deepEqual(plan.waves, bare.waves);
  });

  test('a table only migrations and seeds write has no service; one app code reads is owned by its reader, not shared with a migration', () => {
    const tablesOf = plan.services.flatMap((s) => [...s.tables.owned, ...s.tables.read, ...s.tables.written]);
    for (const t of ['audit_log', 'orders_archive']) assert.equal(tablesOf.includes(t), false, `${t} belongs to a service`);
    const prices = plan.services.filter((s) => s.tables.owned.includes('prices'));
    assert.deepEqual(prices.map((s) => s.files.includes('catalog/2024-prices.js')), [true]);
    assert.equal(plan.sharedTables.some((t) => t.table === 'prices' || t.table === 'orders'), false);
  });

  test('foreign keys declared in migrations still cross the services that own their tables', () => {
    const pinned = planFromFacts(facts, { pins: [{ pattern: 'catalog/**', service: 'catalog' }, { pattern: 'orders/**', service: 'orders' }] });
    assert.deepEqual(
      pinned.crossServiceForeignKeys.map((k) => `${k.table} (${k.owner}) -> ${k.references} (${k.referencedOwner}) ${k.file}:${k.line}`),
      ['orders (orders) -> books (catalog) db/migrations/20240101_init.js:9'],
    );
  });

  test('a pin that matches only migration files says they are set aside', () => {
    assert.throws(
      () => planFromFacts(facts, { pins: [{ pattern: 'db/seeds/**', service: 'catalog' }] }),
      (err: unknown) =>
        err instanceof UserError &&
        err.message === 'pin "db/seeds/**=catalog" matches only database migration or seed files (db/seeds/01_books.js), which are set aside from the services; pin application code',
    );
  });

  test('a plan written before plan.migrations reads as none', () => {
    const { migrations: _m, ...old } = planFromFacts(bareFacts);
    assert.deepEqual(planSchema.parse(old).migrations, { folders: [], files: [] });
  });

  test('the terminal summary and both reports say, in one line, how many were set aside and why', () => {
    const why = 'schema history, not service code; read for the tables and keys they declare, not cut into services';
    const summary = formatSummary(plan, []).split('\n');
    assert.ok(summary.includes(`  set aside 9 database migration and seed files (db/migrations 6, db/seeders 1, db/seeds 1, typeorm/migration 1): ${why}`), summary.join('\n'));
    const md = renderMarkdown(plan).split('\n');
    assert.ok(md.includes(`9 database migration and seed files set aside (\`db/migrations\` 6, \`db/seeders\` 1, \`db/seeds\` 1, \`typeorm/migration\` 1): ${why}.`), 'report.md');
    const html = renderHtml(plan, '<svg></svg>');
    assert.ok(html.includes(`<p>9 database migration and seed files set aside (<code>db/migrations</code> 6, <code>db/seeders</code> 1, <code>db/seeds</code> 1, <code>typeorm/migration</code> 1): ${why}.</p>`), 'report.html');
    const bare = planFromFacts(bareFacts);
    assert.doesNotMatch(formatSummary(bare, []) + renderMarkdown(bare) + renderHtml(bare, ''), /set aside/);
  });
});

describe('migrations in the plan: what the user says', () => {
  test('analyze() passes the globs to the extractor: a file said to be a migration is in no service, one said not to be is in one', async () => {
    const { facts: said, plan: saidPlan } = await analyze(fixture('migrations-app'), {
      migrations: ['catalog/2024-prices.js'],
      notMigrations: ['typeorm/migration'],
      pinsFile: false,
    });
    const placed = (p: Plan): string[] => [...p.services.flatMap((s) => s.files), ...p.kernel.files.map((k) => k.file)];
    assert.equal(placed(saidPlan).includes('catalog/2024-prices.js'), false);
    assert.equal(placed(saidPlan).includes('typeorm/migration/AddReviews.ts'), true);
    assert.deepEqual(saidPlan.migrations.files, [...MIGRATIONS.filter((f) => !f.startsWith('typeorm/')), 'catalog/2024-prices.js'].sort());
    assert.deepEqual(said.warnings, facts.warnings);
  });
});

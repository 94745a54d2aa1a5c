// Database migrations and seeds among the source files (facts.migrations): a migrations/seeds folder and a migration's
// shape both needed; app code in such a folder, and migration-like code outside one, stays app code.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { factsOf } from './fixture.ts';
import { tempProjects } from './temp-project.ts';

/** One file per line: `file kind (by, folder)`. */
const migrations = (facts: Facts): string[] => (facts.migrations ?? []).map((m) => `${m.file} ${m.kind} (${m.by}, ${m.folder})`);

describe('migrations and seeds: which files', () => {
  test('knex, Sequelize and TypeORM migrations, knex seeds, Sequelize seeders, a versioned file made by a helper, the helpers only migrations use', async () => {
    const facts = await factsOf('migrations-app');
    assert.deepEqual(migrations(facts), [
      'db/migrations/20240101_init.js migration (exports, db/migrations)',
      'db/migrations/20240201_prices.ts migration (exports, db/migrations)',
      'db/migrations/20240301-archive-orders.js migration (name, db/migrations)',
      'db/migrations/add-order-notes.js migration (exports, db/migrations)',
      'db/migrations/lib/columns.js migration (helper, db/migrations)',
      'db/migrations/lib/helpers.js migration (helper, db/migrations)',
      'db/seeders/demo-orders.js seed (exports, db/seeders)',
      'db/seeds/01_books.js seed (exports, db/seeds)',
      'typeorm/migration/AddReviews.ts migration (class, typeorm/migration)',
    ]);
  });

  test('app code stays: a migration/ feature module, its route handler named up and its versioned-looking file app code imports, up/down exports and a year-named file outside, a migrations file app code imports', async () => {
    const set = new Set((await factsOf('migrations-app')).migrations?.map((m) => m.file));
    assert.ok(set.has('db/migrations/lib/helpers.js') && set.has('db/migrations/add-order-notes.js'), `found: ${[...set].join(', ')}`);
    for (const file of ['migration/routes.js', 'migration/importer.js', 'migration/health.js', 'migration/3dcart.js', 'orders/status.js', 'catalog/2024-prices.js', 'db/migrations/lib/names.js', 'db.js']) {
      assert.equal(set.has(file), false, `${file} taken for a migration`);
    }
  });

  test('migrations stay in the facts: their files, their table accesses and the foreign keys they declare', async () => {
    const facts = await factsOf('migrations-app');
    const files = facts.files.map((f) => f.path);
    for (const m of facts.migrations ?? []) assert.ok(files.includes(m.file), `${m.file} not in facts.files`);
    assert.ok(facts.tables.some((t) => t.file === 'db/migrations/20240201_prices.ts' && t.table === 'prices' && t.access === 'write'));
    assert.ok(facts.tables.some((t) => t.file === 'db/seeds/01_books.js' && t.table === 'books' && t.access === 'write'));
    assert.deepEqual(
      (facts.foreignKeys ?? []).map((k) => `${k.table} -> ${k.references} ${k.file}:${k.line}`),
      ['orders -> books db/migrations/20240101_init.js:9', 'prices -> books db/migrations/20240201_prices.ts:5', 'reviews -> books typeorm/migration/AddReviews.ts:6'],
    );
  });
});

describe('migrations and seeds: the shapes', () => {
  const project = tempProjects('migrations');
  const found = async (files: Record<string, string>): Promise<string[]> => migrations(await extractFacts(project(files)));

  test('up or seed exported every way CommonJS and ESM can: only inside a migrations or seeds folder', async () => {
    const body = {
      'module.exports.up = async () => {};\n': 'a.js',
      'module.exports = { up: up };\nfunction up() {}\n': 'b.js',
      'module.exports = module.exports = { async up() {} };\n': 'c.js',
      'export const up = async () => {};\n': 'd.ts',
      'async function up() {}\nexport { up };\n': 'e.ts',
      'export default { async up() {}, async down() {} };\n': 'f.ts',
      'exports.seed = (knex) => knex("t").insert({});\n': 'g.js',
    };
    const files: Record<string, string> = {};
    for (const [text, name] of Object.entries(body)) {
      files[`migrations/${name}`] = text;
      files[`lib/${name}`] = text;
    }
    assert.deepEqual(await found(files), [
      'migrations/a.js migration (exports, migrations)',
      'migrations/b.js migration (exports, migrations)',
      'migrations/c.js migration (exports, migrations)',
      'migrations/d.ts migration (exports, migrations)',
      'migrations/e.ts migration (exports, migrations)',
      'migrations/f.ts migration (exports, migrations)',
      'migrations/g.js seed (exports, migrations)',
    ]);
  });

  test("a class extending MikroORM's Migration or implementing TypeORM's MigrationInterface with an up method; another class is not one", async () => {
    assert.deepEqual(
      await found({
        'src/migrations/Users.ts': "import { Migration } from '@mikro-orm/migrations';\nexport class Users extends Migration { async up() {} }\n",
        'src/migrations/Runner.ts': 'export class Runner { async up() {} async down() {} }\n',
        'src/migrations/Base.ts': "import { MigrationInterface } from 'typeorm';\nexport abstract class Base implements MigrationInterface { abstract name: string }\n",
      }),
      ['src/migrations/Users.ts migration (class, src/migrations)'],
    );
  });

  test('a versioned name (digits first, or MikroORM\'s Migration<digits>) whatever its body; other names need a shape', async () => {
    assert.deepEqual(
      await found({
        'data/migrations/versions/5.0/2022-05-03-15-30-final-v4.js': "module.exports = require('../../utils').final(4);\n",
        'data/migrations/utils/index.js': 'module.exports = { final: (n) => ({ n }) };\n',
        'migrations/Migration20240101120000.ts': 'export default {};\n',
        'migrations/notes.md.js': 'module.exports = {};\n',
        'seeders/readme.js': '// nothing\n',
      }),
      [
        'data/migrations/utils/index.js migration (helper, data/migrations)',
        'data/migrations/versions/5.0/2022-05-03-15-30-final-v4.js migration (name, data/migrations)',
        'migrations/Migration20240101120000.ts migration (name, migrations)',
      ],
    );
  });

  test('a file that registers or handles a route is never a migration, whatever its folder and shape', async () => {
    assert.deepEqual(
      await found({
        'package.json': '{"dependencies":{"express":"^5.0.0"}}',
        'app.js': "const express = require('express');\nconst app = express();\napp.get('/up', require('./migration/001-health').up);\nrequire('./migration/002-routes')(app);\n",
        'migration/001-health.js': 'exports.up = (req, res) => res.send("ok");\n',
        'migration/002-routes.js': "module.exports = (app) => app.get('/migration', (req, res) => res.send('ok'));\n",
        'migration/003-backfill.js': 'exports.up = async (knex) => knex("orders").update({ state: "new" });\n',
      }),
      ['migration/003-backfill.js migration (exports, migration)'],
    );
  });
});

describe('migrations and seeds: what the user says (migrations / notMigrations globs)', () => {
  const project = tempProjects('migration-overrides');
  const files = {
    'db/migrations/20240101_init.js': "exports.up = (knex) => knex.schema.createTable('orders', (t) => t.increments());\n",
    // a report named by its year in a migrations folder: the name hint takes it, and the helper only it imports
    'db/migrations/2024-report.js': "const fmt = require('./lib/fmt');\nmodule.exports = (rows) => fmt(rows);\n",
    'db/migrations/lib/fmt.js': 'module.exports = (rows) => rows.join(",");\n',
    // a one-off backfill outside any migrations folder, with no runner's shape: the hints miss it
    'scripts/backfill-orders.js': "module.exports = async (knex) => knex('orders').update({ state: 'new' });\n",
    'scripts/backfill-users.js': "module.exports = async (knex) => knex('users').update({ active: true });\n",
    'scripts/report.js': "module.exports = (knex) => knex('orders').select();\n",
  };

  test('by default the hints decide: the year-named report and its helper are taken, the backfills are not', async () => {
    assert.deepEqual(migrations(await extractFacts(project(files))), [
      'db/migrations/2024-report.js migration (name, db/migrations)',
      'db/migrations/20240101_init.js migration (exports, db/migrations)',
      'db/migrations/lib/fmt.js migration (helper, db/migrations)',
    ]);
  });

  test('notMigrations keeps a file in the graph (and the helper only it imported); migrations sets a file aside wherever it is', async () => {
    const facts = await extractFacts(project(files), { notMigrations: ['db/migrations/2024-report.js'], migrations: ['./scripts/backfill-*.js'] });
    assert.deepEqual(migrations(facts), [
      'db/migrations/20240101_init.js migration (exports, db/migrations)',
      'scripts/backfill-orders.js migration (option, scripts)',
      'scripts/backfill-users.js migration (option, scripts)',
    ]);
    assert.deepEqual(facts.warnings, []);
  });

  test('a folder covers what is under it; a file both globs match stays in the graph; a seeds folder makes a seed', async () => {
    const root = project({ ...files, 'db/seeds/load.js': "module.exports = (knex) => knex('orders').insert({});\n" });
    const facts = await extractFacts(root, { notMigrations: ['db/migrations', 'scripts/report.js'], migrations: ['scripts', 'db/seeds/*.js'] });
    assert.deepEqual(migrations(facts), [
      'db/seeds/load.js seed (option, db/seeds)',
      'scripts/backfill-orders.js migration (option, scripts)',
      'scripts/backfill-users.js migration (option, scripts)',
    ]);
  });

  test('a glob that matches nothing is a warning naming it, and the run goes on', async () => {
    const facts = await extractFacts(project(files), { migrations: ['scripts/backfil-*.js'], notMigrations: ['db/migrations/2023-*.js', 'scripts/report.js'] });
    assert.deepEqual(migrations(facts).length, 3);
    assert.deepEqual(facts.warnings.map((w) => w.message), [
      'migration glob "scripts/backfil-*.js" matches no analysed file; use a path relative to the analysed root',
      'not-migration glob "db/migrations/2023-*.js" matches no analysed file; use a path relative to the analysed root',
      'not-migration glob "scripts/report.js" matches no file taken for a migration or seed: it changes nothing',
    ]);
  });
});

describe('migrations and seeds: seed-data folders only scripts load', () => {
  const project = tempProjects('seed-folders');

  test("a seeds/seeders/fixtures folder only migrations and seeds (seeds/seeders: also scripts nothing imports) load is seed data (Ghost's data generator and schema fixtures); one app code imports stays", async () => {
    const found = migrations(
      await extractFacts(
        project({
          'package.json': '{"dependencies":{"express":"^5.0.0"}}',
          'app.js': "const express = require('express');\nconst books = require('./catalog/books');\nconst app = express();\napp.get('/books', books.list);\napp.post('/import', books.importBooks);\n",
          'catalog/books.js': "const defaults = require('./fixtures/defaults');\nconst plants = require('../shop/seeds/catalog');\nconst importer = require('../data/importer');\nexports.list = (req, res) => res.json([defaults, plants]);\nexports.importBooks = (req, res) => importer.run(req.body).then(() => res.end());\n",
          'catalog/fixtures/defaults.js': 'module.exports = { title: "untitled" };\n',
          'shop/seeds/catalog.js': 'module.exports = ["tomato", "basil"];\n',
          // the content importer a route calls: app code, whatever it does to the tables
          'data/importer/index.js': "exports.run = async (rows) => rows;\n",
          // the development data generator, run from a CLI command nothing imports
          'cli/generate-data.js': "const DataGenerator = require('../data/seeders/data-generator');\nmodule.exports = () => new DataGenerator().importData();\n",
          'data/seeders/data-generator.js': "const importers = require('./importers');\nmodule.exports = class DataGenerator { importData() { return importers.map((i) => i.generate()); } };\n",
          'data/seeders/importers/index.js': "module.exports = [require('./posts-importer')];\n",
          'data/seeders/importers/posts-importer.js': 'module.exports = { generate: () => [] };\n',
          // the fixtures the first migration inserts
          'data/migrations/init/2-create-fixtures.js': "const { fixtureManager } = require('../../schema/fixtures');\nmodule.exports = { up: () => fixtureManager.addAllFixtures() };\n",
          'data/schema/fixtures/index.js': "const FixtureManager = require('./fixture-manager');\nmodule.exports.fixtureManager = new FixtureManager();\n",
          'data/schema/fixtures/fixture-manager.js': 'module.exports = class FixtureManager { addAllFixtures() {} };\n',
          // a seeders folder nothing loads: nothing says it is seed data
          'seeders/readme.js': '// nothing\n',
          // fixtures an entry file loads may be what the app runs on: only migrations and seeds make them seed data
          'server.js': "const countries = require('./config/fixtures/countries');\nrequire('./app').listen(countries.length);\n",
          'config/fixtures/countries.js': 'module.exports = ["fr", "de"];\n',
        }),
      ),
    );
    assert.deepEqual(found, [
      'data/migrations/init/2-create-fixtures.js migration (exports, data/migrations)',
      'data/schema/fixtures/fixture-manager.js seed (script, data/schema/fixtures)',
      'data/schema/fixtures/index.js seed (script, data/schema/fixtures)',
      'data/seeders/data-generator.js seed (script, data/seeders)',
      'data/seeders/importers/index.js seed (script, data/seeders)',
      'data/seeders/importers/posts-importer.js seed (script, data/seeders)',
    ]);
  });
});

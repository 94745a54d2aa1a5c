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

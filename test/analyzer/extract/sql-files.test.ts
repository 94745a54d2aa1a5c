// Tables and foreign keys declared in .sql schema and migration files (facts.schema, facts.foreignKeys, via 'sql').
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDownMigration, schemaInSqlFile } from '../../../analyzer/extract/sql-files.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { analyze } from '../../../analyzer/index.ts';
import { declared, factsOf, fixture } from './fixture.ts';

/** One key per line: `table(columns) -> references(columns) [on delete …] via file:line`. */
const keys = (facts: Facts): string[] =>
  (facts.foreignKeys ?? []).map(
    (k) => `${k.table}(${k.columns.join(', ')}) -> ${k.references}(${k.referencedColumns.join(', ')})${k.onDelete ? ` on delete ${k.onDelete}` : ''} ${k.via} ${k.file}:${k.line}`,
  );

describe('.sql files: schema and migrations', () => {
  test('CREATE TABLE (IF NOT EXISTS, schema-qualified, quoted) on the CREATE line; nothing from comments, strings, function bodies or down halves', async () => {
    const facts = await factsOf('sql-files');
    assert.deepEqual(declared(facts), [
      'order_items sql db/schema.sql:23',
      'orders sql db/schema.sql:17',
      'products sql db/schema.sql:12',
      'reviews sql migrations/002_add_reviews.sql:2',
      'users sql db/schema.sql:6',
      'wishlists sql migrations/003_wishlists/up.sql:1',
    ]);
  });

  test('column REFERENCES, FOREIGN KEY … REFERENCES, ALTER TABLE ONLY … ADD CONSTRAINT, on the REFERENCES line', async () => {
    const facts = await factsOf('sql-files');
    assert.deepEqual(keys(facts), [
      'order_items(order_id) -> orders(id) on delete cascade sql db/schema.sql:29',
      'order_items(product_id) -> products(id) on delete set null sql db/schema.sql:34',
      'orders(user_id) -> users(id) on delete cascade sql db/schema.sql:19',
      'reviews(product_id) -> products(id) on delete cascade sql migrations/002_add_reviews.sql:4',
      'reviews(user_id) -> users(id) on delete set null sql migrations/002_add_reviews.sql:5',
      'wishlists(product_id) -> products(id) sql migrations/003_wishlists/up.sql:3',
      'wishlists(user_id) -> users(id) sql migrations/003_wishlists/up.sql:2',
    ]);
  });

  test('the tables the .sql files declare are the tables the code queries, by the same names', async () => {
    const facts = await factsOf('sql-files');
    const queried = new Set(facts.tables.map((t) => t.table));
    assert.deepEqual([...queried].sort(), ['order_items', 'orders', 'products', 'reviews', 'users']);
    for (const t of queried) assert.ok((facts.schema ?? []).some((s) => s.table === t), `${t} not declared`);
  });

  test('.sql files are not source files: facts.files, imports and calls are the code alone', async () => {
    const facts = await factsOf('sql-files');
    assert.deepEqual(
      facts.files.map((f) => f.path),
      ['app.js', 'catalog/routes.js', 'db.js', 'orders/routes.js', 'users/routes.js'],
    );
    assert.ok(facts.imports.every((e) => !e.to.endsWith('.sql')));
    assert.deepEqual(facts.warnings, []);
  });

  test('a test folder is read with includeTests; node_modules and hidden folders never are', async () => {
    // the fixture's own node_modules (committed despite .gitignore) and .cache hold a CREATE TABLE each
    for (const f of ['node_modules/pg-boss/schema.sql', '.cache/dump.sql']) assert.ok(existsSync(path.join(fixture('sql-files'), f)), f);
    const facts = await factsOf('sql-files', { includeTests: true });
    assert.deepEqual(
      declared(facts).filter((d) => !d.startsWith('order') && !d.startsWith('products') && !d.startsWith('reviews') && !d.startsWith('users') && !d.startsWith('wishlists')),
      ['test_users sql test/seed.sql:1'],
    );
    assert.ok(keys(facts).includes('test_users(user_id) -> users(id) sql test/seed.sql:1'));
    assert.ok(!facts.files.some((f) => f.path.endsWith('.sql')));
  });

  test('a .sql file over the size cap is skipped with the same warning as a source file', async () => {
    const facts = await factsOf('sql-files', { maxFileBytes: 1000 });
    assert.ok(
      facts.warnings.some((w) => w.file === 'db/schema.sql' && /^db\/schema\.sql is \d+ bytes, over the 1000-byte cap, skipped \(raise --max-file-bytes to read it\)$/.test(w.message)),
      JSON.stringify(facts.warnings),
    );
    assert.ok(!(facts.schema ?? []).some((s) => s.file === 'db/schema.sql'));
    assert.ok(declared(facts).includes('reviews sql migrations/002_add_reviews.sql:2'));
  });
});

describe('.sql files: DROP and RENAME applied in file order', () => {
  test('migrations by name: a table renamed by 002 takes its keys along, one dropped by 003 loses them, and 010 comes after both', async () => {
    const facts = await factsOf('sql-files-order');
    // the renamed table is declared where it got its name
    assert.deepEqual(declared(facts), ['books sql migrations/001_init.sql:3', 'reviews sql migrations/010_reviews.sql:1', 'writers sql migrations/002_writers.sql:1']);
    assert.deepEqual(keys(facts), [
      // authors renamed to writers; books → publishers gone with DROP TABLE … CASCADE, books → series with DROP CONSTRAINT
      'books(author_id) -> writers(id) on delete cascade sql migrations/001_init.sql:5',
      'reviews(book_id) -> books(id) sql migrations/010_reviews.sql:1',
      'reviews(writer_id) -> writers(id) sql migrations/010_reviews.sql:1',
    ]);
  });
});

describe('.sql files: the reader alone', () => {
  const read = (text: string): string[] => {
    const { tables, foreignKeys } = schemaInSqlFile(text);
    return [...tables.map((t) => `table ${t.table}:${t.line}`), ...foreignKeys.map((k) => `key ${k.table}(${k.columns.join()}) -> ${k.references}:${k.line}`)];
  };

  test('node-pg-migrate, goose and sql-migrate sections: the up half only, whichever comes first', () => {
    assert.deepEqual(read('-- Up Migration\nCREATE TABLE a (id INT);\n-- Down Migration\nCREATE TABLE z (id INT);\n'), ['table a:2']);
    assert.deepEqual(read('-- +goose Down\nCREATE TABLE z (id INT);\n-- +goose Up\nCREATE TABLE b (a_id INT REFERENCES a);\n'), ['table b:4', 'key b(a_id) -> a:4']);
    assert.deepEqual(read('-- +migrate Up\nCREATE TABLE c (id INT);\n-- +migrate Down\nDROP TABLE c;\n'), ['table c:2']);
  });

  test('tagged dollar quotes, a DO block, doubled quotes and a semicolon in a quoted name do not split or add statements', () => {
    const sql = [
      "DO $do$ BEGIN CREATE TABLE ghost (x INT REFERENCES users); END $do$;",
      "CREATE TABLE \"odd;name\" (note TEXT DEFAULT 'it''s; fine', user_id INT",
      '  REFERENCES users (id));',
      'CREATE UNLOGGED TABLE IF NOT EXISTS public.events (id INT);',
      'CREATE VIEW v AS SELECT 1;',
      'ALTER TABLE events ADD COLUMN user_id INT REFERENCES users(id);',
    ].join('\n');
    assert.deepEqual(read(sql), ['table odd;name:2', 'table events:4', 'key odd;name(user_id) -> users:3', 'key events(user_id) -> users:6']);
  });

  test("MySQL's DELIMITER around a procedure body and SQL Server's GO end statements", () => {
    const mysql = [
      'CREATE TABLE a (id INT);',
      'DELIMITER //',
      'CREATE PROCEDURE p() BEGIN',
      '  CREATE TABLE ghost (id INT); INSERT INTO a VALUES (1);',
      'END//',
      'DELIMITER ;',
      'CREATE TABLE b (a_id INT, FOREIGN KEY (a_id) REFERENCES a (id));',
    ].join('\n');
    assert.deepEqual(read(mysql), ['table a:1', 'table b:7', 'key b(a_id) -> a:7']);
    assert.deepEqual(read('DELIMITER $$\nCREATE TABLE a (id INT)$$\nCREATE TABLE b (id INT)$$\nDELIMITER ;\n'), ['table a:2', 'table b:3']);
    assert.deepEqual(read('CREATE TABLE [dbo].[a] (id INT)\nGO\nCREATE TABLE b (a_id INT REFERENCES a)\r\ngo\n'), ['table a:1', 'table b:3', 'key b(a_id) -> a:3']);
  });

  test('an unterminated comment, string or dollar quote ends the file without an error', () => {
    assert.deepEqual(read('CREATE TABLE a (id INT);\n/* never closed\nCREATE TABLE b (id INT);'), ['table a:1']);
    assert.deepEqual(read("CREATE TABLE a (id INT);\nSELECT 'open;\nCREATE TABLE b (id INT);"), ['table a:1']);
    assert.deepEqual(read('CREATE TABLE a (id INT);\nSELECT $$ open;\nCREATE TABLE b (id INT);'), ['table a:1']);
  });

  test("pg_dump's COPY … FROM stdin rows (quotes, semicolons, dashes, dollars) end at their \\. line and split nothing", () => {
    const dump = [
      'CREATE TABLE public.authors (id integer NOT NULL);',
      '',
      '--',
      '-- Data for Name: authors; Type: TABLE DATA; Schema: public; Owner: -',
      '--',
      '',
      'COPY public.authors (id, name) FROM stdin;',
      "1\tO'Brien; -- not a comment",
      '2\t$$ "half',
      '\\.',
      '',
      'CREATE TABLE public.books (author_id integer);',
      'COPY public.books (author_id) FROM stdin;',
      '\\.',
      'ALTER TABLE ONLY public.books',
      '    ADD CONSTRAINT books_author_id_fkey FOREIGN KEY (author_id) REFERENCES public.authors(id) ON DELETE CASCADE;',
    ].join('\n');
    assert.deepEqual(read(dump), ['table authors:1', 'table books:12', 'key books(author_id) -> authors:16']);
    // rows never ended: the rest of the file is data
    assert.deepEqual(read('CREATE TABLE a (id INT);\nCOPY a FROM stdin;\nCREATE TABLE b (id INT);\n'), ['table a:1']);
  });

  test("backslash-escaped quotes: mysqldump's INSERT rows and Postgres's E'' strings do not swallow what follows", () => {
    const mysqldump = [
      '/*!40101 SET NAMES utf8mb4 */;',
      "INSERT INTO `authors` VALUES (1,'O\\'Brien; -- ok'),(2,'back\\\\');",
      'CREATE TABLE `books` (',
      '  `author_id` int NOT NULL,',
      '  CONSTRAINT `books_ibfk_1` FOREIGN KEY (`author_id`) REFERENCES `authors` (`id`) ON DELETE CASCADE',
      ') ENGINE=InnoDB;',
    ].join('\n');
    assert.deepEqual(read(mysqldump), ['table books:3', 'key books(author_id) -> authors:5']);
    assert.deepEqual(read("CREATE TABLE a (note TEXT DEFAULT E'it\\'s');\nCREATE TABLE b (a_id INT REFERENCES a);\n"), ['table a:1', 'table b:2', 'key b(a_id) -> a:2']);
    // without MySQL's marks a backslash is a plain character in a standard string
    assert.deepEqual(read("CREATE TABLE a (path TEXT DEFAULT 'C:\\');\nCREATE TABLE b (id INT);\n"), ['table a:1', 'table b:2']);
  });

  test("MySQL's named key index (FOREIGN KEY fk (a)) and SQL Server's ALTER TABLE … WITH CHECK ADD give their keys", () => {
    assert.deepEqual(read('CREATE TABLE books (author_id INT, FOREIGN KEY fk_author (author_id) REFERENCES authors (id));'), [
      'table books:1',
      'key books(author_id) -> authors:1',
    ]);
    const ssms = 'ALTER TABLE [dbo].[Items] WITH CHECK ADD CONSTRAINT [FK_Items_Orders] FOREIGN KEY([OrderId]) REFERENCES [dbo].[Orders] ([Id])\nGO\nALTER TABLE [dbo].[Items] CHECK CONSTRAINT [FK_Items_Orders]\nGO\n';
    assert.deepEqual(read(ssms), ['key Items(OrderId) -> Orders:1']);
  });

  test('DROP TABLE removes the table, its keys and the keys pointing at it; a table created again holds them again, unless dropped with CASCADE', () => {
    const sql = ['CREATE TABLE a (id INT);', 'CREATE TABLE b (id INT, a_id INT REFERENCES a);', 'CREATE TABLE c (b_id INT REFERENCES b);', 'DROP TABLE IF EXISTS public.b, x;'];
    assert.deepEqual(read(sql.join('\n')), ['table a:1', 'table c:3']);
    // mysqldump drops each table before creating it, with key checks off: a key to a table dropped and created again holds
    const mysqldump = [
      'DROP TABLE IF EXISTS `authors`;',
      'CREATE TABLE `authors` (`id` int, `fav_book_id` int, CONSTRAINT `fk_fav` FOREIGN KEY (`fav_book_id`) REFERENCES `books` (`id`));',
      'DROP TABLE IF EXISTS `books`;',
      'CREATE TABLE `books` (`id` int, `author_id` int, CONSTRAINT `books_ibfk_1` FOREIGN KEY (`author_id`) REFERENCES `authors` (`id`)) ENGINE=InnoDB;',
    ];
    assert.deepEqual(read(mysqldump.join('\n')), ['table authors:2', 'table books:4', 'key authors(fav_book_id) -> books:2', 'key books(author_id) -> authors:4']);
    assert.deepEqual(read('CREATE TABLE a (id INT);\nCREATE TABLE b (a_id INT REFERENCES a);\nDROP TABLE a CASCADE;\nCREATE TABLE a (id INT);'), ['table b:2', 'table a:4']);
  });

  test('ALTER TABLE … RENAME TO and RENAME TABLE carry the table and the keys on it and to it; a column rename changes nothing', () => {
    const sql = ['CREATE TABLE a (id INT);', 'CREATE TABLE b (a_id INT REFERENCES a);', 'ALTER TABLE a RENAME TO z;', 'ALTER TABLE b RENAME COLUMN a_id TO z_id;', 'RENAME TABLE b TO y;', 'ALTER TABLE IF EXISTS ONLY y RENAME TO w;'];
    assert.deepEqual(read(sql.join('\n')), ['table z:3', 'table w:6', 'key w(a_id) -> z:2']);
  });

  test("DROP CONSTRAINT and MySQL's DROP FOREIGN KEY by the key's name (Postgres's default <table>_<column>_fkey too); a key dropped and added again keeps the new one", () => {
    const sql = [
      'CREATE TABLE b (a_id INT REFERENCES a, c_id INT CONSTRAINT fk_c REFERENCES c, d_id INT, e_id INT, f_id INT REFERENCES f,',
      '  CONSTRAINT "FK_D" FOREIGN KEY (d_id) REFERENCES d, FOREIGN KEY fk_e (e_id) REFERENCES e);',
      'ALTER TABLE b DROP CONSTRAINT b_a_id_fkey;',
      'ALTER TABLE b DROP CONSTRAINT IF EXISTS fk_c, DROP CONSTRAINT fk_d;',
      'ALTER TABLE b DROP FOREIGN KEY fk_e;',
      // no key by that name, or not on this table: nothing goes
      'ALTER TABLE b DROP CONSTRAINT no_such_key;',
      'ALTER TABLE other DROP CONSTRAINT b_f_id_fkey;',
    ];
    assert.deepEqual(read(sql.join('\n')), ['table b:1', 'key b(f_id) -> f:1']);
    const replaced = ['CREATE TABLE b (a_id INT, CONSTRAINT fk_a FOREIGN KEY (a_id) REFERENCES a ON DELETE CASCADE);', 'ALTER TABLE b DROP CONSTRAINT fk_a, ADD CONSTRAINT fk_a FOREIGN KEY (a_id) REFERENCES a ON DELETE SET NULL;'];
    const { foreignKeys } = schemaInSqlFile(replaced.join('\n'));
    assert.deepEqual(foreignKeys.map((k) => `${k.table}(${k.columns.join()}) -> ${k.references} ${k.onDelete}:${k.line}`), ['b(a_id) -> a set null:2']);
  });

  test('down files of diesel, golang-migrate and Flyway undo are recognised; up files are not', () => {
    assert.deepEqual(
      ['migrations/1/down.sql', 'db/1_init.down.sql', 'sql/U2__drop_users.sql', 'migrations/1/up.sql', 'db/1_init.up.sql', 'sql/V1__init.sql', 'db/users.sql'].map(isDownMigration),
      [true, true, true, false, false, false, false],
    );
  });
});

describe('analyze(): keys from .sql files between pinned services', () => {
  test('orders → users (cascade), orders → catalog (set null), catalog → users (set null); keys inside one service are not listed', async () => {
    const pins = ['users', 'catalog', 'orders'].map((service) => ({ pattern: `${service}/**`, service }));
    const { plan } = await analyze(fixture('sql-files'), { pinsFile: false, pins });
    assert.deepEqual(
      plan.crossServiceForeignKeys.map((k) => `${k.table}(${k.columns.join()}) ${k.owner} -> ${k.references} ${k.referencedOwner} ${k.onDelete ?? '-'} ${k.file}:${k.line}`),
      [
        'order_items(product_id) orders -> products catalog set null db/schema.sql:34',
        'orders(user_id) orders -> users users cascade db/schema.sql:19',
        'reviews(user_id) catalog -> users users set null migrations/002_add_reviews.sql:5',
      ],
    );
    // the .sql files are in no service
    assert.ok(plan.services.every((s) => s.files.every((f) => !f.endsWith('.sql'))));
  });
});

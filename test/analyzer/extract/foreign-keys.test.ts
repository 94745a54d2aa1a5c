// Foreign keys declared by schema code (facts.foreignKeys): SQL DDL, knex migrations, Prisma, TypeORM, Drizzle, Sequelize.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { foreignKeysInSql } from '../../../analyzer/extract/sql-foreign-keys.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { factsOf, fixture } from './fixture.ts';
import { analyze } from '../../../analyzer/index.ts';
import { renderMarkdown } from '../../../analyzer/report/markdown.ts';
import { formatSummary } from '../../../analyzer/report/summary.ts';

/** One key per line: `table(columns) -> references(columns) [on delete …] via file:line`. */
const keys = (facts: Facts): string[] =>
  (facts.foreignKeys ?? []).map(
    (k) => `${k.table}(${k.columns.join(', ')}) -> ${k.references}(${k.referencedColumns.join(', ')})${k.onDelete ? ` on delete ${k.onDelete}` : ''} ${k.via} ${k.file}:${k.line}`,
  );

describe('foreign keys: SQL DDL', () => {
  test('column keys, table constraints, ALTER TABLE ADD; quoted and schema-qualified names; on the REFERENCES line', async () => {
    const facts = await factsOf('fk-sql');
    assert.deepEqual(keys(facts), [
      'order_lines(book_id) -> books(id) on delete set null sql schema.ts:19',
      'order_lines(order_id) -> orders() on delete cascade sql schema.ts:18',
      'orders(customer_id) -> customers(id) on delete cascade sql schema.ts:9',
      'reviews(book_id) -> books(id) on delete set default sql schema.ts:29',
      'shipments(carrier_id) -> carriers(id) on delete restrict sql schema.ts:28',
      'shipments(order_id, line_no) -> order_lines(order_id, line_no) on delete no action sql schema.ts:23',
    ]);
    // the tables keyed are the tables the schema declares, by the same names
    const declared = new Set((facts.schema ?? []).map((s) => s.table));
    for (const k of facts.foreignKeys ?? []) assert.ok(declared.has(k.table), `${k.table} not declared`);
  });

  test('the reader alone: a key per element, ON UPDATE ignored, nothing from CHECK, comments or strings', () => {
    const sql = `CREATE TABLE t (a INT REFERENCES x ON UPDATE SET NULL, b INT CHECK (b > 0), -- c INT REFERENCES y(id)
      d TEXT DEFAULT 'REFERENCES z(id)', UNIQUE (a, b))`;
    assert.deepEqual(
      foreignKeysInSql(sql).map(({ at: _at, ...k }) => k),
      [{ table: 't', columns: ['a'], references: 'x', referencedColumns: [] }],
    );
    assert.deepEqual(foreignKeysInSql('SELECT "references" FROM papers'), []);
  });
});

describe('foreign keys: the sample monolith', () => {
  test('books holds the two keys schema.ts declares, and nothing else is a key', async () => {
    const monolith = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../legacy-monolith');
    const facts = await extractFacts(monolith);
    assert.deepEqual(keys(facts), ['books(author_id) -> authors(id) sql schema.ts:13', 'books(category_id) -> categories(id) sql schema.ts:13']);
  });
});

describe('foreign keys: knex migrations', () => {
  test('references().inTable(), references(table.column), foreign([…]).references([…]); not on other builders', async () => {
    const facts = await factsOf('fk-knex');
    // (the keys made through helpers, on holds, loans and shelves, are the next tests')
    assert.deepEqual(keys(facts).filter((k) => !/^(?:holds|loans|shelves)\(/.test(k)), [
      'books(author_id) -> authors(id) on delete cascade knex migrations/20240101_init.js:8',
      'books(edition_book_id, edition_no) -> editions(book_id, no) on delete set null knex migrations/20240101_init.js:10',
      'books(series_id) -> series(id) knex migrations/20240101_init.js:9',
      'orders(customer_id) -> customers(id) knex migrations/20240201_orders.ts:5',
      'reviews(book_id) -> books(id) on delete restrict knex migrations/20240101_init.js:13',
    ]);
  });

  test('key helpers one call deep: a helper that declares the key, one that returns the chain (the caller going on), imported or local, on the calling line', async () => {
    const facts = await factsOf('fk-knex');
    assert.deepEqual(
      keys(facts).filter((k) => /^(?:holds|loans)\(/.test(k)),
      [
        // `keys.foreignId(table, …)` from a file that never names references itself
        'holds(book_id) -> books(id) knex migrations/20240401_holds.js:5',
        'loans(book_id) -> books(id) on delete cascade knex migrations/20240301_loans.js:20',
        'loans(branch_id) -> branches(id) knex migrations/20240301_loans.js:22',
        'loans(librarian_id) -> staff(id) on delete set null knex migrations/20240301_loans.js:23',
        'loans(member_id) -> members(id) knex migrations/20240301_loans.js:21',
        // an argument left out: the parameter's default
        'loans(reader_id) -> members(id) knex migrations/20240301_loans.js:24',
        // a helper calling the one that declares the key
        'loans(shelf_id) -> shelves(id) on delete cascade knex migrations/20240301_loans.js:29',
        // not: a column or table named at run time (not the default either), another builder given to the helper
      ],
    );
  });

  test('key helpers calling helpers, up to three deep: the strings passed down, a chain another helper returns gone on with; no key past the bound or from a helper calling itself', async () => {
    const facts = await factsOf('fk-knex');
    assert.deepEqual(
      keys(facts).filter((k) => k.startsWith('shelves(')),
      [
        // cascadeTo → keyTo, the action a string the first helper gives the second
        'shelves(branch_id) -> branches(id) on delete cascade knex migrations/20240501_shelves.js:28',
        // nullableRef returns foreignId's chain (another file's helper) and goes on; the caller goes on again
        'shelves(curator_id) -> staff(id) on delete set null knex migrations/20240501_shelves.js:29',
        // auditedCascade → cascadeTo → keyTo: three helpers
        'shelves(room_id) -> rooms(id) on delete cascade knex migrations/20240501_shelves.js:30',
        // not: tooDeep (four helpers), loop (calls itself)
      ],
    );
  });
});

describe('foreign keys: Prisma', () => {
  test('@relation(fields, references, onDelete) on the side holding the key, columns by @map; implicit many-to-many join tables', async () => {
    const facts = await factsOf('orm-prisma-relations');
    assert.deepEqual(keys(facts), [
      '_CategoryToPost(A) -> Category(id) on delete cascade prisma prisma/schema.prisma:31',
      '_CategoryToPost(B) -> posts(id) on delete cascade prisma prisma/schema.prisma:31',
      '_Follows(A) -> users(id) on delete cascade prisma prisma/schema.prisma:11',
      '_Follows(B) -> users(id) on delete cascade prisma prisma/schema.prisma:11',
      '_PostTags(A) -> posts(id) on delete cascade prisma prisma/schema.prisma:32',
      '_PostTags(B) -> Tag(id) on delete cascade prisma prisma/schema.prisma:32',
      'comments(postId) -> posts(id) prisma prisma/schema.prisma:54',
      'posts(author_id) -> users(id) prisma prisma/schema.prisma:29',
      'profiles(userId) -> users(id) on delete cascade prisma prisma/schema.prisma:20',
    ]);
    // keyed tables are named as the schema declares them (the join tables included)
    const declared = new Set((facts.schema ?? []).map((s) => s.table));
    for (const k of facts.foreignKeys ?? []) assert.ok(declared.has(k.table) && declared.has(k.references), `${k.table} -> ${k.references}`);
  });
});

describe('foreign keys: TypeORM', () => {
  /** the keys declared in one fixture file */
  const keysIn = (facts: Facts, file: string): string[] => keys({ ...facts, foreignKeys: (facts.foreignKeys ?? []).filter((k) => k.file === file) });

  test('@ManyToOne and owning @OneToOne: @JoinColumn names, else <property><Primary>; onDelete; not the inverse side, not a non-entity class', async () => {
    const facts = await factsOf('fk-typeorm');
    assert.deepEqual(keysIn(facts, 'entities/catalog.ts'), [
      'author_profiles(authorId) -> authors(id) typeorm entities/catalog.ts:36',
      'books(author_id) -> authors(id) on delete cascade typeorm entities/catalog.ts:21',
      'books(original_id) -> books(id) typeorm entities/catalog.ts:28',
      'books(publisherCode) -> publishers(publisher_code) on delete set null typeorm entities/catalog.ts:25',
    ]);
    assert.deepEqual(keysIn(facts, 'look-alikes.ts'), []);
  });

  test('owning @ManyToMany with @JoinTable: two keys on the junction, named as TypeORM names them; onDelete from each side, else cascade; not the inverse side, not createForeignKeyConstraints: false', async () => {
    const facts = await factsOf('fk-typeorm');
    assert.deepEqual(keysIn(facts, 'entities/taxonomy.ts'), [
      'article_tags(article_id) -> articles(id) on delete restrict typeorm entities/taxonomy.ts:14',
      'article_tags(tag_id) -> tags(id) on delete cascade typeorm entities/taxonomy.ts:14',
      'articles_related_articles(articlesId_1) -> articles(id) on delete cascade typeorm entities/taxonomy.ts:19',
      'articles_related_articles(articlesId_2) -> articles(id) on delete cascade typeorm entities/taxonomy.ts:19',
      // <owner table>_<property>_<target table>, columns camelCase <table>_<primary column>; the declared inverse side says no onDelete
      'articles_topics_topics(articlesId) -> articles(id) on delete cascade typeorm entities/taxonomy.ts:9',
      'articles_topics_topics(topicsTopicSlug) -> topics(topic_slug) typeorm entities/taxonomy.ts:9',
      // the inverse side named by a string, its onDelete on the key to its table
      'topics_editors_editors(editorsId) -> editors(id) on delete cascade typeorm entities/taxonomy.ts:36',
      'topics_editors_editors(topicsTopicSlug) -> topics(topic_slug) on delete cascade typeorm entities/taxonomy.ts:36',
    ]);
  });

  test('relations to and from an entity with a composite primary key: one key column per primary column (many-to-many junctions: default names, named join columns, a self relation; many-to-one)', async () => {
    const facts = await factsOf('fk-typeorm');
    assert.deepEqual(keysIn(facts, 'entities/editions.ts'), [
      // many-to-one without @JoinColumn: <property><Primary> for each primary column
      'copies(editionIsbn, editionPrinting) -> editions(book_isbn, printing) typeorm entities/editions.ts:35',
      'copies(source_isbn, source_printing) -> editions(book_isbn, printing) on delete cascade typeorm entities/editions.ts:39',
      'edition_shelves(isbn, printing_no) -> editions(book_isbn, printing) on delete cascade typeorm entities/editions.ts:10',
      'edition_shelves(shelvesId) -> shelves(id) on delete cascade typeorm entities/editions.ts:10',
      // each default name pairs with its alike on the other side: four columns, suffixed
      'editions_reprints_editions(editionsBookIsbn_1, editionsPrinting_1) -> editions(book_isbn, printing) on delete cascade typeorm entities/editions.ts:15',
      'editions_reprints_editions(editionsBookIsbn_2, editionsPrinting_2) -> editions(book_isbn, printing) on delete cascade typeorm entities/editions.ts:15',
      // camelCase of <table>_<primary column> for each of the target's primary columns, in declaration order
      'shelves_editions_editions(editionsBookIsbn, editionsPrinting) -> editions(book_isbn, printing) on delete cascade typeorm entities/editions.ts:25',
      'shelves_editions_editions(shelvesId) -> shelves(id) on delete cascade typeorm entities/editions.ts:25',
    ]);
  });

  test('EntitySchema: many-to-one, one-to-one with joinColumn, many-to-many with joinTable; targets by name, schema or class; tableName, else snake_case of name; not inverse sides, createForeignKeyConstraints: false or a look-alike class', async () => {
    const facts = await factsOf('fk-typeorm-schema');
    assert.deepEqual(keys(facts).filter((k) => !/entities\/(?:racks|bins)\.ts/.test(k)), [
      // joinColumn: true on a schema with no tableName: the default column, the table named from `name`
      'author_profile(authorId) -> authors(id) typeorm entities/catalog.ts:35',
      'book_categories(booksId) -> books(id) on delete cascade typeorm entities/catalog.ts:24',
      'book_categories(categoriesId) -> categories(id) on delete cascade typeorm entities/catalog.ts:24',
      'books(author_id) -> authors(id) on delete cascade typeorm entities/catalog.ts:20',
      'books(original_id) -> books(id) typeorm entities/catalog.ts:22',
      // a decorated entity as the target: its primary column's name
      'books(publisherCode) -> publishers(publisher_code) on delete set null typeorm entities/catalog.ts:21',
      // a JavaScript module.exports schema; the target's primary column by its `name` (columns held by a const)
      'reviews(book_id) -> books(id) typeorm entities/review.js:10',
      'reviews(profileProfileId) -> author_profile(profile_id) on delete restrict typeorm entities/review.js:9',
      // a plain class given as a schema's `target`
      'shelf_places(shelf_id) -> shelves(id) typeorm entities/catalog.ts:56',
    ]);
  });

  test('EntitySchema many-to-many: joinTable true or options (held by a const), joinColumn(s) by property, inverseSide onDelete, a self relation, a decorated target; not joinTable: false or createForeignKeyConstraints: false', async () => {
    const facts = await factsOf('fk-typeorm-schema');
    assert.deepEqual(keysIn(facts, 'entities/racks.ts'), [
      'rack_publishers_publishers(publishersPublisherCode) -> publishers(publisher_code) on delete cascade typeorm entities/racks.ts:24',
      'rack_publishers_publishers(rackId) -> rack(id) on delete cascade typeorm entities/racks.ts:24',
      'rack_related_rack(rackId_1) -> rack(id) on delete cascade typeorm entities/racks.ts:26',
      'rack_related_rack(rackId_2) -> rack(id) on delete cascade typeorm entities/racks.ts:26',
      'rack_tags(rack_id) -> rack(id) on delete cascade typeorm entities/racks.ts:22',
      'rack_tags(tag_label) -> tags(label_text) on delete restrict typeorm entities/racks.ts:22',
    ]);
  });

  test('EntitySchema with a composite primary key: one key column per primary column, on a many-to-many\'s owner and target, and a many-to-one\'s', async () => {
    const facts = await factsOf('fk-typeorm-schema');
    assert.deepEqual(keysIn(facts, 'entities/bins.ts'), [
      'bins_labels_labels(binsAisleNo, binsSlot) -> bins(aisle_no, slot) on delete cascade typeorm entities/bins.ts:11',
      'bins_labels_labels(labelsId) -> labels(id) on delete cascade typeorm entities/bins.ts:11',
      'label_bins(bin_aisle, bin_slot) -> bins(aisle_no, slot) on delete cascade typeorm entities/bins.ts:21',
      'label_bins(labelsId) -> labels(id) on delete cascade typeorm entities/bins.ts:21',
      'trays(binAisle, binSlot) -> bins(aisle_no, slot) typeorm entities/bins.ts:31',
    ]);
  });

  test('the query builder fixture: targets by arrow, by string and by type; junctions of @JoinTable() and @JoinTable({ name })', async () => {
    const facts = await factsOf('typeorm-query-builder');
    assert.deepEqual(keys(facts), [
      'book_tags(booksId) -> books(id) on delete cascade typeorm entities/book.ts:22',
      'book_tags(tagsId) -> tags(id) on delete cascade typeorm entities/book.ts:22',
      'books(authorId) -> authors(id) typeorm entities/book.ts:13',
      // the junction the query builder reads: the same name
      'books_categories_category(booksId) -> books(id) on delete cascade typeorm entities/book.ts:15',
      'books_categories_category(categoryId) -> category(id) typeorm entities/book.ts:15',
      'order_item(bookId) -> books(id) typeorm entities/order.ts:17',
      'order_item(orderId) -> orders(id) typeorm entities/order.ts:16',
      'reviews(bookId) -> books(id) typeorm entities/review.ts:9',
    ]);
  });
});

describe('foreign keys: Drizzle', () => {
  test('.references(() => t.col, { onDelete }) and foreignKey({ columns, foreignColumns }).onDelete(), a self-reference by the config parameter; columns by SQL name', async () => {
    const facts = await factsOf('fk-drizzle');
    assert.deepEqual(keys(facts), [
      'books(author_id) -> authors(id) on delete cascade drizzle src/schema.ts:10',
      'books(sequelOf) -> books(id) on delete set null drizzle src/schema.ts:12',
      'editions(book_id) -> books(id) on delete cascade drizzle src/schema.ts:21',
      'genres(parent_id) -> genres(id) on delete set null drizzle src/schema.ts:43',
      'print_runs(edition_book_id, edition_no) -> editions(book_id, no) drizzle src/schema.ts:32',
    ]);
  });

  test('the Drizzle fixture: tables across files, a table creator prefixing names', async () => {
    const facts = await factsOf('orm-drizzle');
    assert.deepEqual(keys(facts), [
      'book_categories(book_id) -> books(id) drizzle src/db/schema/catalog.ts:18',
      'books(author_id) -> authors(id) drizzle src/db/schema/catalog.ts:13',
      'shop_order_items(order_id) -> shop_orders(id) drizzle src/db/schema/orders.ts:11',
    ]);
  });
});

describe('foreign keys: Sequelize', () => {
  test('references in define/init/createTable/addColumn, addConstraint, belongsTo/hasMany/hasOne/belongsToMany (on `this` in static associate too), sequelize-typescript decorators; not look-alikes', async () => {
    const facts = await factsOf('fk-sequelize');
    assert.deepEqual(keys(facts), [
      'book_tags(book_id) -> books() sequelize models.js:26',
      'book_tags(tag_id) -> Tags() sequelize models.js:26',
      // the attribute's references and the association say the same key, in words that differ
      'books(author_id) -> authors(id) on delete cascade sequelize models.js:11',
      'books(author_id) -> authors() on delete cascade sequelize models.js:23',
      // addConstraint in Sequelize 4's form (fields before the options); the unique constraint beside it is no key
      'books(shelf_id) -> shelves(id) sequelize migrations/20240201-shelf-constraints.js:12',
      // this.hasMany(Book) in a static method; `this.belongsTo(Library)` in an instance method is not an association
      'books(shelf_id) -> shelves() sequelize models/shelf.js:14',
      // sequelize-typescript: @BelongsTo alone names the column; @ForeignKey's column by its field, onDelete from its @BelongsTo;
      // a bare @Table is the default plural, and a class that is no model declares nothing
      'loans(approvedById) -> Members() sequelize typed/member.ts:20',
      'loans(member_id) -> Members() on delete cascade sequelize typed/member.ts:12',
      // hasOne without foreignKey: Sequelize's default column name is not guessed
      'reviews() -> books() sequelize models.js:25',
      'reviews(authorId) -> authors() sequelize models.js:24',
      'reviews(bookId) -> books(id) on delete set null sequelize migrations/20240101-create-reviews.js:5',
      'reviews(user_id) -> users(id) sequelize migrations/20240101-create-reviews.js:7',
      'shelves(library_id) -> libraries(id) on delete cascade sequelize migrations/20240201-shelf-constraints.js:3',
      // sequelize-cli's static associate(models): this.belongsTo(models.Library)
      'shelves(library_id) -> libraries() on delete cascade sequelize models/shelf.js:10',
    ]);
  });

  test('the Sequelize fixture declares none', async () => {
    assert.deepEqual(keys(await factsOf('orm-sequelize')), []);
  });
});

describe('analyze(): the keys that end up between two services', () => {
  test('a cascade, a set null and a plain key across catalog, orders and customers; the key inside orders is not listed', async () => {
    const pins = ['catalog', 'orders', 'customers'].map((service) => ({ pattern: `${service}/**`, service }));
    const { plan } = await analyze(fixture('fk-app'), { pinsFile: false, pins });
    const serviceOf = (file: string) => plan.services.find((s) => s.files.includes(file))?.name;
    assert.deepEqual(['catalog/routes.ts', 'orders/routes.ts', 'customers/routes.ts'].map(serviceOf), ['catalog', 'orders', 'customers']);
    assert.deepEqual(
      plan.crossServiceForeignKeys.map((k) => `${k.table}(${k.columns.join()}) ${k.owner} -> ${k.references} ${k.referencedOwner} ${k.onDelete ?? '-'} ${k.file}:${k.line}`),
      ['order_lines(book_id) orders -> books catalog set null db.ts:15', 'orders(customer_id) orders -> customers customers - db.ts:10'],
    );
    // order_lines(order_id) -> orders ON DELETE CASCADE stays inside the orders service
    const md = renderMarkdown(plan);
    assert.match(md, /\| `order_lines\(book_id\)` \| orders \| `books\(id\)` \| catalog \| set null \| db\.ts:15 \| deleting a books row resets order\\_lines\.book\\_id in the database/);
    assert.match(formatSummary(plan, []), /^ {2}keys {5}2 foreign keys across services: order_lines → books \(on delete set null\), orders → customers$/m);
  });
});

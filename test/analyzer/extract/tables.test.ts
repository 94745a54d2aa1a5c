import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { accesses, declared, factsOf } from './fixture.ts';
import { looksLikeSql, tablesInSql } from '../../../analyzer/extract/sql.ts';
import { pluralize, snakeCase } from '../../../analyzer/extract/orm-models.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';


describe('SQL reader', () => {
  const cases: [string, { reads: string[]; writes: string[]; ddl: string[] }][] = [
    ['SELECT b.id, a.name FROM books b JOIN authors a ON a.id = b.author_id WHERE b.id = ?', { reads: ['books', 'authors'], writes: [], ddl: [] }],
    ['select * from books, authors as a where x in (select book_id from stock)', { reads: ['books', 'authors', 'stock'], writes: [], ddl: [] }],
    ["INSERT INTO orders (id, total) SELECT id, 1 FROM carts WHERE x = 'FROM y'", { reads: ['carts'], writes: ['orders'], ddl: [] }],
    ['INSERT OR REPLACE INTO sessions(token) VALUES (?)', { reads: [], writes: ['sessions'], ddl: [] }],
    ['UPDATE stock SET qty = qty - 1 WHERE book_id = ?', { reads: [], writes: ['stock'], ddl: [] }],
    ['DELETE FROM cart_items WHERE cart_id = ?', { reads: [], writes: ['cart_items'], ddl: [] }],
    ['WITH recent AS (SELECT * FROM orders), top AS (SELECT * FROM recent) SELECT EXTRACT(YEAR FROM created) FROM top JOIN "order_items" oi ON 1',
      { reads: ['orders', 'order_items'], writes: [], ddl: [] }],
    ['CREATE TABLE IF NOT EXISTS books (id INTEGER); CREATE INDEX i ON books(id); DROP TABLE old_stuff', { reads: [], writes: [], ddl: ['books', 'old_stuff'] }],
    ['SELECT * FROM main.books LEFT OUTER JOIN reviews r USING (book_id) -- FROM comments', { reads: ['books', 'reviews'], writes: [], ddl: [] }],
    ['SELECT * FROM __strangler_expr__ WHERE id = ?', { reads: [], writes: [], ddl: [] }],
    // ON UPDATE is a key's action or a column default, not an UPDATE statement
    ['CREATE TABLE members (team_id INT, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE RESTRICT ON UPDATE RESTRICT)',
      { reads: [], writes: [], ddl: ['members'] }],
    ['INSERT INTO likes (user_id, n) VALUES (?, 1) ON DUPLICATE KEY UPDATE n = n + 1', { reads: [], writes: ['likes'], ddl: [] }],
  ];
  for (const [sql, expected] of cases) {
    test(sql.slice(0, 60), () => {
      assert.equal(looksLikeSql(sql), true);
      assert.deepEqual(tablesInSql(sql), expected);
    });
  }
  test('prose that starts like SQL is not SQL', () => {
    for (const text of ['Select a book from the list, then update the cart', 'delete from your wishlist', 'insert into your cart now', 'update the thing']) {
      assert.equal(looksLikeSql(text), false, text);
    }
  });
});

describe('tables: better-sqlite3 and knex', () => {
  test('literals, templates with constants, concatenations, knex builders, joins and raw; SQL constants go to their users', async () => {
    const facts = await factsOf('knex-sql');
    assert.deepEqual(accesses(facts), [
      'queries.js#<module> write audit_log (sql, line 5)',
      'repo.js#findBook read books (sql, line 4)',
      'repo.js#lowStockIds read stock (sql, line 8)',
      'store.js#bookById read books (knex, line 13)',
      'store.js#addBook write books (knex, line 17)',
      'store.js#addBook write stock (sql, line 18)',
      'store.js#booksWithStock read books (knex, line 22)',
      'store.js#booksWithStock read stock (knex, line 22)',
      'store.js#lowStock read books (sql, line 26)',
      'store.js#lowStock read stock (sql, line 26)',
    ]);
    // db.exec(CREATE TABLE …) declares; table names built at run time (clearStock) give nothing
    assert.deepEqual(declared(facts), ['books sql store.js:5', 'stock sql store.js:5']);
  });
});

describe('tables: knex query helpers', () => {
  test('a helper building the query on a table its caller names: the access is the caller\'s, at the call, up to three helpers up', async () => {
    const facts = await factsOf('knex-helpers');
    assert.deepEqual(accesses(facts), [
      // one helper: a const, a write, a from() and a join
      'books.js#showBook read books (knex, line 7)',
      'books.js#addReview write reviews (knex, line 11)',
      // two helpers: getOne → findById
      'books.js#showAuthor read authors (knex, line 15)',
      // three: getCached → getOne → findById
      'books.js#showShelf read shelves (knex, line 19)',
      'books.js#booksWithStock read books (knex, line 23)',
      'books.js#booksWithStock read stock (knex, line 23)',
      // helpers assigned to properties (`exports.countRows = function (table) {…}`, `module.exports.clearRows`, a
      // prototype's method), called through `require()`
      'counts.js#countShelves read shelves (knex, line 4)',
      'counts.js#clearCarts write carts (knex, line 8)',
      'counts.js#listWings read wings (knex, line 12)',
      // not: getAudited (four helpers up), process.env.TABLE; and nothing in the helpers themselves
    ]);
  });
});

describe('tables: Sequelize', () => {
  test('define (tableName, default plural, freezeTableName), Model.init, use through a registry', async () => {
    const facts = await factsOf('orm-sequelize');
    assert.deepEqual(accesses(facts), [
      'catalog.js#listBooks read books (sequelize, line 4)',
      'catalog.js#addAuthor write authors (sequelize, line 8)',
      'catalog.js#addAuthor read Categories (sequelize, line 9)',
      'reviews.js#removeReview write reviews (sequelize, line 4)',
      'reviews.js#tagged read Tag (sequelize, line 6)',
    ]);
    assert.deepEqual(declared(facts), [
      'Categories sequelize Category models/index.js:5',
      'Tag sequelize Tag models/index.js:6',
      'authors sequelize Author models/index.js:9',
      'books sequelize Book models/index.js:4',
      'reviews sequelize Review models/review.js:2',
    ]);
  });
  test('naming helpers', () => {
    assert.deepEqual(['Book', 'Category', 'Address', 'Box'].map(pluralize), ['Books', 'Categories', 'Addresses', 'Boxes']);
    assert.deepEqual(['OrderItem', 'Book', 'HTTPLog'].map(snakeCase), ['order_item', 'book', 'http_log']);
  });
});

describe('tables: TypeORM', () => {
  test('@Entity names, repositories (variable, injected, typed), entity manager, active record', async () => {
    const facts = await factsOf('orm-typeorm');
    assert.deepEqual(accesses(facts), [
      'catalog-service.ts#listBooks read books (typeorm, line 9)',
      'catalog-service.ts#saveAuthor write authors (typeorm, line 13)',
      'catalog-service.ts#countItems read order_item (typeorm, line 17)',
      'catalog-service.ts#CatalogService.removeBook write books (typeorm, line 24)',
      'catalog-service.ts#CatalogService.authorById read authors (typeorm, line 28)',
      'catalog-service.ts#CatalogService.direct write authors (typeorm, line 32)',
    ]);
    assert.deepEqual(declared(facts), [
      'authors typeorm Author entities/Book.ts:14',
      'books typeorm Book entities/Book.ts:3',
      'order_item typeorm OrderItem entities/Book.ts:9',
    ]);
  });
});

describe('tables: Prisma', () => {
  test('schema.prisma models (@@map), client calls in a transaction, $queryRaw SQL', async () => {
    const facts = await factsOf('orm-prisma');
    assert.deepEqual(accesses(facts), [
      'src/orders.ts#placeOrder read books (prisma, line 5)',
      'src/orders.ts#placeOrder write OrderItem (prisma, line 7)',
      'src/orders.ts#placeOrder read books (sql, line 9)',
    ]);
    assert.deepEqual(declared(facts), ['OrderItem prisma OrderItem prisma/schema.prisma:12', 'books prisma Book prisma/schema.prisma:6']);
  });
});

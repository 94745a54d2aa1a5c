import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { accesses, declared, factsOf } from './fixture.ts';


describe('tables: MongoDB driver', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('mongodb-driver');
  });

  test('calls on collections made in another file are attributed to the function that makes them', () => {
    assert.deepEqual(accesses(facts), [
      // `import mongodb from 'mongodb'; const { MongoClient } = mongodb`; `await client.db('shop')` is no knex table;
      // a property typed through `import * as mongo`
      'admin/export.mjs#exportOrders read orders (mongodb, line 10)',
      'admin/export.mjs#ReportStore.latest read reports (mongodb, line 22)',
      // Book.collection.insertMany(): the Mongoose model's collection, reported once, by the Mongoose reader
      'admin/legacy.ts#importBooks write books (mongoose, line 8)',
      // mongoose.connection.db: the driver's database behind Mongoose
      'admin/legacy.ts#legacyStock read legacy_stock (mongodb, line 12)',
      // require('mongodb').MongoClient and MongoClient.connect(url, callback): a client, or (driver 2.x) the database
      'admin/nightly.js#expireCarts write carts (mongodb, line 7)',
      'admin/nightly.js#countCustomers read customers (mongodb, line 14)',
      // CommonJS: a collection required from an ESM module, a $out stage, a Db from an async getter
      'admin/stats.js#stockValue read books (mongodb, line 5)',
      'admin/stats.js#stockValue write stock_value (mongodb, line 5)',
      'admin/stats.js#lowStock read books (mongodb, line 10)',
      // collection('authors') through a helper over db.collection(name); a collection in an exported object
      'catalog/authors.ts#listAuthors read authors (mongodb, line 4)',
      'catalog/authors.ts#renameAuthor write authors (mongodb, line 8)',
      // export const books = db.collection<Book>('books'), used in a file that never mentions mongodb
      'catalog/books.ts#listBooks read books (mongodb, line 5)',
      'catalog/books.ts#findBook read books (mongodb, line 9)',
      'catalog/books.ts#addBook write books (mongodb, line 13)',
      'catalog/books.ts#restock write books (mongodb, line 17)',
      // $lookup names another collection; the line is the method's, not the chain's first
      'catalog/books.ts#booksWithAuthors read authors (mongodb, line 22)',
      'catalog/books.ts#booksWithAuthors read books (mongodb, line 22)',
      'catalog/books.ts#genres read books (mongodb, line 30)',
      'catalog/books.ts#reviewCount read reviews (mongodb, line 34)',
      // export const Orders = () => db.collection('orders'); a Db from getDb() (a `let` typed Db | undefined)
      'orders/checkout.ts#openOrders read orders (mongodb, line 5)',
      'orders/checkout.ts#countOrders read orders (mongodb, line 9)',
      'orders/checkout.ts#setupIndexes write orders (mongodb, line 14)',
      'orders/checkout.ts#setupIndexes write carts_old (mongodb, line 16)',
      // this.orders (typed Collection<Order>, assigned in the constructor), this.stock (untyped), this.db: Db
      'orders/order-service.ts#OrderService.place write orders (mongodb, line 14)',
      'orders/order-service.ts#OrderService.place write stock (mongodb, line 15)',
      'orders/order-service.ts#OrderService.history read orders (mongodb, line 19)',
      'orders/order-service.ts#OrderService.cancel write orders (mongodb, line 23)',
      'orders/order-service.ts#OrderService.rebuildSalesReport read orders (mongodb, line 28)',
      'orders/order-service.ts#OrderService.rebuildSalesReport write sales_report (mongodb, line 28)',
      'orders/order-service.ts#OrderService.watchOrders read orders (mongodb, line 33)',
      // const { MongoClient } = require('mongodb'); client.db('shop').collection('orders')
      'orders/reports.js#monthlyTotals read orders (mongodb, line 9)',
      'orders/reports.js#archiveOrders read orders (mongodb, line 16)',
      'orders/reports.js#archiveOrders write orders (mongodb, line 18)',
    ]);
  });

  test('db.createCollection() declares a collection; the Mongoose model is declared by Mongoose', () => {
    assert.deepEqual(declared(facts), ['audit_log mongodb orders/checkout.ts:15', 'books mongoose Book admin/legacy.ts:4']);
  });

  test('a collection name made at run time is a warning where the name is made, and its calls are not guessed', () => {
    assert.deepEqual(
      facts.warnings.map((w) => w.message),
      [
        'catalog/authors.ts:13: MongoDB collection name is computed at run time (kind); its reads and writes are not reported',
        'orders/reports.js:15: MongoDB collection name is computed at run time (`orders_${year}`); its reads and writes are not reported',
      ],
    );
    assert.ok(!facts.tables.some((t) => t.function === 'removeFrom' || t.table.startsWith('orders_')));
  });

  test('look-alikes: collection() on another object, find() on arrays, insertOne() on a plain object', () => {
    assert.deepEqual(facts.tables.filter((t) => t.file === 'admin/look-alikes.ts'), []);
  });
});

describe('tables: MongoDB driver through the type checker', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'strangler-mongodb-'));
    // a stand-in for the package's declarations, as `packageTypes: true` would read them from node_modules
    mkdirSync(path.join(root, 'node_modules/mongodb'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules/mongodb/package.json'), JSON.stringify({ name: 'mongodb', version: '6.0.0', types: 'index.d.ts' }));
    writeFileSync(
      path.join(root, 'node_modules/mongodb/index.d.ts'),
      [
        'export declare class Collection<T = unknown> { find(query?: object): { toArray(): Promise<T[]> }; insertOne(doc: T): Promise<unknown>; }',
        'export declare class Db { collection<T = unknown>(name: string): Collection<T>; }',
        'export declare class MongoClient { constructor(url: string); db(name?: string): Db; }',
      ].join('\n'),
    );
    mkdirSync(path.join(root, 'src'));
    writeFileSync(
      path.join(root, 'src/app.ts'),
      [
        "import type { Db } from 'mongodb';",
        'export interface Locals { db: Db }',
        'const databases = new Map<string, Db>();',
        'export function listBooks(locals: Locals) {',
        "  return locals.db.collection('books').find().toArray();",
        '}',
        'export function reviews() {',
        "  return databases.get('shop')!.collection('reviews').find().toArray();",
        '}',
      ].join('\n'),
    );
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('a Db only its type tells (a Map of them) is recognised when the package types are read', async () => {
    const typed = await extractFacts(root, { packageTypes: true });
    assert.deepEqual(accesses(typed), ['src/app.ts#listBooks read books (mongodb, line 5)', 'src/app.ts#reviews read reviews (mongodb, line 8)']);
    // without them: what the code visibly says (an interface member typed Db), no guess for the Map
    const untyped = await extractFacts(root);
    assert.deepEqual(accesses(untyped), ['src/app.ts#listBooks read books (mongodb, line 5)']);
  });
});

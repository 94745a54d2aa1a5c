import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { accesses, declared, factsOf } from './fixture.ts';


describe('tables: Drizzle', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('orm-drizzle');
  });

  test('query builders, joins, writes in a transaction and the relational API, with tables imported across files', () => {
    assert.deepEqual(accesses(facts), [
      // select().from(books).leftJoin(authors, …)
      'src/services/catalog.ts#listBooks read authors (drizzle, line 6)',
      'src/services/catalog.ts#listBooks read books (drizzle, line 6)',
      'src/services/catalog.ts#addBook write books (drizzle, line 13)',
      'src/services/catalog.ts#renameBook write books (drizzle, line 17)',
      'src/services/catalog.ts#removeAuthor write authors (drizzle, line 21)',
      // db.query.books.findFirst({ with: { author: true, reviews: true } }): the related tables are read too
      'src/services/catalog.ts#bookPage read authors (drizzle, line 25)',
      'src/services/catalog.ts#bookPage read book_reviews (drizzle, line 25)',
      'src/services/catalog.ts#bookPage read books (drizzle, line 25)',
      // db.query.<const name> is mapped to the table's SQL name
      'src/services/catalog.ts#categories read book_categories (drizzle, line 32)',
      'src/services/catalog.ts#countBooks read books (drizzle, line 35)',
      // tx.insert(schema.orders) in db.transaction(async (tx) => …) belongs to placeOrder; pgTableCreator's prefix and pgSchema().table()
      'src/services/orders.ts#placeOrder write shop_orders (drizzle, line 7)',
      'src/services/orders.ts#placeOrder write shop_order_items (drizzle, line 8)',
      'src/services/orders.ts#placeOrder write audit_log (drizzle, line 9)',
      'src/services/orders.ts#orderLines read shop_order_items (drizzle, line 15)',
      'src/services/orders.ts#orderLines read shop_orders (drizzle, line 15)',
      // nested with: { books: { with: { reviews: true } } }
      'src/services/orders.ts#authorsWithBooks read authors (drizzle, line 23)',
      'src/services/orders.ts#authorsWithBooks read book_reviews (drizzle, line 23)',
      'src/services/orders.ts#authorsWithBooks read books (drizzle, line 23)',
      // db.query.bookReviews: the key `export { reviews as bookReviews }` gives it in the schema passed to drizzle()
      'src/services/reviews.ts#latestReviews read book_reviews (drizzle, line 6)',
      'src/services/reviews.ts#addReview write book_reviews (drizzle, line 10)',
    ]);
  });

  test('tables declared with pgTable, a table creator from another file and pgSchema().table(), named by their const', () => {
    assert.deepEqual(declared(facts), [
      'audit_log drizzle auditLog src/db/schema/orders.ts:18',
      'authors drizzle authors src/db/schema/catalog.ts:5',
      'book_categories drizzle bookCategories src/db/schema/catalog.ts:17',
      'book_reviews drizzle reviews src/db/schema/reviews.ts:3',
      'books drizzle books src/db/schema/catalog.ts:10',
      'shop_order_items drizzle orderItems src/db/schema/orders.ts:10',
      'shop_orders drizzle orders src/db/schema/orders.ts:4',
    ]);
  });

  test('a table whose name is computed at run time is a warning naming the place, not a guess', () => {
    assert.deepEqual(facts.warnings.map((w) => w.message), ['src/db/schema/sales.ts:5: Drizzle table name is computed at run time; its uses are not reported']);
  });

  test('select() on something else, Array.from(table) and Set#delete(table) are not table accesses', () => {
    assert.deepEqual(facts.tables.filter((t) => t.file === 'src/services/look-alikes.ts'), []);
  });
});

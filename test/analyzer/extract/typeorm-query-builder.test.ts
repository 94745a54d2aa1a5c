import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { accesses, declared, factsOf } from './fixture.ts';


describe('tables: TypeORM query builders', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('typeorm-query-builder');
  });

  test('selects read the main entity, from() and the joined relations; insert/update/delete write; each on its method line', () => {
    assert.deepEqual(accesses(facts), [
      // ds.getRepository(Author).extend({ … this.createQueryBuilder('a') }): `this` is the authors repository
      'catalog/author.repository.ts#withBooks read authors (typeorm, line 7)',
      'catalog/author.repository.ts#withBooks read books (typeorm, line 7)',
      // @InjectRepository(Book) this.books; 'b.author' and 'b.categories' resolved on the Book class,
      // the many-to-many through its junction table (TypeORM's default name)
      'catalog/catalog.service.ts#CatalogService.search read books (typeorm, line 15)',
      'catalog/catalog.service.ts#CatalogService.search read authors (typeorm, line 16)',
      'catalog/catalog.service.ts#CatalogService.search read books_categories_category (typeorm, line 17)',
      'catalog/catalog.service.ts#CatalogService.search read category (typeorm, line 17)',
      // a builder held in a variable and joined again under an `if`; string relation targets ('Review', 'Tag'),
      // a @JoinTable({ name })
      'catalog/catalog.service.ts#CatalogService.page read books (typeorm, line 23)',
      'catalog/catalog.service.ts#CatalogService.page read reviews (typeorm, line 23)',
      'catalog/catalog.service.ts#CatalogService.page read book_tags (typeorm, line 25)',
      'catalog/catalog.service.ts#CatalogService.page read tags (typeorm, line 25)',
      'catalog/catalog.service.ts#CatalogService.count read books (typeorm, line 31)',
      // createQueryBuilder().update().set(): a write of the repository's table, not a read
      'catalog/catalog.service.ts#CatalogService.markSoldOut write books (typeorm, line 35)',
      // this.dataSource: DataSource (from typeorm) reading a table no entity maps, its schema prefix dropped
      'catalog/catalog.service.ts#CatalogService.popular read book_views (typeorm, line 40)',
      // relation('tags').of(book).add(tag): the junction table
      'catalog/catalog.service.ts#CatalogService.tagBook write book_tags (typeorm, line 44)',
      // getRepository(Book) (TypeORM 0.2), the builder awaited into a variable and extended statement by statement
      'catalog/feed.ts#feed read authors (typeorm, line 6)',
      'catalog/feed.ts#feed read books (typeorm, line 6)',
      // active record: Review.createQueryBuilder('r').delete()
      'catalog/reviews.ts#pruneReviews write reviews (typeorm, line 5)',
      'catalog/reviews.ts#averageRating read reviews (typeorm, line 9)',
      // @EntityRepository(Order) class … extends Repository<Order>: `this`
      'orders/order.repository.ts#OrderRepository.open read order_item (typeorm, line 8)',
      'orders/order.repository.ts#OrderRepository.open read orders (typeorm, line 8)',
      'reports/look-alikes.ts#rawCount read audit_log (typeorm, line 15)',
      // ds.createQueryBuilder(OrderItem, 'i'), then relations of relations ('i.book', then 'b.author')
      'reports/sales.ts#bestSellers read order_item (typeorm, line 8)',
      'reports/sales.ts#bestSellers read books (typeorm, line 9)',
      'reports/sales.ts#bestSellers read authors (typeorm, line 10)',
      'reports/sales.ts#revenue read orders (typeorm, line 18)',
      'reports/sales.ts#recordOrder write orders (typeorm, line 22)',
      // update(Order) on a builder: once, on its line (not again as a repository's update(Order))
      'reports/sales.ts#closeStale write orders (typeorm, line 28)',
      'reports/sales.ts#purgeItems write order_item (typeorm, line 35)',
      // a subquery inside where(): its from() is a read of the enclosing function
      'reports/sales.ts#recentlySold read books (typeorm, line 41)',
      'reports/sales.ts#recentlySold read order_item (typeorm, line 42)',
      // manager.createQueryBuilder('Category', 'c'): an entity by name; the inverse side of a many-to-many
      'reports/sales.ts#categoryBooks read books (typeorm, line 47)',
      'reports/sales.ts#categoryBooks read books_categories_category (typeorm, line 47)',
      'reports/sales.ts#categoryBooks read category (typeorm, line 47)',
      // leftJoinAndMapMany('a.lowStock', 'a.books', 'b'): the relation is the second argument
      'reports/sales.ts#lowStockAuthors read authors (typeorm, line 53)',
      'reports/sales.ts#lowStockAuthors read books (typeorm, line 54)',
      // from() and addFrom()
      'reports/sales.ts#orderLines read order_item (typeorm, line 59)',
      'reports/sales.ts#orderLines read orders (typeorm, line 59)',
    ]);
  });

  test('a builder that is not TypeORM\'s names no table', () => {
    assert.ok(!facts.tables.some((t) => t.function === 'searchBooks' || t.table === 'books_index'));
  });

  test('entities are declared once each; query builders declare nothing', () => {
    assert.deepEqual(declared(facts), [
      'authors typeorm Author entities/author.ts:4',
      'books typeorm Book entities/book.ts:7',
      'category typeorm Category entities/category.ts:4',
      'order_item typeorm OrderItem entities/order.ts:12',
      'orders typeorm Order entities/order.ts:4',
      'reviews typeorm Review entities/review.ts:4',
      'tags typeorm Tag entities/tag.ts:3',
    ]);
  });
});

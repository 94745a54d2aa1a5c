import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { mongooseCollectionName } from '../../../analyzer/extract/mongoose-plural.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { accesses, declared, factsOf } from './fixture.ts';


describe('tables: Mongoose', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('orm-mongoose');
  });

  test('statics, documents, populate, pipelines and `this` in schema functions, with models imported across files', () => {
    assert.deepEqual(accesses(facts), [
      // bookSchema.statics.byTitle / bookSchema.methods.markSoldOut: `this` is the model, then a document
      'models/book.ts#bookSchema.statics.byTitle read books (mongoose, line 11)',
      'models/book.ts#bookSchema.methods.markSoldOut write books (mongoose, line 16)',
      // Book.find().populate('author'): the referenced model's collection is read too
      'services/catalog.ts#listBooks read authors (mongoose, line 5)',
      'services/catalog.ts#listBooks read books (mongoose, line 5)',
      'services/catalog.ts#findBook read books (mongoose, line 9)',
      'services/catalog.ts#addBook write books (mongoose, line 13)',
      // a document found, changed and saved
      'services/catalog.ts#renameAuthor read authors (mongoose, line 17)',
      'services/catalog.ts#renameAuthor write authors (mongoose, line 20)',
      // $lookup names a collection
      'services/catalog.ts#booksPerAuthor read authors (mongoose, line 24)',
      'services/catalog.ts#booksPerAuthor read books (mongoose, line 24)',
      // a discriminator lives in its base model's collection and keeps its refs
      'services/catalog.ts#listEbooks read authors (mongoose, line 31)',
      'services/catalog.ts#listEbooks read books (mongoose, line 31)',
      'services/catalog.ts#listEbooks read series (mongoose, line 31)',
      'services/catalog.ts#CatalogService.removeBook write books (mongoose, line 36)',
      'services/catalog.ts#CatalogService.authorCount read authors (mongoose, line 40)',
      'services/orders.ts#placeOrder read people (mongoose, line 7)',
      'services/orders.ts#placeOrder write shop_orders (mongoose, line 8)',
      'services/orders.ts#placeOrder write inventory (mongoose, line 9)',
      // populate({ path: 'items.book', populate: { path: 'author' } })
      'services/orders.ts#orderHistory read authors (mongoose, line 14)',
      'services/orders.ts#orderHistory read books (mongoose, line 14)',
      'services/orders.ts#orderHistory read shop_orders (mongoose, line 14)',
      // mongoose.model('Series'): a model looked up by name
      'services/orders.ts#seriesCount read series (mongoose, line 18)',
      // $merge into another collection is a write
      'services/orders.ts#rebuildSalesReport write sales_report (mongoose, line 22)',
      'services/orders.ts#rebuildSalesReport read shop_orders (mongoose, line 22)',
      // CommonJS: module.exports = mongoose.model(…), required elsewhere
      'services/reviews.js#addReview write book_reviews (mongoose, line 5)',
      'services/reviews.js#reviewsFor read book_reviews (mongoose, line 9)',
      'services/reviews.js#removeReviews read book_reviews (mongoose, line 12)',
      'services/reviews.js#removeReviews write book_reviews (mongoose, line 12)',
      // NestJS: @InjectModel(Wishlist.name) this.wishlists, MongooseModule.forFeature, @Prop({ type: [{ ref: 'Book' }] })
      'wishlists/wishlists.service.ts#WishlistsService.forCustomer read books (mongoose, line 11)',
      'wishlists/wishlists.service.ts#WishlistsService.forCustomer read wishlists (mongoose, line 11)',
      'wishlists/wishlists.service.ts#WishlistsService.start write wishlists (mongoose, line 16)',
      'wishlists/wishlists.service.ts#WishlistsService.addBook write wishlists (mongoose, line 20)',
    ]);
  });

  test('collections: default plural (irregular and uncountable), third argument, schema option, schema.set, discriminator, Nest @Schema class', () => {
    assert.deepEqual(declared(facts), [
      'authors mongoose Author models/author.ts:9',
      'book_reviews mongoose Review models/review.js:8',
      'books mongoose Book models/book.ts:19',
      'books mongoose Ebook models/book.ts:21',
      'inventory mongoose Stock models/stock.ts:7',
      'people mongoose Person models/person.ts:6',
      'series mongoose Series models/series.ts:4',
      'shop_orders mongoose Order models/order.ts:10',
      'wishlists mongoose Wishlist wishlists/wishlist.schema.ts:4',
    ]);
  });

  test('a .find() on an array, a Map or a look-alike object is not a collection read; save() on a plain object is not a write', () => {
    assert.deepEqual(facts.tables.filter((t) => t.file === 'services/look-alikes.ts'), []);
  });

  test('a model whose name is computed at run time is a warning naming the place, not a guess', () => {
    assert.deepEqual(facts.warnings.map((w) => w.message), [
      'models/registry.ts:5: Mongoose model name is computed at run time; its collection and uses are not reported',
    ]);
  });
});

describe('Mongoose collection names', () => {
  test("Mongoose 8's pluralize(), word for word", () => {
    // The right-hand sides are what mongoose@8.24's pluralize() returns for each name.
    const expected: Record<string, string> = {
      Book: 'books', Person: 'people', Category: 'categories', Series: 'series', Address: 'addresses', Box: 'boxes', Index: 'indexes',
      Child: 'children', Mouse: 'mice', Human: 'humans', Woman: 'women', Status: 'status', OrderItem: 'orderitems', Fish: 'fish',
      Bus: 'buses', Knife: 'knives', Virus: 'viri', Log2: 'log2', News: 'news', Quiz: 'quizzes', Matrix: 'matrixes', Vertex: 'vertexes',
      Goose: 'geese', Datum: 'data', Analysis: 'analyses', Leaf: 'leafs', Wolf: 'wolves', Hero: 'heros', Alias: 'aliases', Ox: 'oxen',
      Hive: 'hives', Wife: 'wives', Axis: 'axes', Medium: 'media', Query: 'queries', Day: 'days', Tomato: 'tomatoes', Cactus: 'cactus',
      user_data: 'user_datas',
    };
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((name) => [name, mongooseCollectionName(name)])), expected);
  });

  test('system collections keep their names', () => {
    assert.equal(mongooseCollectionName('system.profile'), 'system.profile');
  });

  describe('after mongoose.pluralize(null)', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-mongoose-'));
      const files: Record<string, string> = {
        'db.ts': "import mongoose from 'mongoose';\nmongoose.pluralize(null);\nexport default mongoose;\n",
        'models.ts': "import mongoose from 'mongoose';\nexport const Author = mongoose.model('Author', new mongoose.Schema({ name: String }));\n",
        'authors.ts': "import { Author } from './models';\nexport const allAuthors = () => Author.find();\n",
      };
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), text);
      }
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('the collection is the model name as written', async () => {
      const facts = await extractFacts(dir);
      assert.deepEqual(declared(facts), ['Author mongoose Author models.ts:2']);
      assert.deepEqual(accesses(facts), ['authors.ts#allAuthors read Author (mongoose, line 2)']);
    });
  });
});

describe('tables: Mongoose in CommonJS (models fetched by name, module aliases, then() callbacks)', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('mongoose-commonjs');
  });

  test("mongoose.model('Shelf') held by a const, a model required through a module-alias path, a document handed to then(), and schema methods by name", () => {
    assert.deepEqual(accesses(facts), [
      'models/Shelf.js#ShelfSchema.methods.rename write shelves (mongoose, line 10)',
      'routes/shelves.js#<anonymous@7> read books (mongoose, line 8)',
      'routes/shelves.js#<anonymous@7> read shelves (mongoose, line 8)',
      'routes/shelves.js#<anonymous@13> read shelves (mongoose, line 14)',
      'routes/shelves.js#<anonymous@13> write shelves (mongoose, line 17)',
      'routes/shelves.js#<anonymous@21> write books (mongoose, line 22)',
    ]);
  });

  test("package.json's _moduleAliases and jsconfig.json paths resolve to files, not packages", () => {
    const edges = facts.imports.filter((e) => e.from === 'routes/shelves.js').map((e) => `${e.to} '${e.specifier}'`);
    assert.deepEqual(edges, ["models/index.js '@models'", "lib/clock.js '~lib/clock'"]);
    assert.deepEqual(facts.files.find((f) => f.path === 'routes/shelves.js')?.externals, ['express', 'mongoose']);
  });
});

describe('tables: Mongoose models passed around by type (Model<TaskDocument>)', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('mongoose-typed-models');
  });

  test('a parameter typed Model<X & Document>, Model<HydratedDocument<X>> (Nest schema class) or Model<IMember> (model<IMember>()) is that model; a look-alike type is not', () => {
    assert.deepEqual(accesses(facts), [
      'src/members/member-stats.ts#activeMembers read members (mongoose, line 8)',
      'src/tasks/task-helpers.ts#closeTask read job_queue (mongoose, line 5)',
      'src/tasks/task-helpers.ts#closeTask write job_queue (mongoose, line 6)',
      'src/tasks/task-helpers.ts#closeTask write job_queue (mongoose, line 7)',
      'src/tasks/task-helpers.ts#taskCount read job_queue (mongoose, line 11)',
    ]);
  });
});

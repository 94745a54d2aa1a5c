import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrismaSchemas } from '../../../analyzer/extract/prisma-schema.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { accesses, declared, factsOf, findRoute, handlerTables } from './fixture.ts';

describe('tables: Prisma relations', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('orm-prisma-relations');
  });

  const of = (file: string, fn: string): string[] => accesses(facts).filter((a) => a.startsWith(`${file}#${fn} `));

  test('schema: models with @@map and @@map(name:), and the implicit many-to-many join tables', () => {
    assert.deepEqual(declared(facts), [
      'Category prisma Category prisma/schema.prisma:39',
      'Tag prisma Tag prisma/schema.prisma:45',
      // Category and Post in alphabetical order, whichever side names the other first
      '_CategoryToPost prisma prisma/schema.prisma:31',
      // a named self-relation
      '_Follows prisma prisma/schema.prisma:11',
      // @relation(name: "PostTags") on one side, @relation("PostTags") on the other
      '_PostTags prisma prisma/schema.prisma:32',
      'comments prisma Comment prisma/schema.prisma:51',
      'posts prisma Post prisma/schema.prisma:26',
      'profiles prisma Profile prisma/schema.prisma:17',
      'users prisma User prisma/schema.prisma:6',
    ]);
  });

  test('nested creates write each related table, two levels deep, on the line of their create', () => {
    assert.deepEqual(of('src/writes.ts', 'signUp'), [
      'src/writes.ts#signUp write users (prisma, line 5)',
      'src/writes.ts#signUp write posts (prisma, line 9)',
      'src/writes.ts#signUp write comments (prisma, line 12)',
      'src/writes.ts#signUp write profiles (prisma, line 16)',
    ]);
  });

  test('connect: the row holding the foreign key is written; from the row that holds it, the related table is read', () => {
    // user.update({ data: { posts: { connect } } }): UPDATE posts SET authorId
    assert.deepEqual(of('src/writes.ts', 'adopt'), ['src/writes.ts#adopt write users (prisma, line 23)', 'src/writes.ts#adopt write posts (prisma, line 25)']);
    // to-one disconnect of the row's own foreign key: nothing but the row itself
    assert.deepEqual(of('src/writes.ts', 'orphan'), ['src/writes.ts#orphan write profiles (prisma, line 55)']);
  });

  test('implicit many-to-many: nested create, connectOrCreate, set and disconnect write the join table; include reads it', () => {
    assert.deepEqual(of('src/writes.ts', 'draft'), [
      'src/writes.ts#draft write posts (prisma, line 31)',
      'src/writes.ts#draft read users (prisma, line 34)',
      'src/writes.ts#draft write Category (prisma, line 35)',
      'src/writes.ts#draft write _CategoryToPost (prisma, line 35)',
      'src/writes.ts#draft write Tag (prisma, line 37)',
      'src/writes.ts#draft write _PostTags (prisma, line 37)',
      'src/writes.ts#draft read Category (prisma, line 40)',
      'src/writes.ts#draft read _CategoryToPost (prisma, line 40)',
    ]);
    assert.deepEqual(of('src/writes.ts', 'retag'), [
      'src/writes.ts#retag write posts (prisma, line 46)',
      // set links existing categories: it finds them, and rewrites the post's links
      'src/writes.ts#retag read Category (prisma, line 48)',
      'src/writes.ts#retag write _CategoryToPost (prisma, line 48)',
      'src/writes.ts#retag write _PostTags (prisma, line 50)',
      'src/writes.ts#retag write posts (prisma, line 50)',
    ]);
  });

  test('nested updateMany, deleteMany with a relation filter, and the create and update of a top-level upsert', () => {
    assert.deepEqual(of('src/writes.ts', 'tidy'), [
      'src/writes.ts#tidy write users (prisma, line 60)',
      'src/writes.ts#tidy write posts (prisma, line 64)',
      'src/writes.ts#tidy read comments (prisma, line 65)',
      'src/writes.ts#tidy write posts (prisma, line 65)',
    ]);
    assert.deepEqual(of('src/writes.ts', 'claim'), [
      'src/writes.ts#claim write users (prisma, line 73)',
      'src/writes.ts#claim write profiles (prisma, line 75)',
      'src/writes.ts#claim write comments (prisma, line 76)',
      'src/writes.ts#claim write posts (prisma, line 76)',
    ]);
  });

  test('nested creates made by map(): the object each callback returns is read for nested writes', () => {
    assert.deepEqual(of('src/writes.ts', 'importPosts'), [
      'src/writes.ts#importPosts write users (prisma, line 88)',
      // drafts.map((d) => ({ title, categories: { connect } })): the connect links existing categories
      'src/writes.ts#importPosts read Category (prisma, line 92)',
      'src/writes.ts#importPosts write _CategoryToPost (prisma, line 92)',
      'src/writes.ts#importPosts write posts (prisma, line 92)',
      // a callback with a block body: what it returns
      'src/writes.ts#importPosts write _Follows (prisma, line 95)',
      'src/writes.ts#importPosts write users (prisma, line 95)',
      'src/writes.ts#importPosts write profiles (prisma, line 96)',
    ]);
  });

  test('include and select read the related tables, relations of relations too; `false` is not a read', () => {
    assert.deepEqual(of('src/reads.ts', 'feed'), [
      'src/reads.ts#feed read posts (prisma, line 7)',
      'src/reads.ts#feed read users (prisma, line 9)',
      'src/reads.ts#feed read Category (prisma, line 11)',
      'src/reads.ts#feed read _CategoryToPost (prisma, line 11)',
      'src/reads.ts#feed read Tag (prisma, line 13)',
      'src/reads.ts#feed read _CategoryToPost (prisma, line 13)',
      'src/reads.ts#feed read _PostTags (prisma, line 13)',
      'src/reads.ts#feed read posts (prisma, line 13)',
    ]);
    assert.ok(!of('src/reads.ts', 'feed').some((a) => a.includes('comments')), 'comments: false is not read');
  });

  test('relation filters in where (to-one shorthand, some/none under AND) and orderBy by a relation read', () => {
    assert.deepEqual(of('src/reads.ts', 'search'), [
      'src/reads.ts#search read posts (prisma, line 22)',
      'src/reads.ts#search read profiles (prisma, line 24)',
      'src/reads.ts#search read users (prisma, line 24)',
      'src/reads.ts#search read Tag (prisma, line 25)',
      'src/reads.ts#search read _PostTags (prisma, line 25)',
      'src/reads.ts#search read comments (prisma, line 25)',
      'src/reads.ts#search read users (prisma, line 27)',
    ]);
    // a self many-to-many filter, and an include of the @@map(name: …) model
    assert.deepEqual(of('src/reads.ts', 'followers'), [
      'src/reads.ts#followers read _Follows (prisma, line 54)',
      'src/reads.ts#followers read profiles (prisma, line 54)',
      'src/reads.ts#followers read users (prisma, line 54)',
    ]);
  });

  test('arguments held by a const: in the same function on their own lines, at module level where used', () => {
    assert.deepEqual(of('src/reads.ts', 'byArgs'), [
      'src/reads.ts#byArgs read Category (prisma, line 35)',
      'src/reads.ts#byArgs read _CategoryToPost (prisma, line 35)',
      'src/reads.ts#byArgs read posts (prisma, line 37)',
      'src/reads.ts#byArgs read posts (prisma, line 38)',
      'src/reads.ts#byArgs read users (prisma, line 38)',
    ]);
    assert.ok(!accesses(facts).some((a) => a.includes('#<module>')), 'the module-level const is no access of its own');
  });

  test('_count of a relation with a filter, and the fluent API', () => {
    assert.deepEqual(of('src/reads.ts', 'stats'), [
      'src/reads.ts#stats read users (prisma, line 44)',
      'src/reads.ts#stats read Tag (prisma, line 46)',
      'src/reads.ts#stats read _PostTags (prisma, line 46)',
      'src/reads.ts#stats read posts (prisma, line 46)',
      'src/reads.ts#stats read comments (prisma, line 48)',
      'src/reads.ts#stats read posts (prisma, line 48)',
      'src/reads.ts#stats read users (prisma, line 48)',
    ]);
  });

  test('arguments that are not literals: only the table of the call, no guess', () => {
    assert.deepEqual(of('src/reads.ts', 'custom'), ['src/reads.ts#custom read posts (prisma, line 59)']);
    assert.deepEqual(of('src/writes.ts', 'passThrough'), ['src/writes.ts#passThrough write posts (prisma, line 82)', 'src/writes.ts#passThrough write users (prisma, line 83)']);
  });

  test('a route handler reaches the related tables of its include', () => {
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/users/:id/posts')), ['read Category', 'read _CategoryToPost', 'read posts', 'read users']);
  });

  test('every access is one the fixture asks for: nothing else, no warnings', () => {
    assert.equal(accesses(facts).length, 72);
    assert.deepEqual(facts.warnings, []);
  });
});

describe('Prisma schema relations', () => {
  const relationsOf = (text: string, model: string): Record<string, string> => {
    const m = parsePrismaSchemas([{ rel: 'schema.prisma', text }]).models.find((x) => x.name === model)!;
    return Object.fromEntries([...m.relations].map(([field, r]) => [field, `${r.target.name} ${r.link}${r.join ? ` ${r.join}` : ''}`]));
  };

  test('an unnamed many-to-many is named by the two model names in alphabetical order, from either side', () => {
    const text = 'model Zebra {\n  id Int @id\n  apples Apple[]\n}\nmodel Apple {\n  id Int @id\n  zebras Zebra[]\n}\n';
    assert.deepEqual(relationsOf(text, 'Zebra'), { apples: 'Apple join _AppleToZebra' });
    assert.deepEqual(relationsOf(text, 'Apple'), { zebras: 'Zebra join _AppleToZebra' });
  });

  test('one-to-one and one-to-many: the side with fields keeps the foreign key', () => {
    const text = [
      'model User {', '  id Int @id', '  profile Profile?', '  posts Post[]', '}',
      'model Profile {', '  id Int @id', '  user User @relation(fields: [userId], references: [id])', '  userId Int @unique', '}',
      'model Post {', '  id Int @id', '  author User? @relation(fields: [authorId], references: [id])', '  authorId Int?', '}',
    ].join('\n');
    assert.deepEqual(relationsOf(text, 'User'), { profile: 'Profile target', posts: 'Post target' });
    assert.deepEqual(relationsOf(text, 'Profile'), { user: 'User own' });
    assert.deepEqual(relationsOf(text, 'Post'), { author: 'User own' });
  });

  test('MongoDB many-to-many (id lists on both sides) has no join table', () => {
    const text = [
      'model Post {', '  id String @id', '  categoryIDs String[]', '  categories Category[] @relation(fields: [categoryIDs], references: [id])', '}',
      'model Category {', '  id String @id', '  postIDs String[]', '  posts Post[] @relation(fields: [postIDs], references: [id])', '}',
    ].join('\n');
    assert.deepEqual(relationsOf(text, 'Post'), { categories: 'Category both' });
    assert.deepEqual(parsePrismaSchemas([{ rel: 's', text }]).joins, []);
  });

  test('relations are paired across the files of a multi-file schema', () => {
    const { models, joins } = parsePrismaSchemas([
      { rel: 'schema/post.prisma', text: 'model Post {\n  id Int @id\n  tags Tag[]\n}\n' },
      { rel: 'schema/tag.prisma', text: 'model Tag {\n  id Int @id\n  posts Post[]\n  @@map("tags")\n}\n' },
    ]);
    assert.equal(models.find((m) => m.name === 'Post')!.relations.get('tags')!.target.table, 'tags');
    assert.deepEqual(joins, [{ table: '_PostToTag', file: 'schema/post.prisma', line: 3 }]);
  });
});

describe('prisma: a client the prisma-client generator writes into the project', () => {
  test("an import of the generator's output folder is the Prisma client, not a file that cannot be resolved", async () => {
    const facts = await factsOf('prisma-generated');
    // the folder does not exist (prisma generate makes it); a genuinely missing file is still reported
    assert.deepEqual(facts.warnings.map((w) => w.message), ["src/books.ts:2: cannot resolve './missing'"]);
    assert.deepEqual(facts.files.find((f) => f.path === 'src/db.ts')?.externals, ['@prisma/client']);
    assert.deepEqual(accesses(facts), ['src/books.ts#listBooks read books (prisma, line 4)']);
  });
});

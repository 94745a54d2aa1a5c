import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrismaSchemas } from '../../../analyzer/extract/prisma-schema.ts';

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

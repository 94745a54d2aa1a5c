import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Facts } from '../../../analyzer/index.ts';
import { factsOf } from './fixture.ts';

// NodeBB's shape: src/database.js requires the backend the configuration names (`require('./database/' + name)`),
// the backend makes the client inside init() and hands it, with its own module object, to the files that add
// the database functions (`require('./redis/hash')(redisClient, module)`); the app calls `db.getObject(key)`.
describe('a database facade over Redis (NodeBB-shaped)', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('redis-facade');
  });

  test('a require of a literal folder + a run-time name depends on every source file that folder can name', () => {
    const edges = facts.imports.filter((e) => e.from === 'src/database.js').map((e) => `${e.to} ${e.kind} ${e.specifier} line ${e.line}`);
    assert.deepEqual(edges, [
      "src/database/mongo.js require './database/' + … line 7",
      "src/database/redis.js require './database/' + … line 7",
    ]);
    assert.ok(!facts.warnings.some((w) => w.file === 'src/database.js'), JSON.stringify(facts.warnings));
  });
});

describe('a Redis client made inside a function and handed on through arguments and a module object', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('redis-facade');
  });

  test("the backend's own keys: commands on the client a file receives as a parameter, and on module.client", () => {
    const backend = facts.tables.filter((t) => t.file.startsWith('src/database/')).map((t) => `${t.file}#${t.function} ${t.access} ${t.table} (line ${t.line})`);
    assert.deepEqual(backend, [
      'src/database/redis/hash.js#module.incrObjectField write redis:counters: (line 18)',
      'src/database/redis/main.js#module.flushCache write redis:cache:all (line 14)',
      // the arguments as one array (node-redis v2/v3): its first element is the key, the rest are not
      'src/database/redis/sorted.js#module.getRecentPosts read redis:posts:recent (line 19)',
    ]);
  });
});

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

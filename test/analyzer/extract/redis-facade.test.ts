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

  test('a template with its extension written names the files with that ending; a prefix naming no folder names none', () => {
    const edges = facts.imports.filter((e) => e.from === 'src/plugins.js').map((e) => `${e.to} ${e.specifier} line ${e.line}`);
    assert.deepEqual(edges, ["src/hooks/created.js './hooks/' + … + '.js' line 5", "src/hooks/deleted.js './hooks/' + … + '.js' line 5"]);
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
      'src/database/redis/main.js#module.flushCache write redis:cache:all (line 21)',
      // the arguments as one array (node-redis v2/v3): its first element is the key, the rest are not
      'src/database/redis/sorted.js#module.getRecentPosts read redis:posts:recent (line 43)',
    ]);
  });
});

describe("the keys the app gives the facade's functions (db.getObject('user:' + uid))", () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('redis-facade');
  });

  test('a key parameter of a function added to the module object is read at each call on the facade, the access the caller\'s', () => {
    const app = facts.tables.filter((t) => !t.file.startsWith('src/database/')).map((t) => `${t.file}#${t.function} ${t.access} ${t.table} (line ${t.line})`);
    assert.deepEqual(app, [
      // db.getObject(…) over hgetall(key); db.getObjectField / db.setObject; db.exists over module.client.exists(key)
      'src/topics.js#create write redis:topics:tid (line 6)',
      // two helpers deep: getSortedSetRange → module.getSortedSetRangeWithScores → zrange
      'src/topics.js#recent read redis:topics:recent (line 10)',
      'src/topics.js#purge write redis:topic: (line 14)',
      // client[method](params) in a helper: the command its caller names, with the key that same call gives,
      // read or written as that command does
      'src/topics.js#popular read redis:topics:views (line 18)',
      'src/topics.js#trim write redis:topics:old (line 22)',
      // helpers.multiKeyValues(redisClient, 'zrem', key, …) over `helpers.multiKeyValues = function (…) {…}`, the helpers
      // module held by `module.helpers.redis`: the command and key its caller gives
      'src/topics.js#unpin write redis:topics:pinned (line 32)',
      // an array of keys written out and given as the key: each of its keys
      'src/topics.js#pinnedAndRecent read redis:topics:pinned (line 37)',
      'src/topics.js#pinnedAndRecent read redis:topics:recent (line 37)',
      // keys[i] over a helper's array parameter (helpers.multiKeys): each key of the array the caller writes out
      'src/topics.js#counts read redis:topics:tid (line 41)',
      'src/topics.js#counts read redis:topics:views (line 41)',
      'src/topics.js#clear write redis:topics:old (line 45)',
      'src/topics.js#clear write redis:topics:stale (line 45)',
      'src/user.js#User.getUserData read redis:user: (line 8)',
      'src/user.js#User.setUserField read redis:user: (line 12)',
      'src/user.js#User.setUserField write redis:user: (line 13)',
      'src/user.js#User.exists read redis:user: (line 18)',
    ]);
  });

  test('a key made at run time gives nothing but one warning where it is made; a look-alike object gives nothing', () => {
    const redis = facts.warnings.filter((w) => w.message.includes('Redis key')).map((w) => w.message.replace(/;.*/, ''));
    // User.getAny(key) is called nowhere: its key is one no caller gives, not one made at run time
    // User.getHistory is handed to process.nextTick, User.getLatest called by a name in a string: calls not seen, so that is what it says
    assert.deepEqual(redis, [
      'src/user.js:27: no caller in the project gives the Redis key of User.getAny (key)',
      'src/user.js:32: the Redis key of User.getHistory is given by calls not followed (the function is passed on as a value) (set)',
      'src/user.js:41: the Redis key of User.getLatest is given by calls not followed (the function is named in a string) (set)',
    ]);
    assert.ok(!facts.tables.some((t) => t.file === 'src/topics.js' && t.line === 28));
  });
});

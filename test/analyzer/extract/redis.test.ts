import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, type Facts, type Plan } from '../../../analyzer/index.ts';
import { renderMarkdown } from '../../../analyzer/report/markdown.ts';
import { accesses, assertShared, factsOf, findRoute, fixture, handlerTables } from './fixture.ts';

describe('tables: Redis through ioredis and node-redis', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('redis-app');
  });

  test('each command with a key is an access of its key prefix, read or written as the command does', () => {
    assert.deepEqual(accesses(facts), [
      // a pipeline held in a variable; a fully static key is its own resource
      'admin/stats.ts#dailyStats read redis:visitors: (redis, line 7)',
      'admin/stats.ts#dailyStats read redis:leaderboard (redis, line 8)',
      // mset({ static: …, [`computed:${x}`]: … }); multi([[command, key, …], …]); a store command on a Cluster
      'admin/stats.ts#reset write redis:config:flags (redis, line 13)',
      'admin/stats.ts#reset write redis:stock: (redis, line 13)',
      'admin/stats.ts#reset write redis:counters:resets (redis, line 14)',
      'admin/stats.ts#reset write redis:maintenance (redis, line 14)',
      'admin/stats.ts#reset write redis:tags:all (redis, line 15)',
      'admin/stats.ts#reset read redis:tags:new (redis, line 15)',
      'admin/stats.ts#reset read redis:tags:sale (redis, line 15)',
      // call('GET', key); scan(cursor, 'MATCH', 'session:*'): the pattern's static part
      'admin/stats.ts#reset read redis:config:flags (redis, line 16)',
      'admin/stats.ts#reset read redis:session: (redis, line 17)',
      // keys given to helpers (cached(key, load), forget(key) over redis.del(key)): the caller's
      'admin/stats.ts#clearCategories write redis:categories:all (redis, line 33)',
      'admin/stats.ts#report read redis:report: (redis, line 37)',
      'admin/stats.ts#report write redis:report: (redis, line 37)',
      // keys that start with run-time segments and name their kind after them: `*` for each such segment
      'auth/devices.ts#remember write redis:*:devices (redis, line 5)',
      'auth/devices.ts#devices read redis:*:devices (redis, line 9)',
      'auth/devices.ts#lastSeen read redis:*:*:seen: (redis, line 13)',
      'auth/devices.ts#allDevices read redis:*:devices (redis, line 18)',
      // multi().incr().expire().exec() chained in place
      'auth/rate-limit.ts#rateLimit write redis:rl: (redis, line 8)',
      'auth/rate-limit.ts#rateLimit write redis:rl: (redis, line 9)',
      // a client imported from a project module; keys made by sessionKey(id) over an imported const prefix,
      // by KEYS.csrf(id) (['csrf', id].join(':')), by a const in the function, by a template
      'auth/session.ts#login write redis:session: (redis, line 9)',
      'auth/session.ts#login write redis:csrf: (redis, line 10)',
      'auth/session.ts#whoami read redis:session: (redis, line 16)',
      'auth/session.ts#logout write redis:csrf: (redis, line 21)',
      'auth/session.ts#logout write redis:session: (redis, line 21)',
      // node-redis in CommonJS: a client `require`d from module.exports, camelCase commands, `CART + id`,
      // multi() chained and multi() held in a variable
      'cart/cart.js#getCart read redis:session: (redis, line 8)',
      'cart/cart.js#getCart read redis:cart: (redis, line 10)',
      'cart/cart.js#addItem write redis:cart: (redis, line 16)',
      'cart/cart.js#addItem write redis:cart: (redis, line 17)',
      'cart/cart.js#clearCart write redis:cart: (redis, line 24)',
      'cart/cart.js#clearCart write redis:events:cart (redis, line 25)',
      // `await createClient().connect()` from @redis/client; scanIterator({ MATCH }); pub/sub left out
      'catalog/flags.ts#flags read redis:config:flags (redis, line 9)',
      'catalog/flags.ts#productKeys read redis:product: (redis, line 14)',
      // a property typed by the project's alias of ReturnType<typeof createClient>, called through `?.`
      'catalog/hits.ts#HitCounter.hit write redis:hits (redis, line 9)',
      // node-redis's reply variants: zRangeWithScores is zRange, sRandMemberCount sRandMember, zPopMinCount zPopMin
      'catalog/leaderboard.ts#Leaderboard.top read redis:leaderboard (redis, line 8)',
      'catalog/leaderboard.ts#Leaderboard.sample read redis:players (redis, line 12)',
      'catalog/leaderboard.ts#Leaderboard.popLowest write redis:leaderboard (redis, line 16)',
      'catalog/leaderboard.ts#Leaderboard.bump write redis:leaderboard (redis, line 20)',
      // this.redis typed RedisClientType; mGet([a, b]) reads each key
      'catalog/product-cache.ts#ProductCache.get read redis:product: (redis, line 9)',
      'catalog/product-cache.ts#ProductCache.put write redis:product: (redis, line 13)',
      'catalog/product-cache.ts#ProductCache.pair read redis:product: (redis, line 17)',
      // a route handler calling the cache helper
      'catalog/routes.ts#<anonymous@18> read redis:categories:all (redis, line 19)',
      'catalog/routes.ts#<anonymous@18> write redis:categories:all (redis, line 19)',
      // a project class that extends ioredis's Redis: a property typed by it, `this` inside a subclass, `new` of it
      'catalog/wrapped.ts#Wishlist.add write redis:wishlist: (redis, line 10)',
      'catalog/wrapped.ts#RecentlyViewed.list read redis:recent: (redis, line 16)',
      'catalog/wrapped.ts#clearWishlist write redis:wishlist: (redis, line 23)',
      // keyOf('compare', user) over `(...parts) => parts.join(':')`
      'catalog/wrapped.ts#compare write redis:compare: (redis, line 32)',
      // node-redis v3 commands with a callback: `get(key, cb)` / `del(key, cb)`
      'orders/legacy.js#loadPrefs read redis:prefs: (redis, line 7)',
      'orders/legacy.js#dropPrefs write redis:prefs: (redis, line 11)',
      // promisify(client.get).bind(client), promisify(client.hset): the command of the promisified copy
      'orders/legacy.js#loadSettings read redis:settings: (redis, line 25)',
      'orders/legacy.js#saveSetting write redis:settings: (redis, line 29)',
      // a client typed by node-redis v3's RedisClient, commands with a callback
      'orders/otp.ts#OtpStore.check read redis:otp: (redis, line 8)',
      'orders/otp.ts#OtpStore.forget write redis:otp: (redis, line 12)',
      // JavaScript's this.redis = new Redis() in the constructor; brpop(key, key, timeout)
      'orders/queue.js#OrderQueue.push write redis:queue:orders (redis, line 9)',
      'orders/queue.js#OrderQueue.next write redis:queue:orders (redis, line 13)',
      'orders/queue.js#OrderQueue.next write redis:queue:retries (redis, line 13)',
      // 'seen_' + id: no ':' in the static lead, which is the prefix as it stands
      'orders/queue.js#OrderQueue.seen read redis:seen_ (redis, line 18)',
    ]);
  });

  test('a key with no static part is a warning where it is made, and its command is not guessed', () => {
    assert.deepEqual(
      facts.warnings.map((w) => w.message),
      [
        // a key parameter of a function nothing in the project calls: not a key made at run time
        'admin/stats.ts:23: no caller in the project gives the Redis key of getAny (key); its reads and writes are not reported',
        'admin/stats.ts:27: Redis key is made at run time with no static prefix (`${ns}:${id}`); its reads and writes are not reported',
        // forgetAny(k) → forget(key) → redis.del(key): where the key comes from, two helpers up
        'admin/stats.ts:40: no caller in the project gives the Redis key of forgetAny (k); its reads and writes are not reported',
        'admin/stats.ts:45: the Redis key of forget3 is given four or more helpers up, past the three followed (k); its reads and writes are not reported',
      ],
    );
    assert.ok(!facts.tables.some((t) => ['getAny', 'tenantData', 'forgetAny', 'clearFar', 'forget3'].includes(t.function)));
    // the helpers themselves touch nothing of their own
    assert.deepEqual(facts.tables.filter((t) => t.file === 'db/cached.ts'), []);
  });

  test('pub/sub channels are not resources', () => {
    assert.ok(!facts.tables.some((t) => t.table.includes('product-updates') || t.table.startsWith('redis:shard')));
    assert.deepEqual(facts.tables.filter((t) => t.function === 'announce'), []);
  });

  test('look-alikes: get/set/del on a Map and on a plain object', () => {
    assert.deepEqual(facts.tables.filter((t) => t.file === 'admin/look-alikes.ts'), []);
  });

  test('a command with a callback on a Redis client is not a route with a path made at run time', () => {
    // a client made in place (legacy.js) and one known by its declared type (otp.ts)
    assert.deepEqual(facts.unresolvedRoutes.filter((r) => r.file.startsWith('orders/')), []);
    assert.ok(!facts.routes.some((r) => r.file.startsWith('orders/')));
  });

  test('route handlers join to the Redis prefixes they touch', () => {
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/auth/login')), ['write redis:csrf:', 'write redis:session:']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/api/cart/:userId')), ['read redis:cart:', 'read redis:session:']);
    // through the cache helper, whose key the handler makes
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/catalog/categories')), ['read redis:categories:all', 'write redis:categories:all']);
  });
});

describe('analyze(): a Redis prefix two services touch is shared state', () => {
  let plan: Plan;
  before(async () => {
    ({ plan } = await analyze(fixture('redis-app'), { pinsFile: false }));
  });

  test('redis:session:, written by the auth handlers and read by the cart handlers, is a shared table with an owner', () => {
    assertShared(plan, 'redis:session:', 'auth/session.ts', 'cart/cart.js');
    assert.match(renderMarkdown(plan), /\| `redis:session:` \|/);
  });
});

// Arrays of Redis keys made with `.map()` (NodeBB: `keys = uids.map(uid => 'user:' + uid)` given to `db.getObjects(keys)`):
// every element is the key the callback returns, so its prefix is the array's; a callback whose returns disagree, or
// a variable given another value, stays a warning.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { accesses } from './fixture.ts';
import { tempProjects } from './temp-project.ts';

// the backend: a module object whose functions take an array of keys, each read in a loop
const backend = `(function (module) {
  var redisClient = require('redis').createClient();
  module.client = redisClient;
  module.getObjects = function (keys, callback) {
    var multi = redisClient.multi();
    for (var i = 0; i < keys.length; ++i) {
      multi.hgetall(keys[i]);
    }
    multi.exec(callback);
  };
}(exports));
`;

// and a function taking one key
const withRange = backend.replace('}(exports));', `  module.getSortedSetRange = function (key, start, stop, callback) {
    redisClient.zrange(key, start, stop, callback);
  };
}(exports));`);

describe('Redis keys in arrays made with map()', () => {
  const project = tempProjects('redis-key-arrays');

  test("a map callback's returned template or concatenation is every element's key", async () => {
    const facts = await extractFacts(project({
      'src/database.js': backend,
      'src/user.js': `var db = require('./database');
exports.getUsers = function (uids, callback) {
  var keys = uids.map(function (uid) {
    return 'user:' + uid;
  });
  db.getObjects(keys, callback);
};
exports.getRewards = function (ids, callback) {
  db.getObjects(ids.map((id) => \`rewards:id:\${id}\`), callback);
};
`,
      'src/sessions.js': `const client = require('redis').createClient();
exports.clear = function (uids) {
  const sessions = uids.map((uid) => 'session:' + uid + ':data');
  return client.del(sessions);
};
`,
    }));
    assert.deepEqual(accesses(facts), [
      'src/sessions.js#clear write redis:session: (redis, line 4)',
      'src/user.js#getUsers read redis:user: (redis, line 6)',
      'src/user.js#getRewards read redis:rewards:id: (redis, line 9)',
    ]);
    assert.deepEqual(facts.warnings.filter((w) => w.message.includes('Redis key')), []);
  });

  test('returns that disagree, a variable given another value, and a map of a project object stay warnings', async () => {
    const facts = await extractFacts(project({
      'src/database.js': backend,
      'src/list.js': `exports.map = function (fn) { return fn('x'); };\n`,
      'src/user.js': `var db = require('./database');
var list = require('./list');
exports.mixed = function (ids, callback) {
  var keys = ids.map(function (id) {
    if (id < 0) return 'guest:' + id;
    return 'user:' + id;
  });
  db.getObjects(keys, callback);
};
exports.grown = function (uids, callback) {
  var keys = uids.map(function (uid) { return 'user:' + uid; });
  keys = keys.concat(['global:' + uids.length]);
  db.getObjects(keys, callback);
};
exports.own = function (callback) {
  db.getObjects(list.map(function (id) { return 'user:' + id; }), callback);
};
`,
    }));
    assert.deepEqual(accesses(facts), []);
    assert.deepEqual(facts.warnings.filter((w) => w.message.includes('Redis key')).map((w) => w.message.replace(/; its reads.*/, '')), [
      // read where the array is given, as a warning on an array of keys always was
      'src/user.js:8: Redis key is made at run time with no static prefix (keys)',
      'src/user.js:13: Redis key is made at run time with no static prefix (keys)',
      "src/user.js:16: Redis key is made at run time with no static prefix (list.map(function (id) { return 'user:' + id; }))",
    ]);
  });

  test('arrays joined with concat(), grown with push(), and a key chosen by a condition: each key they may hold', async () => {
    const facts = await extractFacts(project({
      'src/database.js': withRange,
      'src/topics.js': `var db = require('./database');
exports.getTopics = function (tids, callback) {
  var keys = [];
  for (var i = 0; i < tids.length; ++i) {
    keys.push('topic:' + tids[i]);
  }
  db.getObjects(keys, callback);
};
exports.getWatchers = function (followers, ignorers, callback) {
  var followerKeys = followers.map(function (uid) { return 'uid:' + uid + ':followed_tids'; });
  var ignorerKeys = ignorers.map(function (uid) { return 'ignored:' + uid; });
  db.getObjects(followerKeys.concat(ignorerKeys), callback);
};
exports.getPosts = function (tid, byVotes, callback) {
  var set = byVotes ? 'tid:' + tid + ':posts:votes' : 'posts:recent';
  db.getSortedSetRange(set, 0, -1, callback);
};
exports.getChanged = function (tids, callback) {
  var keys = ['topics:recent'];
  keys.push('topic:' + tids[0]);
  keys = keys.filter(Boolean);
  db.getObjects(keys, callback);
};
`,
    }));
    assert.deepEqual(accesses(facts), [
      'src/topics.js#getTopics read redis:topic: (redis, line 7)',
      'src/topics.js#getWatchers read redis:ignored: (redis, line 12)',
      'src/topics.js#getWatchers read redis:uid: (redis, line 12)',
      'src/topics.js#getPosts read redis:posts:recent (redis, line 16)',
      'src/topics.js#getPosts read redis:tid: (redis, line 16)',
    ]);
    // an array given another value is not known
    assert.deepEqual(facts.warnings.filter((w) => w.message.includes('Redis key')).map((w) => w.message.replace(/; its reads.*/, '')), [
      'src/topics.js:22: Redis key is made at run time with no static prefix (keys)',
    ]);
  });
});

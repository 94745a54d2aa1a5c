// A module's exports object built member by member (module-objects.ts): a variable is that object only while nothing
// gives it another value, which is read from the tree (the same variable assigned), not from the file's text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { accesses } from './fixture.ts';
import { tempProjects } from './temp-project.ts';

// NodeBB's shape: the backend adds to `exports` through an IIFE's parameter, the type checker follows none of it
const backend = `(function (module) {
  module.client = require('redis').createClient();
  module.helpers = module.helpers || {};
  module.helpers.redis = require('./redis-helpers');
}(exports));
`;

const helpers = (more: string): string => `var helpers = {};
helpers.getObject = function (redisClient, key, callback) {
  redisClient.hgetall(key, callback);
};
${more}module.exports = helpers;
`;

const user = (more: string): string => `var db = require('./db');
var helpers = db.helpers.redis;
exports.get = function (uid, callback) {
  helpers.getObject(db.client, 'user:' + uid, callback);
};
${more}`;

describe('module objects: a variable given nothing else', () => {
  const project = tempProjects('module-objects');

  test('`helpers = …` in a comment, a string or another scope does not make a variable holding a module object another value', async () => {
    const facts = await extractFacts(project({
      'src/db.js': backend,
      'src/redis-helpers.js': helpers(`// helpers = require('./legacy-helpers') was the old layout
helpers.describe = function () { return 'helpers = redis'; };
`),
      'src/user.js': user(`exports.wrap = function (key) {
  var helpers = { key: key };
  return helpers;
};
`),
    }));
    assert.deepEqual(accesses(facts), ['src/user.js#get read redis:user: (redis, line 4)']);
    assert.deepEqual(facts.warnings.filter((w) => w.message.includes('Redis key')), []);
  });

  test('a variable given another value (assigned, destructured into, declared again) is not followed', async () => {
    for (const again of ['helpers = Object.assign({}, helpers);\n', '[helpers] = [Object.create(helpers)];\n', 'var helpers = Object.create(null);\n']) {
      const facts = await extractFacts(project({
        'src/db.js': backend,
        'src/redis-helpers.js': helpers(''),
        'src/user.js': user(again),
      }));
      assert.deepEqual(accesses(facts), [], again);
    }
  });
});

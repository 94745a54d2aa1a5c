// An array grown by a push() called off it (`keys.push.apply(keys, more)`, `Array.prototype.push.call(routers, b)`:
// ES5 code's way to append a list) holds what is not known: the elements it was written with are not all of it.
// These pushes went unseen, so a loop read only the written elements and a Redis key array only its literal keys.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { accesses } from './fixture.ts';
import { tempProjects } from './temp-project.ts';

const backend = `(function (module) {
  var redisClient = require('redis').createClient();
  module.getObjects = function (keys, callback) {
    var multi = redisClient.multi();
    for (var i = 0; i < keys.length; ++i) {
      multi.hgetall(keys[i]);
    }
    multi.exec(callback);
  };
}(exports));
`;

describe('arrays grown through push.apply / push.call', () => {
  const project = tempProjects('array-borrowed-push');

  test('a loop over routers grown by push.apply or Array.prototype.push.call (here or where it is handed) is not read as the routers written out', async () => {
    // also in a function the array is handed to
    for (const grow of ['routers.push.apply(routers, more);', 'Array.prototype.push.call(routers, b);', 'function addMore(list) { Array.prototype.push.call(list, b); }\naddMore(routers);']) {
      const facts = await extractFacts(project({
        'src/app.js': `const express = require('express');
const app = express();
const a = express.Router();
const b = express.Router();
const more = [b];
const routers = [a];
${grow}
for (const r of routers) app.use('/x', r);
a.get('/a', (req, res) => res.send('a'));
b.get('/b', (req, res) => res.send('b'));
app.listen(3000);
`,
      }));
      // not '/x/a' alone with b unmounted: the loop's routers are not known, so neither is said to be under /x
      assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path}`).sort(), ['GET /a', 'GET /b'], grow);
    }
  });

  test("a Redis key array grown by push.apply is not read as its literal keys alone", async () => {
    const facts = await extractFacts(project({
      'src/database.js': backend,
      'src/topics.js': `var db = require('./database');
exports.getChanged = function (more, callback) {
  var keys = ['topics:recent'];
  keys.push.apply(keys, more);
  db.getObjects(keys, callback);
};
`,
    }));
    assert.deepEqual(accesses(facts), []);
    assert.deepEqual(facts.warnings.filter((w) => w.message.includes('Redis key')).map((w) => w.message.replace(/; its reads.*/, '')), [
      'src/topics.js:5: Redis key is made at run time with no static prefix (keys)',
    ]);
  });
});

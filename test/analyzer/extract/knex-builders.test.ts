// A helper handing back a knex builder its caller finishes (`db.q('users').select()`, also on a module object an IIFE
// returns): what the caller chains decides read or write, the table is the one the helper is given or names.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { accesses } from './fixture.ts';
import { tempProjects } from './temp-project.ts';

describe('knex: builders a helper hands back', () => {
  const project = tempProjects('knex-builders');

  test("the caller's chain on a helper's builder is the access, on the table the caller gives or the helper names", async () => {
    const facts = await extractFacts(project({
      'src/db.js': `const knex = require('knex')({ client: 'pg' });
const db = (function () {
  return {
    q: function (t) { return knex(t); },
    sessions: () => knex('sessions'),
  };
})();
module.exports = db;
`,
      'src/users.js': `const db = require('./db');
exports.all = function () { return db.q('users').select('id'); };
exports.add = function (user) { return db.q('users').insert(user); };
exports.logout = function (id) { return db.sessions().where({ id }).del(); };
exports.count = function () { return db.q('orders').join('users', 'users.id', 'orders.user_id').count(); };
// not a query: the builder handed on, then nothing known is done with it
exports.raw = function () { return wrap(db.q('audit')); };
function wrap(builder) { return builder; }
`,
    }));
    assert.deepEqual(accesses(facts), [
      'src/users.js#all read users (knex, line 2)',
      'src/users.js#add write users (knex, line 3)',
      'src/users.js#logout write sessions (knex, line 4)',
      'src/users.js#count read orders (knex, line 5)',
      'src/users.js#count read users (knex, line 5)',
    ]);
  });
});

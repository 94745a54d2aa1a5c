// A project function handed to an array's `forEach`/`map` is called with each element: a handler, a knex table or a
// Bookshelf model its parameter is given is read at those elements; an array not known statically leaves the callers
// unknown, so rules that need every caller to agree give nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { accesses } from './fixture.ts';
import { tempProjects } from './temp-project.ts';

const handlers = (facts: Facts): string[] => facts.routes.map((r) => `${r.method} ${r.path} ${r.handler.kind} ${r.handler.kind === 'unresolved' ? r.handler.name : `${r.handler.file}#${r.handler.name}`}`);

const controllers = {
  'src/controllers/books.js': `exports.list = function (req, res) { res.end(); };\n`,
  'src/controllers/authors.js': `exports.list = function (req, res) { res.end(); };\n`,
};

describe('calls through callbacks', () => {
  const project = tempProjects('callback-calls');

  test('a handler parameter given by the elements of an array a forEach hands it; callers that disagree or are not known leave it unresolved', async () => {
    const facts = await extractFacts(project({
      ...controllers,
      'src/app.js': `const express = require('express');
const app = express();
const books = require('./controllers/books');
const authors = require('./controllers/authors');

// only through forEach: read at its one element
function registerOne(ctrl) {
  app.get('/one', ctrl.list);
}
[books].forEach(registerOne);

// a direct call and a forEach over another controller: the callers disagree
function registerTwo(ctrl) {
  app.get('/two', ctrl.list);
}
registerTwo(books);
const others = [authors];
others.forEach(registerTwo);

// a direct call and a map over an array nobody knows: not known
function registerThree(ctrl) {
  app.get('/three', ctrl.list);
}
registerThree(books);
module.exports = function (list) { list.map(registerThree); };

app.listen(3000);
`,
    }));
    assert.deepEqual(handlers(facts).sort(), [
      'GET /one named src/controllers/books.js#list',
      'GET /three unresolved ctrl.list',
      'GET /two unresolved ctrl.list',
    ]);
  });

  test('a knex helper given its table by each element; a Bookshelf helper given models that disagree reads none', async () => {
    const facts = await extractFacts(project({
      'src/db.js': `const knex = require('knex')({ client: 'pg' });
function clear(table) {
  return knex(table).del();
}
function reset() {
  ['sessions', 'tokens'].forEach(clear);
}
module.exports = { reset };
`,
      'src/models.js': `const bookshelf = require('bookshelf')(require('knex')({ client: 'pg' }));
const Post = bookshelf.Model.extend({ tableName: 'posts' });
const Tag = bookshelf.Model.extend({ tableName: 'tags' });
function drop(Model) {
  return Model.where({ old: true }).destroy();
}
function dropPosts() {
  return drop(Post);
}
function dropAll() {
  return [Post, Tag].map(drop);
}
module.exports = { Post, Tag, dropPosts, dropAll };
`,
    }));
    assert.deepEqual(accesses(facts).filter((a) => !a.includes('#<module>')), [
      'src/db.js#reset write sessions (knex, line 6)',
      'src/db.js#reset write tokens (knex, line 6)',
    ]);
  });
  test('routers mounted and paths registered by a helper each element of an array is handed to', async () => {
    const facts = await extractFacts(project({
      'src/app.js': `const express = require('express');
const app = express();
const books = express.Router();
books.get('/books', function listBooks(req, res) { res.end(); });
const authors = express.Router();
authors.get('/authors', function listAuthors(req, res) { res.end(); });

function mount(router) {
  app.use('/api', router);
}
[books, authors].forEach(mount);

function page(path) {
  app.get(path, function render(req, res) { res.end(); });
}
const pages = ['/about', '/contact'];
pages.forEach(page);

app.listen(3000);
`,
    }));
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path}`).sort(), ['GET /about', 'GET /api/authors', 'GET /api/books', 'GET /contact']);
  });
});

// `promise.then(saveUser)`, `emitter.on('signup', sendWelcome)`, `rows.reduce(sum, 0)`: the runtime calls the function
// handed over, so it is a callee of the function handing it (call graph, services); what it is given is known only for
// an iteration's elements (reduce's second parameter), never for a promise's value or an event's arguments.
describe('callbacks handed to then, on and reduce', () => {
  const project = tempProjects('callback-then-on');
  const edges = (facts: Facts): string[] => facts.calls.edges.map((e) => `${e.from} -> ${e.to} x${e.count}`).sort();

  test('a named function given to then/catch, on/once, reduce or forEach is called by the function giving it', async () => {
    const facts = await extractFacts(project({
      'src/users.js': `const knex = require('knex')({ client: 'pg' });
exports.saveUser = function (user) { return knex('users').insert(user); };
exports.logFailure = function (err) { return knex('failures').insert({ message: String(err) }); };
exports.sendWelcome = function (user) { return knex('emails').insert({ to: user.email }); };
exports.addTotal = function (sum, order) { return sum + order.total; };
exports.index = function (user) { return knex('search').insert(user); };
const admins = [{ email: 'root@example.com' }];
exports.admins = admins;
`,
      'src/signup.js': `const { EventEmitter } = require('node:events');
const users = require('./users');
const events = new EventEmitter();
events.on('signup', users.sendWelcome);
function signup(input) {
  return validate(input).then(users.saveUser).catch(users.logFailure);
}
function validate(input) { return Promise.resolve(input); }
function total(orders) {
  return orders.reduce(users.addTotal, 0);
}
function reindex(list) {
  list.forEach(users.index);
  // the async package's map takes the array first: data, not a function it calls
  return require('async').map(users.admins, users.index);
}
module.exports = { signup, total, reindex, events };
`,
    }));
    assert.deepEqual(edges(facts), [
      'src/signup.js#<module> -> src/users.js#sendWelcome x1',
      'src/signup.js#reindex -> src/users.js#index x1',
      'src/signup.js#signup -> src/users.js#logFailure x1',
      'src/signup.js#signup -> src/users.js#saveUser x1',
      'src/signup.js#total -> src/users.js#addTotal x1',
    ]);
  });

  test("reduce gives its callback's second parameter each element; then and on give values not known", async () => {
    const facts = await extractFacts(project({
      'src/db.js': `const knex = require('knex')({ client: 'pg' });
function clearInto(count, table) {
  return knex(table).del();
}
function reset() {
  return ['sessions', 'tokens'].reduce(clearInto, 0);
}
module.exports = { reset };
`,
      'src/models.js': `const bookshelf = require('bookshelf')(require('knex')({ client: 'pg' }));
const Post = bookshelf.Model.extend({ tableName: 'posts' });
function drop(Model) {
  return Model.where({ old: true }).destroy();
}
function dropPosts() {
  return drop(Post);
}
function dropLater(ready) {
  return ready.then(drop);
}
function onExpire(bus) {
  bus.on('expired', drop);
}
module.exports = { Post, dropPosts, dropLater, onExpire };
`,
    }));
    // drop's Model is Post at one call, what a promise resolves to or an event carries at the others: no model is guessed
    assert.deepEqual(accesses(facts).filter((a) => !a.includes('#<module>')), [
      'src/db.js#reset write sessions (knex, line 6)',
      'src/db.js#reset write tokens (knex, line 6)',
    ]);
  });
});

// Older Node code's control flow (NodeBB): the async package calls what it is handed, `async.apply(fn, a, b)` with the
// arguments written after the function.
describe('callbacks handed to the async package', () => {
  const project = tempProjects('callback-async');
  const edges = (facts: Facts): string[] => facts.calls.edges.map((e) => `${e.from} -> ${e.to} x${e.count}`).sort();

  test('async.apply binds the arguments written after the function; each/map give the elements; waterfall/parallel call what they list', async () => {
    const facts = await extractFacts(project({
      'src/database.js': `(function (module) {
  var redisClient = require('redis').createClient();
  module.getObject = function (key, callback) {
    redisClient.hgetall(key, callback);
  };
  module.delete = function (key, callback) {
    redisClient.del(key, function (err) {
      callback(err);
    });
  };
}(exports));
`,
      'src/posts.js': `exports.getPosts = function (uid, callback) { callback(null, []); };
exports.count = function (list, callback) { callback(null, list.length); };
`,
      'src/user.js': `var async = require('async');
var db = require('./database');
var posts = require('./posts');
exports.getUser = function (uid, callback) {
  async.parallel({
    user: async.apply(db.getObject, 'user:' + uid),
    settings: async.apply(db.getObject, 'user:' + uid + ':settings'),
  }, callback);
};
exports.purge = function (callback) {
  async.each(['cache:users', 'cache:posts'], db.delete, callback);
};
exports.load = function (uid, callback) {
  async.waterfall([async.apply(posts.getPosts, uid), posts.count], callback);
};
exports.drop = function (callback) {
  async.series([db.delete], callback);
};
`,
    }));
    assert.deepEqual(accesses(facts), [
      'src/user.js#getUser read redis:user: (redis, line 6)',
      'src/user.js#getUser read redis:user: (redis, line 7)',
      'src/user.js#purge write redis:cache:posts (redis, line 11)',
      'src/user.js#purge write redis:cache:users (redis, line 11)',
    ]);
    assert.deepEqual(edges(facts), ['src/user.js#load -> src/posts.js#count x1', 'src/user.js#load -> src/posts.js#getPosts x1']);
    // db.delete handed to series gets a key not known: said once, where it is handed over
    assert.deepEqual(facts.warnings.filter((w) => w.message.includes('Redis key')).map((w) => w.message.replace(/; its reads.*/, '')), [
      'src/user.js:17: Redis key is made at run time with no static prefix (async.series([db.delete], callback))',
    ]);
  });
});

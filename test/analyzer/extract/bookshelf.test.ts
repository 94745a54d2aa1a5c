import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { accesses, declared, factsOf } from './fixture.ts';
import { tempProjects } from './temp-project.ts';

/** fixture files whose accesses a test of their own lists */
const OWN_TESTS = ['services/instances.js', 'services/helpers.js', 'services/returned.js', 'services/related.js', 'services/repositories.js', 'services/with-related.js'];

describe('tables: Bookshelf', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('bookshelf-app');
  });

  test('models extended from a bookshelf instance or a project base declare their tableName; a base without one declares none', () => {
    assert.deepEqual(declared(facts), [
      'collections bookshelf Collection models/collection.js:4',
      'members bookshelf Member models/member.js:3',
      'posts bookshelf Post models/post.js:7',
      // tableName through a const
      'tags bookshelf Tag models/tag.js:6',
    ]);
  });

  test('statics, forge/new instances and where/query chains, through the models index, destructuring and the registry', () => {
    assert.deepEqual(accesses(facts).filter((a) => !OWN_TESTS.some((file) => a.startsWith(file))), [
      // a bookshelf collection stands for its `model:`'s table, not for the model named `Collection`
      'models/collection.js#allPosts read posts (bookshelf, line 9)',
      // `this` in the model's own instance methods and statics
      'models/post.js#publish write posts (bookshelf, line 11)',
      'models/post.js#published read posts (bookshelf, line 23)',
      // `const { Member } = require('../models')`
      'services/members.js#allMembers read members (bookshelf, line 4)',
      'services/members.js#markPaid write members (bookshelf, line 8)',
      // `this.models.Post` on models injected and typed by a JSDoc `@typedef`: the model's registered name
      'services/post-emails.js#PostEmails.draftFor read posts (bookshelf, line 14)',
      // `models.Post` with `const models = require('../models')`, whose index exports them; `let Post; Post = …extend()`
      'services/posts.js#listPosts read posts (bookshelf, line 5)',
      'services/posts.js#getPost read posts (bookshelf, line 9)',
      'services/posts.js#addPost write posts (bookshelf, line 13)',
      'services/posts.js#editPost write posts (bookshelf, line 17)',
      'services/posts.js#removePost write posts (bookshelf, line 21)',
      'services/posts.js#createDraft write posts (bookshelf, line 25)',
      'services/posts.js#publicTags read tags (bookshelf, line 29)',
      'services/posts.js#tagCount read tags (bookshelf, line 33)',
      // `.query()` without arguments hands knex's builder over: its `del()` deletes
      'services/posts.js#purgeTags write tags (bookshelf, line 37)',
      // `db.model('Member')` fetches the model registered under that name
      'services/posts.js#memberById read members (bookshelf, line 41)',
      // withRelated: 'tags' (belongsToMany with a junction), 'author' (belongsTo a model value), 'tags.followers' (a
      // default junction, members_tags); 'revisions' is no relation of Post's and gives nothing
      'services/posts.js#postWithRelations read posts (bookshelf, line 49)',
      'services/posts.js#postWithRelations read members (bookshelf, line 50)',
      'services/posts.js#postWithRelations read members_tags (bookshelf, line 50)',
      'services/posts.js#postWithRelations read posts_tags (bookshelf, line 50)',
      'services/posts.js#postWithRelations read tags (bookshelf, line 50)',
      // `transaction()` is no access; the look-alikes (a Backbone model, a plain object's fetch/save, a
      // project object holding a member named `Post`) give none
    ]);
  });

  test('instances a model call hands back and then written, within one function: a variable (awaited or assigned later), a .then callback\'s first parameter, a relation of one, a collection\'s instances iterated, a model a repository was given; withRelated held in a variable', () => {
    assert.deepEqual(accesses(facts).filter((a) => a.startsWith('services/instances.js')), [
      // `const post = await models.Post.findOne(…)`, `const post = await Post.forge(…).fetch()`: read, then written
      'services/instances.js#retitle read posts (bookshelf, line 5)',
      'services/instances.js#retitle write posts (bookshelf, line 6)',
      'services/instances.js#unpublish read posts (bookshelf, line 10)',
      'services/instances.js#unpublish write posts (bookshelf, line 12)',
      // `let tag; tag = await …`
      'services/instances.js#removeTag read tags (bookshelf, line 17)',
      'services/instances.js#removeTag write tags (bookshelf, line 18)',
      // `.then((member) => member.destroy())`, `.then(function (member) { … member.save() })`
      'services/instances.js#removeMember read members (bookshelf, line 22)',
      'services/instances.js#removeMember write members (bookshelf, line 22)',
      'services/instances.js#renameMember read members (bookshelf, line 26)',
      'services/instances.js#renameMember write members (bookshelf, line 28)',
      // `const options = { withRelated: ['tags'] }; models.Post.findAll(options)`
      'services/instances.js#postsWithTags read posts_tags (bookshelf, line 33)',
      'services/instances.js#postsWithTags read tags (bookshelf, line 33)',
      'services/instances.js#postsWithTags read posts (bookshelf, line 34)',
      // the count, not what a cache, a plain object or a promise of a number is asked to save or destroy
      'services/instances.js#notModels read posts (bookshelf, line 43)',
      // `post.related('tags')` fetched; a collection's instances iterated (`for … of`, `.models.map(…)`), each destroyed or saved
      'services/instances.js#retagPost read posts (bookshelf, line 49)',
      'services/instances.js#retagPost read posts_tags (bookshelf, line 50)',
      'services/instances.js#retagPost read tags (bookshelf, line 50)',
      'services/instances.js#retagPost write tags (bookshelf, line 51)',
      'services/instances.js#retagPost read tags (bookshelf, line 52)',
      'services/instances.js#retagPost write tags (bookshelf, line 53)',
      // `this._Member = Member` from the constructor's `{ Member }`: the model registered under that name
      'services/instances.js#MemberRepository.rename read members (bookshelf, line 68)',
      'services/instances.js#MemberRepository.rename write members (bookshelf, line 69)',
    ]);
  });

  test('an instance handed to a helper as a parameter, or as a member of its argument, is the model every call of the helper gives, three helpers up', () => {
    assert.deepEqual(accesses(facts).filter((a) => a.startsWith('services/helpers.js')), [
      // `retitle(await models.Post.findOne({ id }), title)` and `retitle(post, …)` with a local holding a post
      'services/helpers.js#retitle write posts (bookshelf, line 6)',
      'services/helpers.js#retitleById read posts (bookshelf, line 10)',
      'services/helpers.js#retitleHeld read posts (bookshelf, line 14)',
      // handOnAgain → handOn → dropTag, each handing its parameter on
      'services/helpers.js#dropTag write tags (bookshelf, line 20)',
      'services/helpers.js#dropTagById read tags (bookshelf, line 32)',
      // `renameMember({ member: await models.Member.findOne({ id }), name })` with `({ member, name })`
      'services/helpers.js#renameMember write members (bookshelf, line 38)',
      'services/helpers.js#renameById read members (bookshelf, line 42)',
      // `touch` given a post and a tag, `persist` a post and a cache entry, `orphan` never called, `level4` four
      // helpers down, `replaced` reassigning its parameter: no write of theirs is read
      'services/helpers.js#touchBoth read posts (bookshelf, line 51)',
      'services/helpers.js#touchBoth read tags (bookshelf, line 52)',
      'services/helpers.js#persistAll read posts (bookshelf, line 61)',
      'services/helpers.js#deepest read members (bookshelf, line 88)',
      // `replaced(row)` given a post, but `row` is assigned something else before it is saved
      'services/helpers.js#replaceById read posts (bookshelf, line 100)',
    ]);
  });

  test('an instance a project function hands back (its model call returned, or awaited and returned) is that model\'s, where the caller holds it', () => {
    assert.deepEqual(accesses(facts).filter((a) => a.startsWith('services/returned.js')), [
      'services/returned.js#findPost read posts (bookshelf, line 6)',
      'services/returned.js#loadTag read tags (bookshelf, line 10)',
      'services/returned.js#memberById read members (bookshelf, line 15)',
      // `const post = await findPost(id); post.save()`, a local returned after a `return null`, an arrow's `.then`
      'services/returned.js#retitle write posts (bookshelf, line 19)',
      'services/returned.js#untag write tags (bookshelf, line 24)',
      'services/returned.js#rename write members (bookshelf, line 28)',
      // `posts.getPost(id)`, a function of another module
      'services/returned.js#publish write posts (bookshelf, line 34)',
      // `either()` hands back a tag or a post, `plain()` an object: their callers' saves are not read
      'services/returned.js#either read tags (bookshelf, line 39)',
      'services/returned.js#either read posts (bookshelf, line 40)',
    ]);
  });

  test('a belongsToMany relation of an instance fetched or counted (`post.related(\'tags\').fetch()`) reads its join table too; attached, detached or its pivot updated, writes it', () => {
    assert.deepEqual(accesses(facts).filter((a) => a.startsWith('services/related.js')), [
      'services/related.js#tagsOf read posts (bookshelf, line 5)',
      'services/related.js#tagsOf read posts_tags (bookshelf, line 6)',
      'services/related.js#tagsOf read tags (bookshelf, line 6)',
      // `const followers = tag.related('followers'); followers.fetch()`: the default junction
      'services/related.js#followersOf read tags (bookshelf, line 11)',
      'services/related.js#followersOf read members (bookshelf, line 13)',
      'services/related.js#followersOf read members_tags (bookshelf, line 13)',
      'services/related.js#publicTagCount read posts (bookshelf, line 18)',
      'services/related.js#publicTagCount read posts_tags (bookshelf, line 19)',
      'services/related.js#publicTagCount read tags (bookshelf, line 19)',
      // a belongsTo: the related table alone
      'services/related.js#authorOf read posts (bookshelf, line 24)',
      'services/related.js#authorOf read members (bookshelf, line 25)',
      // `attach` / `detach` / `updatePivot` on a belongsToMany, by `related('tags')` or `tags()`: the join table written;
      // on a belongsTo: nothing
      'services/related.js#tagPost read posts (bookshelf, line 30)',
      'services/related.js#tagPost write posts_tags (bookshelf, line 31)',
      'services/related.js#tagPost write posts_tags (bookshelf, line 32)',
      'services/related.js#tagPost write posts_tags (bookshelf, line 33)',
    ]);
  });

  test('a model a class is given at construction (`this.Model` from `constructor({ Model })`, a first argument, a member of the options, `super()`) is the one every construction gives', () => {
    assert.deepEqual(accesses(facts).filter((a) => a.startsWith('services/repositories.js')), [
      // `new BreadService({ Model: models.Post })`, and `new BreadService({ Model })` in a factory given a post
      'services/repositories.js#BreadService.browse read posts (bookshelf, line 11)',
      'services/repositories.js#BreadService.add write posts (bookshelf, line 15)',
      // `new TagStore(models.Tag)`, `model;` a field; the instance it finds, saved
      'services/repositories.js#TagStore.rename read tags (bookshelf, line 28)',
      'services/repositories.js#TagStore.rename write tags (bookshelf, line 29)',
      // `new MemberCounter({ counted: models.Member })` with `this.counted = deps.counted`
      'services/repositories.js#MemberCounter.count read members (bookshelf, line 40)',
      // `super(models.Member)` and `new PlainMemberRepository(models.Member)`
      'services/repositories.js#Repository.all read members (bookshelf, line 51)',
      // AnyStore given a post and a tag, Swappable's model replaced by a method's parameter, Keeper's by its subclass's
      // constructor, Unused never made: nothing
    ]);
  });

  test('withRelated paths spread from a const array, or held in a module-level const, are read by the function making the call, on its line', () => {
    assert.deepEqual(accesses(facts).filter((a) => a.startsWith('services/with-related.js')), [
      // `[...BASE, 'tags']`: BASE's 'author' and the 'tags' written in place
      'services/with-related.js#postWithAuthorAndTags read members (bookshelf, line 8)',
      'services/with-related.js#postWithAuthorAndTags read posts (bookshelf, line 8)',
      'services/with-related.js#postWithAuthorAndTags read posts_tags (bookshelf, line 8)',
      'services/with-related.js#postWithAuthorAndTags read tags (bookshelf, line 8)',
      // `WITH_TAGS`, itself `[...BASE, 'tags']`: read where it is used, not at module level
      'services/with-related.js#postsWithTags read members (bookshelf, line 12)',
      'services/with-related.js#postsWithTags read posts (bookshelf, line 12)',
      'services/with-related.js#postsWithTags read posts_tags (bookshelf, line 12)',
      'services/with-related.js#postsWithTags read tags (bookshelf, line 12)',
      // `[...options.withRelated, 'author']`: the caller's paths are not known here
      'services/with-related.js#postWithAuthor read members (bookshelf, line 17)',
      'services/with-related.js#postWithAuthor read posts (bookshelf, line 17)',
    ]);
  });
});

describe('tables: Bookshelf writes through knex\'s delete() and call/apply', () => {
  const project = tempProjects('bookshelf-call-apply');

  test('delete() after a bare query() writes; a method run by call/apply counts on the model its `this` argument is (`self = this` too); an unknown `this` gives nothing', async () => {
    const facts = await extractFacts(project({
      'src/db.js': `const knex = require('knex')({ client: 'sqlite3' });
const db = require('bookshelf')(knex);
db.Model = db.Model.extend({}, {
  add(data) { return this.forge(data).save(); },
  edit(data) { return this.forge(data).save(); },
});
module.exports = db;
`,
      'src/models.js': `const db = require('./db');
const Post = db.Model.extend({ tableName: 'posts' }, {
  edit(data, options) {
    return db.Model.edit.call(this, data, options);
  },
  add(data, options) {
    const self = this;
    return db.Model.add.apply(self, [data, options]);
  },
});
const Tag = db.Model.extend({ tableName: 'tags' });
module.exports = { Post, Tag };
`,
      'src/service.js': `const db = require('./db');
const { Post, Tag } = require('./models');
function removeOld() {
  return Post.query().where('old', true).delete();
}
function tagFor(data) {
  return db.Model.add.call(Tag, data);
}
// not writes: a delete() on no bare query(), a model method on a \`this\` not known
function forget(cache) {
  return cache.delete('old');
}
function forgeAndDelete() {
  return Post.query((qb) => qb.where('old', true)).delete();
}
module.exports = function (model, data) {
  return db.Model.edit.call(model, data);
};
module.exports.removeOld = removeOld;
module.exports.tagFor = tagFor;
module.exports.forget = forget;
module.exports.forgeAndDelete = forgeAndDelete;
`,
    }));
    assert.deepEqual(accesses(facts).filter((a) => !a.startsWith('src/db.js')), [
      'src/models.js#edit write posts (bookshelf, line 4)',
      'src/models.js#add write posts (bookshelf, line 8)',
      'src/service.js#removeOld write posts (bookshelf, line 4)',
      'src/service.js#tagFor write tags (bookshelf, line 7)',
    ]);
  });
});

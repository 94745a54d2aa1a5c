// A service class whose queries run on the table its constructor is given (Directus's `ItemsService`, `this.knex(this.collection)`):
// the table is what each construction gives, `super('directus_roles', …)` in a subclass or `new ItemsService('users', …)`,
// and the access is the constructing code's, as a query helper's table is its caller's: what the methods it calls on the
// instance do, or every access the class makes on the table when the instance goes elsewhere.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { accesses } from './fixture.ts';
import { tempProjects } from './temp-project.ts';

describe('knex: a table a class keeps from its constructor', () => {
  const project = tempProjects('knex-ctor');

  test('each construction names the table: the subclass or the function constructing it accesses it', async () => {
    const facts = await extractFacts(project({
      'database.js': "import knex from 'knex';\nexport const db = knex({ client: 'pg' });\n",
      'services/items.js': [
        "import { db } from '../database.js';",
        'export class ItemsService {',
        '  constructor(collection, options = {}) {',
        '    this.collection = collection;',
        '    this.knex = options.knex || db;',
        '  }',
        '  async createOne(data) {',
        '    return this.knex.transaction(async (trx) => trx.insert(data).into(this.collection));',
        '  }',
        '  async readOne(id) {',
        '    const knex = this.knex;',
        '    return knex.select(\'*\').from(this.collection).where({ id }).first();',
        '  }',
        '}',
      ].join('\n'),
      'services/roles.js': [
        "import { ItemsService } from './items.js';",
        'export class RolesService extends ItemsService {',
        '  constructor(options) {',
        "    super('roles', options);",
        '  }',
        '}',
      ].join('\n'),
      'controllers/users.js': [
        "import { ItemsService } from '../services/items.js';",
        'export async function getUser(req, res) {',
        "  const users = new ItemsService('users', {});",
        '  res.json(await users.readOne(req.params.id));',
        '}',
        // a collection chosen at run time names no table
        'export async function getItem(req, res) {',
        '  res.json(await new ItemsService(req.params.collection).readOne(req.params.id));',
        '}',
      ].join('\n'),
    }));
    assert.deepEqual(accesses(facts).sort(), [
      // it only reads through the instance (below)
      'controllers/users.js#getUser read users (knex, line 3)',
      // super() makes the instance the subclass's constructor is building: that constructor keeps every access (below)
      'services/roles.js#RolesService.constructor read roles (knex, line 4)',
      'services/roles.js#RolesService.constructor write roles (knex, line 4)',
    ]);
  });
});

describe('knex: a builder started on a knex instance the class keeps (`this.knex.select(…).from(…)`)', () => {
  const project = tempProjects('knex-this');

  test('the table its from()/into() names is accessed, read or written by the chain', async () => {
    const facts = await extractFacts(project({
      'services/settings.js': [
        "import knex from 'knex';",
        'export class SettingsService {',
        "  constructor() { this.knex = knex({ client: 'pg' }); }",
        "  async read() { return this.knex.select('*').from('settings').first(); }",
        "  async save(data) { return this.knex.insert(data).into('settings'); }",
        // not a knex instance by its name: nothing is read as a table
        "  async find() { return this.cache.from('settings'); }",
        // a common table expression's name is no table: the CTE reads what its own query names
        "  async recent() { return this.knex.with('recent', this.knex.select('*').from('logins')).select('*').from('recent').join('recent as r2', 'r2.id', 'recent.id'); }",
        '}',
      ].join('\n'),
    }));
    assert.deepEqual(accesses(facts).sort(), [
      'services/settings.js#SettingsService.read read settings (knex, line 4)',
      'services/settings.js#SettingsService.recent read logins (knex, line 7)',
      'services/settings.js#SettingsService.save write settings (knex, line 5)',
    ]);
  });
});

describe('knex: a constructed table, by the methods the constructing code calls', () => {
  const project = tempProjects('knex-ctor-methods');
  const services = {
    'database.js': "import knex from 'knex';\nexport const db = knex({ client: 'pg' });\n",
    'query.js': "export function runQuery(ast, { knex }) { return knex.select('*').from(ast.name); }\n",
    'services/items.js': [
      "import { db } from '../database.js';",
      "import { runQuery } from '../query.js';",
      'export class ItemsService {',
      '  constructor(collection, options = {}) {',
      '    this.collection = collection;',
      '    this.knex = options.knex || db;',
      '  }',
      '  async createOne(data) {',
      '    return this.knex.transaction(async (trx) => trx.insert(data).into(this.collection));',
      '  }',
      '  async readOne(id) {',
      "    return this.knex.select('*').from(this.collection).where({ id }).first();",
      '  }',
      '  async readMany(ids) {',
      '    return Promise.all(ids.map((id) => this.readOne(id)));',
      '  }',
      // the query runs elsewhere, on a table the reader cannot name there (Directus's runAst)
      '  async readByQuery(query) {',
      '    return runQuery({ name: this.collection, query }, { knex: this.knex });',
      '  }',
      '  async updateOne(id, data) {',
      '    return this.knex(this.collection).where({ id }).update(data);',
      '  }',
      '  async deleteOne(id) {',
      '    return this.knex(this.collection).where({ id }).del();',
      '  }',
      '}',
    ].join('\n'),
  };
  const routesOf = (facts: Facts, file: string): string[] => accesses(facts).filter((a) => a.startsWith(`${file}#`)).sort();

  test('a route that only reads through the instance it constructs reads the table, on the construction line', async () => {
    const facts = await extractFacts(project({
      ...services,
      'controllers/users.js': [
        "import { ItemsService } from '../services/items.js';",
        'export async function getUser(req, res) {',
        "  res.json(await new ItemsService('users', {}).readOne(req.params.id));",
        '}',
        'export async function listUsers(req, res) {',
        "  const users = new ItemsService('users', {});",
        '  res.json(await users.readMany(req.query.ids));',
        '}',
        'export async function searchUsers(req, res) {',
        "  res.json(await new ItemsService('users', {}).readByQuery(req.query));",
        '}',
      ].join('\n'),
    }));
    assert.deepEqual(routesOf(facts, 'controllers/users.js'), [
      'controllers/users.js#getUser read users (knex, line 3)',
      // readMany reads through this.readOne()
      'controllers/users.js#listUsers read users (knex, line 6)',
      // readByQuery hands the class's knex to code that queries a table it is not told: a read of the class's table
      'controllers/users.js#searchUsers read users (knex, line 10)',
    ]);
  });

  test('two methods called on a held instance give what either does', async () => {
    const facts = await extractFacts(project({
      ...services,
      'controllers/users.js': [
        "import { ItemsService } from '../services/items.js';",
        'export async function renameUser(req, res) {',
        "  let users = new ItemsService('users', {});",
        '  await users.updateOne(req.params.id, { name: req.body.name });',
        '  res.json(await users.readOne(req.params.id));',
        '}',
        'export async function showUsers(req, res) {',
        "  const users = new ItemsService('users', {});",
        '  const first = await users.readOne(req.params.id);',
        '  res.json([first, ...(await users.readMany(req.query.ids))]);',
        '}',
      ].join('\n'),
    }));
    assert.deepEqual(routesOf(facts, 'controllers/users.js'), [
      'controllers/users.js#renameUser read users (knex, line 3)',
      'controllers/users.js#renameUser write users (knex, line 3)',
      'controllers/users.js#showUsers read users (knex, line 8)',
    ]);
  });

  test('an instance that escapes the constructing function keeps every access the class makes', async () => {
    const facts = await extractFacts(project({
      ...services,
      'controllers/users.js': [
        "import { ItemsService } from '../services/items.js';",
        "import { audit } from './audit.js';",
        'export function usersService() {',
        "  return new ItemsService('users', {});",
        '}',
        'export async function getUser(req, res) {',
        "  const users = new ItemsService('people', {});",
        '  audit(users);',
        '  res.json(await users.readOne(req.params.id));',
        '}',
        'export class Holder {',
        '  constructor() {',
        "    this.tags = new ItemsService('tags', {});",
        '  }',
        '}',
        'export async function countUsers(req, res) {',
        "  const users = new ItemsService('members', {});",
        '  res.json(await users.countAll());',
        '}',
        'export async function maybeUser(req, res) {',
        "  let users = new ItemsService('guests', {});",
        "  if (req.query.admin) users = new ItemsService('admins', {});",
        '  res.json(await users.readOne(req.params.id));',
        '}',
      ].join('\n'),
      'controllers/audit.js': 'export function audit(service) { return service; }\n',
      // exported: other modules call what they like on it
      'services/shared.js': [
        "import { ItemsService } from './items.js';",
        "export const settings = new ItemsService('settings', {});",
        'export async function getSettings() {',
        '  return settings.readOne(1);',
        '}',
      ].join('\n'),
    }));
    assert.deepEqual(routesOf(facts, 'services/shared.js'), [
      'services/shared.js#<module> read settings (knex, line 2)',
      'services/shared.js#<module> write settings (knex, line 2)',
    ]);
    assert.deepEqual(routesOf(facts, 'controllers/users.js'), [
      'controllers/users.js#Holder.constructor read tags (knex, line 13)',
      'controllers/users.js#Holder.constructor write tags (knex, line 13)',
      // countAll is no method of the class: what it does is not known
      'controllers/users.js#countUsers read members (knex, line 17)',
      'controllers/users.js#countUsers write members (knex, line 17)',
      'controllers/users.js#getUser read people (knex, line 7)',
      'controllers/users.js#getUser write people (knex, line 7)',
      // a variable given another instance: either one may be used for anything
      'controllers/users.js#maybeUser read admins (knex, line 22)',
      'controllers/users.js#maybeUser read guests (knex, line 21)',
      'controllers/users.js#maybeUser write admins (knex, line 22)',
      'controllers/users.js#maybeUser write guests (knex, line 21)',
      'controllers/users.js#usersService read users (knex, line 4)',
      'controllers/users.js#usersService write users (knex, line 4)',
    ]);
  });

  test('a subclass: its methods, inherited or overridden, as the instance has them; a table named in super() stays with the subclass', async () => {
    const facts = await extractFacts(project({
      ...services,
      'services/queues.js': [
        "import { ItemsService } from './items.js';",
        // no constructor of its own: `new QueueService('jobs')` is ItemsService's constructor
        'export class QueueService extends ItemsService {',
        '  async rename(id, name) {',
        '    await this.check(id);',
        '    return super.updateOne(id, { name });',
        '  }',
        '  async check(id) {',
        '    return this.readOne(id);',
        '  }',
        // reading a job takes it off the queue: readMany's this.readOne() is this one
        '  async readOne(id) {',
        '    const job = await super.readOne(id);',
        '    await this.deleteOne(id);',
        '    return job;',
        '  }',
        '}',
        'export class RolesService extends ItemsService {',
        '  constructor(options) {',
        "    super('roles', options);",
        '  }',
        '}',
      ].join('\n'),
      'controllers/queues.js': [
        "import { ItemsService } from '../services/items.js';",
        "import { QueueService, RolesService } from '../services/queues.js';",
        'export async function peek(req, res) {',
        "  res.json(await new ItemsService('jobs').readMany([req.params.id]));",
        '}',
        'export async function take(req, res) {',
        "  res.json(await new QueueService('jobs').readMany([req.params.id]));",
        '}',
        'export async function listTasks(req, res) {',
        "  res.json(await new QueueService('tasks').readByQuery(req.query));",
        '}',
        'export async function renameTask(req, res) {',
        "  res.json(await new QueueService('tasks').rename(req.params.id, req.body.name));",
        '}',
        'export async function getRole(req, res) {',
        '  res.json(await new RolesService({}).readOne(req.params.id));',
        '}',
      ].join('\n'),
    }));
    assert.deepEqual(routesOf(facts, 'controllers/queues.js'), [
      'controllers/queues.js#listTasks read tasks (knex, line 10)',
      // the base's readOne only reads
      'controllers/queues.js#peek read jobs (knex, line 4)',
      // rename reads through this.check() (the overridden readOne, which writes too) and writes through super.updateOne()
      'controllers/queues.js#renameTask read tasks (knex, line 13)',
      'controllers/queues.js#renameTask write tasks (knex, line 13)',
      'controllers/queues.js#take read jobs (knex, line 7)',
      'controllers/queues.js#take write jobs (knex, line 7)',
    ]);
    // the instance super() makes is the one `new RolesService()` makes: the table stays with the subclass, every access
    assert.deepEqual(routesOf(facts, 'services/queues.js'), [
      'services/queues.js#RolesService.constructor read roles (knex, line 18)',
      'services/queues.js#RolesService.constructor write roles (knex, line 18)',
    ]);
  });

  test('a method that calls another through this: the other\'s accesses too, and a method handing this away keeps every access', async () => {
    const facts = await extractFacts(project({
      ...services,
      'services/upserts.js': [
        "import { ItemsService } from './items.js';",
        "import { audit } from '../controllers/audit.js';",
        'export class UpsertService extends ItemsService {',
        '  async upsertOne(data) {',
        '    const found = await this.readOne(data.id);',
        '    return found ? this.updateOne(data.id, data) : this.createOne(data);',
        '  }',
        '  async exists(id) {',
        '    return !!(await this.readOne(id));',
        '  }',
        '  async readAudited(id) {',
        '    audit(this);',
        '    return this.readOne(id);',
        '  }',
        '}',
      ].join('\n'),
      'controllers/audit.js': 'export function audit(service) { return service; }\n',
      'controllers/upserts.js': [
        "import { UpsertService } from '../services/upserts.js';",
        'export async function upsert(req, res) {',
        "  res.json(await new UpsertService('things').upsertOne(req.body));",
        '}',
        'export async function audited(req, res) {',
        "  res.json(await new UpsertService('logs').readAudited(req.params.id));",
        '}',
        'export async function exists(req, res) {',
        "  res.json(await new UpsertService('notes').exists(req.params.id));",
        '}',
      ].join('\n'),
    }));
    assert.deepEqual(routesOf(facts, 'controllers/upserts.js'), [
      'controllers/upserts.js#audited read logs (knex, line 6)',
      'controllers/upserts.js#audited write logs (knex, line 6)',
      'controllers/upserts.js#exists read notes (knex, line 9)',
      'controllers/upserts.js#upsert read things (knex, line 3)',
      'controllers/upserts.js#upsert write things (knex, line 3)',
    ]);
  });
});

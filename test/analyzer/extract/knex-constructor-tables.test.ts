// A service class whose queries run on the table its constructor is given (Directus's `ItemsService`, `this.knex(this.collection)`):
// the table is what each construction gives, `super('directus_roles', …)` in a subclass or `new ItemsService('users', …)`,
// and the access is the constructing code's, as a query helper's table is its caller's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
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
      'controllers/users.js#getUser read users (knex, line 3)',
      'controllers/users.js#getUser write users (knex, line 3)',
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

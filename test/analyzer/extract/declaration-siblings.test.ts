import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { tempProjects } from './temp-project.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';

const edges = (facts: Facts) => facts.calls.edges.map((e) => `${e.from} -> ${e.to}`).sort();
const importList = (facts: Facts) => facts.imports.map((e) => `${e.from} -> ${e.to}`).sort();

// A published package's build (compiled JavaScript, a `.d.ts` beside each file): the compiler resolves `./x.js`
// to `x.d.ts`, which is no source; the implementation beside it is what the code runs.
describe('declaration files beside compiled JavaScript', () => {
  const project = tempProjects('dts-siblings');
  let facts: Facts;
  before(async () => {
    const root = project({
      'app.js': [
        "import express from 'express';",
        "import usersRouter from './controllers/users.js';",
        'const app = express();',
        "app.use('/users', usersRouter);",
        'export default app;',
      ].join('\n'),
      'app.d.ts': 'declare const app: import("express").Express;\nexport default app;\n',
      'controllers/users.js': [
        "import { Router } from 'express';",
        "import { getUser } from '../handlers/users.mjs';",
        "import { listUsers } from '../services/users.js';",
        'const router = Router();',
        "router.get('/', async (req, res) => { res.json(await listUsers()); });",
        "router.get('/:id', getUser);",
        'export default router;',
      ].join('\n'),
      'controllers/users.d.ts': 'declare const router: import("express").Router;\nexport default router;\n',
      'handlers/users.mjs': [
        "import { findUser } from '../services/users.js';",
        'export async function getUser(req, res) { res.json(await findUser(req.params.id)); }',
      ].join('\n'),
      'handlers/users.d.mts': 'export declare function getUser(req: unknown, res: unknown): Promise<void>;\n',
      'services/users.js': [
        "import knex from 'knex';",
        "const db = knex({ client: 'pg' });",
        "export async function listUsers() { return db('users').select('*'); }",
        "export async function findUser(id) { return db('users').where({ id }).first(); }",
      ].join('\n'),
      'services/users.d.ts': 'export declare function listUsers(): Promise<unknown[]>;\nexport declare function findUser(id: string): Promise<unknown>;\n',
    });
    facts = await extractFacts(root);
  });

  test('imports land on the JavaScript, not on its declaration file', () => {
    assert.deepEqual(importList(facts), [
      'app.js -> controllers/users.js',
      'controllers/users.js -> handlers/users.mjs',
      'controllers/users.js -> services/users.js',
      'handlers/users.mjs -> services/users.js',
    ]);
  });

  test('routes are mounted and their handlers named across files', () => {
    assert.deepEqual(
      facts.routes.map((r) => `${r.method} ${r.path} ${r.handler.kind === 'unresolved' ? '?' : `${r.handler.file}#${r.handler.name}`}`).sort(),
      ['GET /users controllers/users.js#<anonymous@5>', 'GET /users/:id handlers/users.mjs#getUser'],
    );
  });

  test('calls across files are edges', () => {
    assert.deepEqual(edges(facts), ['controllers/users.js#<anonymous@5> -> services/users.js#listUsers', 'handlers/users.mjs#getUser -> services/users.js#findUser']);
  });
});

describe('declaration files with no JavaScript beside them', () => {
  const project = tempProjects('dts-alone');

  test("a TypeScript project's own .d.ts still types its imports; the .ts beside a .d.ts wins as before", async () => {
    const root = project({
      'src/app.ts': [
        "import type { User } from './types';",
        "import { greet } from './greet';",
        "import { legacy } from './legacy';",
        'export function main(u: User) { return greet(u.name) + legacy(); }',
      ].join('\n'),
      'src/types.d.ts': 'export interface User { name: string }\n',
      'src/greet.ts': 'export function greet(name: string) { return `hi ${name}`; }\n',
      'src/greet.d.ts': 'export declare function greet(name: string): string;\n',
      'src/legacy.d.ts': 'export declare function legacy(): string;\n',
    });
    const facts = await extractFacts(root);
    assert.deepEqual(importList(facts), ['src/app.ts -> src/greet.ts']);
    assert.deepEqual(edges(facts), ['src/app.ts#main -> src/greet.ts#greet']);
  });
});

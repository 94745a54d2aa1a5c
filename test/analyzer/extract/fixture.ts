// Shared by the extract tests: the path of a fixture mini-project and its facts (extracted once per file).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import assert from 'node:assert/strict';
import type { ExtractOptions, Facts, RouteFact } from '../../../analyzer/extract/types.ts';
import type { Plan } from '../../../analyzer/index.ts';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export function factsOf(name: string, options?: ExtractOptions): Promise<Facts> {
  return extractFacts(fixture(name), options);
}

/** Table accesses one per line, `file#function read|write table (via, line N)`: the form the table tests compare. */
export const accesses = (facts: Facts): string[] => facts.tables.map((t) => `${t.file}#${t.function} ${t.access} ${t.table} (${t.via}, line ${t.line})`);

/** Declared tables one per line, `table via [model] file:line`. */
export const declared = (facts: Facts): string[] => (facts.schema ?? []).map((s) => `${s.table} ${s.via}${s.model ? ` ${s.model}` : ''} ${s.file}:${s.line}`);

/** Routes one per line, `METHOD path`. */
export const routeList = (facts: Facts): string[] => facts.routes.map((r) => `${r.method} ${r.path}`);

/** The route with this method and full path (the test fails when there is none). */
export function findRoute(facts: Facts, method: string, path: string): RouteFact {
  const route = facts.routes.find((r) => r.method === method && r.path === path);
  assert.ok(route, `${method} ${path} not found`);
  return route;
}

/** What a route's handler itself reads and writes, `read|write table`, sorted: its id is the one its accesses carry. */
export const handlerTables = (facts: Facts, route: RouteFact): string[] =>
  facts.tables.filter((t) => t.file === route.handler.file && t.function === route.handler.name).map((t) => `${t.access} ${t.table}`).sort();

/**
 * The table is shared in the plan: the service holding ownerFile writes it and is its recommended owner, the one
 * holding readerFile (another service) reads it and goes through the owner's API. Returns the two service names.
 */
export function assertShared(plan: Plan, table: string, ownerFile: string, readerFile: string): { owner: string; reader: string } {
  const serviceOf = (file: string) => plan.services.find((s) => s.files.includes(file))?.name;
  const owner = serviceOf(ownerFile);
  const reader = serviceOf(readerFile);
  assert.ok(owner && reader && owner !== reader, `${ownerFile} in ${owner}, ${readerFile} in ${reader}`);
  const shared = plan.sharedTables.find((t) => t.table === table);
  assert.ok(shared, `shared: ${plan.sharedTables.map((t) => t.table).join(', ')}`);
  assert.ok(shared.writers.includes(owner), `writers: ${shared.writers.join(', ')}`);
  assert.ok(shared.readers.includes(reader), `readers: ${shared.readers.join(', ')}`);
  assert.equal(shared.recommendation.owner, owner);
  assert.ok(shared.recommendation.viaApi.includes(reader));
  return { owner, reader };
}

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf, findRoute } from './fixture.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';

describe('routes: handlers wrapped by a package function (Ghost-style http(api.posts.browse))', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('express-wrapped-handlers');
  });

  test('the handler is the project member the package wrapper is given, through the package call that holds the controller', () => {
    assert.deepEqual(findRoute(facts, 'GET', '/ghost/api/admin/posts').handler, { kind: 'named', file: 'api/endpoints/posts.js', name: 'controller.browse', line: 5 });
    assert.deepEqual(findRoute(facts, 'POST', '/ghost/api/admin/posts').handler, { kind: 'named', file: 'api/endpoints/posts.js', name: 'controller.add', line: 11 });
    assert.deepEqual(findRoute(facts, 'GET', '/ghost/api/admin/tags').handler, { kind: 'named', file: 'api/endpoints/tags.js', name: 'browse', line: 5 });
    assert.deepEqual(findRoute(facts, 'POST', '/ghost/api/admin/posts').middleware, ['rateLimit']);
  });

  test('a project function given to the package wrapper is the handler', () => {
    assert.deepEqual(findRoute(facts, 'GET', '/ghost/api/admin/health').handler, { kind: 'named', file: 'web/health.js', name: 'health', line: 2 });
  });

  test('nothing is invented: a package value, a member the controller lacks, a member chosen at run time stay unresolved', () => {
    for (const path of ['/ghost/api/admin/metrics', '/ghost/api/admin/posts/export', '/ghost/api/admin/dynamic']) {
      assert.deepEqual(findRoute(facts, 'GET', path).handler, { kind: 'unresolved', name: 'http' }, path);
    }
  });
});

// The name plan.json, the reports and the summary give the analysed root.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rootLabel } from '../../bin/commands/root-label.ts';

describe('rootLabel', () => {
  test('inside the working directory: the path from it, however it was typed', () => {
    assert.equal(rootLabel('legacy-monolith', '/work/repo'), 'legacy-monolith');
    assert.equal(rootLabel('./legacy-monolith/', '/work/repo'), 'legacy-monolith');
    assert.equal(rootLabel('/work/repo/apps/shop', '/work/repo'), 'apps/shop');
    assert.equal(rootLabel('.', '/work/repo'), '.');
    assert.equal(rootLabel('/work/repo', '/work/repo'), '.');
    // a folder whose name starts with two dots is still inside
    assert.equal(rootLabel('..shop', '/work/repo'), '..shop');
  });

  test('outside it: the absolute path, not ../..', () => {
    assert.equal(rootLabel('../..', '/work/repo/apps/shop'), '/work/repo');
    assert.equal(rootLabel('..', '/work/repo'), '/work');
    assert.equal(rootLabel('/srv/monolith', '/work/repo'), '/srv/monolith');
    assert.equal(rootLabel('../other/src', '/work/repo'), '/work/other/src');
  });
});

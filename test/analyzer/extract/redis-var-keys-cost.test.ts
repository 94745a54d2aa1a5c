// A `var` key is followed when nothing gives it another value (redis-keys.ts), which is asked of each variable: a file
// of thousands of module-level `var`s (generated key tables, old ES5 modules) was walked once per variable, quadratic in
// its size (4,000 of them: 54 s). One walk answers for all of them now; what is read is the same.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { tempProjects } from './temp-project.ts';

describe('Redis keys held by many module-level vars', () => {
  const project = tempProjects('redis-var-keys-cost');

  test('each var key is read, in time linear in the file', async () => {
    const n = 2500;
    const vars = Array.from({ length: n }, (_, i) => `var k${i} = 'obj${i}:';`).join('\n');
    const uses = Array.from({ length: n }, (_, i) => `exports.f${i} = function (id) { return client.get(k${i} + id); };`).join('\n');
    const dir = project({
      'package.json': '{"name":"p","dependencies":{"redis":"4"}}',
      'src/keys.js': `var client = require('redis').createClient();\n${vars}\n// k7 given another value: not followed\nk7 = 'other:';\n${uses}\n`,
    });
    const start = performance.now();
    const facts = await extractFacts(dir);
    const seconds = (performance.now() - start) / 1000;
    const tables = new Set(facts.tables.map((t) => t.table));
    assert.equal(tables.size, n - 1);
    assert.ok(tables.has('redis:obj0:') && tables.has(`redis:obj${n - 1}:`) && !tables.has('redis:obj7:'));
    // about 2 s here once the walk is shared; the walk per variable took about 30 s
    assert.ok(seconds < 10, `extraction took ${seconds.toFixed(1)} s`);
  });
});

// A `var` key is followed when nothing gives it another value (redis-keys.ts), which is asked of each variable: a file
// of thousands of module-level `var`s (generated key tables, old ES5 modules) was walked once per variable, quadratic in
// its size (4,000 of them: 54 s). One walk answers for all of them now (value-key.ts's assignedIn); what is read is
// the same (checked here against assignedWithin). The cost is measured, not asserted (docs/analyzer-extract.md,
// Speed): a test's clock on shared cores is no measure, and the walk has no count to read from outside.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ts } from 'ts-morph';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { loadProject } from '../../../analyzer/extract/project.ts';
import { assignedIn, assignedWithin } from '../../../analyzer/extract/value-key.ts';
import { tempProjects } from './temp-project.ts';

const keysFile = (n: number): string => {
  const vars = Array.from({ length: n }, (_, i) => `var k${i} = 'obj${i}:';`).join('\n');
  const uses = Array.from({ length: n }, (_, i) => `exports.f${i} = function (id) { return client.get(k${i} + id); };`).join('\n');
  return `var client = require('redis').createClient();\n${vars}\n// k7 given another value: not followed\nk7 = 'other:';\n${uses}\n`;
};

describe('Redis keys held by many module-level vars', () => {
  const project = tempProjects('redis-var-keys-cost');

  test('each var key is read, but the one given another value', async () => {
    const n = 300;
    const facts = await extractFacts(project({ 'package.json': '{"name":"p","dependencies":{"redis":"4"}}', 'src/keys.js': keysFile(n) }));
    const tables = new Set(facts.tables.map((t) => t.table));
    assert.equal(tables.size, n - 1);
    assert.ok(tables.has('redis:obj0:') && tables.has(`redis:obj${n - 1}:`) && !tables.has('redis:obj7:'));
  });

  test('the one walk answers as the walk per variable does', () => {
    const n = 400;
    const loaded = loadProject(project({ 'src/keys.js': keysFile(n) }));
    const source = loaded.files.find((f) => f.rel === 'src/keys.js')!.source;
    const names = source.statements.filter(ts.isVariableStatement).map((s) => s.declarationList.declarations[0].name as ts.Identifier);
    const reassigned = assignedIn(source, loaded.checker);
    const answers = names.map((name) => reassigned(name));
    assert.deepEqual(answers, names.map((name) => assignedWithin(source, name, loaded.checker)));
    assert.deepEqual(names.filter((_, i) => answers[i]).map((name) => name.text), ['k7']);
  });
});

// The pushes a helper makes onto an array (array-growth.ts) are read with one look at where the helper is called, not
// one per push: a helper of thousands of pushes (a generated route table filled in an init function) walked the whole
// file once for each, quadratic in the file's size.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ts } from 'ts-morph';
import { arrayGrowth } from '../../../analyzer/extract/array-growth.ts';
import { loadProject } from '../../../analyzer/extract/project.ts';
import { tempProjects } from './temp-project.ts';

describe('array growth through a helper of many pushes', () => {
  const project = tempProjects('array-growth-cost');

  test("the helper's calls are looked for once, not once per push", () => {
    const pushes = Array.from({ length: 500 }, (_, i) => `  routes.push(['/p${i}', h]);`).join('\n');
    const loaded = loadProject(project({
      'src/app.js': `const routes = [];
function h(req, res) { res.send('x'); }
function init() {
${pushes}
}
init();
module.exports = routes;
`,
    }));
    const source = loaded.files.find((f) => f.rel === 'src/app.js')!.source;
    const decl = source.statements.filter(ts.isVariableStatement)[0].declarationList.declarations[0];
    // count the lookups of the helper's name: each walk of the file for its calls makes one at `init()`
    let lookups = 0;
    const checker = new Proxy(loaded.checker, {
      get(target, key) {
        if (key !== 'getSymbolAtLocation') return Reflect.get(target, key);
        return (node: ts.Node) => {
          if (ts.isIdentifier(node) && node.text === 'init') lookups++;
          return target.getSymbolAtLocation(node);
        };
      },
    });
    const growth = arrayGrowth({ ...loaded, checker }, decl);
    assert.equal(growth.calls.length, 500, 'each push, made once through init()');
    assert.ok(lookups <= 2, `the helper's uses looked up ${lookups} times`);
  });
});

// Cross-check with the proxy's own comparison engine: on each divergence's example request it must
// report exactly the documented (folded path, kind), and nothing on the counter-examples. This is what
// the demo's diff report will be checked against.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { diffValues, foldPath } from '../../proxy/compare/index.ts';
import { divergences } from '../../services/divergences.ts';
import { call, startSideBySide, withoutNoise, type SideBySide } from './side-by-side.ts';

describe('divergences as the proxy diff engine sees them', () => {
  let sides: SideBySide;
  before(async () => {
    sides = await startSideBySide();
  });
  after(() => sides.close());

  async function proxyDiff(service: string, path: string): Promise<string[]> {
    const a = await call(sides.monolith.url, path);
    const b = await call(sides.services[service as 'catalog'].url, path);
    const entries = diffValues(withoutNoise(a.body), withoutNoise(b.body));
    return [...new Set(entries.map((e) => `${foldPath(e.path)} ${e.kind}`))].sort();
  }

  for (const d of divergences) {
    test(`${d.service} ${d.route} ${d.path} ${d.kind}`, async () => {
      assert.deepEqual(await proxyDiff(d.service, d.example), [`${d.path} ${d.kind}`]);
      if (d.counterExample) assert.deepEqual(await proxyDiff(d.service, d.counterExample), []);
    });
  }
});

// The same journey with one shopper at a time (regression test for a noise-rule bug): with no concurrency the candidate's answer often lands in the same millisecond as the monolith's, while
// the monolith's second answer (asked only after both came back) never does, so servedAt differs LESS
// often monolith-vs-candidate than monolith-vs-monolith (≈50% vs 100%) and the symmetric rule in
// proxy/compare/noise.ts called that a real difference. A difference rate at or below the noise rate is
// never a real difference.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, type DemoResult } from '../../demo/run.ts';
import { RANDOM_PORTS } from '../../demo/stack.ts';
import { findingKey } from '../../demo/summary.ts';
import { divergences } from '../../services/divergences.ts';

describe('strangler demo with one shopper', () => {
  let dir: string;
  let demo: DemoResult;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-demo-one-'));
    demo = await runDemo({ out: dir, ports: RANDOM_PORTS, requests: 400, shoppers: 1, adminToken: 'one-shopper' });
  });

  after(async () => {
    await demo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('finds exactly the documented divergences', () => {
    const expected = divergences.map((d) => findingKey({ service: d.service, method: d.method, route: d.route, path: d.path, kind: d.kind })).sort();
    assert.deepEqual(demo.findings.map(findingKey), expected);
  });
});

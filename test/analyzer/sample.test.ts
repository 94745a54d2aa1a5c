// The analyzer on the embedded sample monolith: the cut agrees with the intended bounded contexts, and the CLI
// writes the plan, the proxy config and both reports, byte-identical from one run to the next.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Facts } from '../../analyzer/extract/types.ts';
import { loadReference, planFromFacts } from '../../analyzer/pipeline.ts';
import { planSchema } from '../../analyzer/plan.ts';
import { loadConfig } from '../../proxy/config.ts';

const ROOT = 'legacy-monolith';
const REFERENCE = 'legacy-monolith/reference-decomposition.json';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'analyze', ...args], { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'test' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// One CLI run feeds every test: its facts.json is the extraction the in-process checks plan from.
let out1: string;
let out2: string;
let first: ReturnType<typeof cli>;
let facts: Facts;
before(() => {
  out1 = mkdtempSync(join(tmpdir(), 'strangler-analyze-'));
  out2 = mkdtempSync(join(tmpdir(), 'strangler-analyze-'));
  first = cli(ROOT, '--out', out1, '--reference', REFERENCE);
  facts = JSON.parse(readFileSync(join(out1, 'facts.json'), 'utf8')) as Facts;
});
after(() => {
  rmSync(out1, { recursive: true, force: true });
  rmSync(out2, { recursive: true, force: true });
});

describe('the sample monolith', () => {
  test('default options score MoJoFM ≥ 80 against the reference decomposition', () => {
    const plan = planFromFacts(facts, { reference: loadReference(REFERENCE) });
    const score = plan.metrics.reference!;
    assert.ok(score.mojofm >= 80, `MoJoFM ${score.mojofm} (distance ${score.distance})`);
    assert.equal(score.compared, Object.keys(loadReference(REFERENCE)).length);
  });

  test('the db singleton, utils, schema, seed and the app wiring are the shared kernel', () => {
    const plan = planFromFacts(facts);
    const kernel = plan.kernel.files.map((k) => k.file);
    for (const f of ['db.ts', 'utils.ts', 'schema.ts', 'seed.ts', 'app.ts']) assert.ok(kernel.includes(f), `${f} not in the kernel`);
    assert.equal(plan.services.some((s) => s.name === 'shared-kernel'), false);
  });

  test('every registered route is in the plan, once', () => {
    const plan = planFromFacts(facts);
    const planned = [...plan.services.flatMap((s) => s.routes), ...plan.kernel.routes].map((r) => `${r.method} ${r.path}`).sort();
    assert.deepEqual(planned, facts.routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  test('a pin changes the cut and the report keeps the metrics from before it', () => {
    const plan = planFromFacts(facts, { pins: [{ pattern: 'payments/**', service: 'orders' }], reference: loadReference(REFERENCE) });
    const orders = plan.services.find((s) => s.name === 'orders')!;
    assert.ok(orders.files.includes('payments/processor.ts'));
    assert.ok(plan.metrics.unpinned && plan.metrics.unpinnedReference);
    assert.notDeepEqual(plan.metrics.proposed, plan.metrics.unpinned);
  });
});

describe('strangler analyze on the sample', () => {
  test('writes plan.json, strangler.config.json, report.md, report.html and facts.json, and prints a summary', () => {
    assert.equal(first.status, 0, first.stderr);
    const plan = planSchema.parse(JSON.parse(readFileSync(join(out1, 'plan.json'), 'utf8')));
    assert.equal(plan.root, ROOT);
    assert.match(readFileSync(join(out1, 'report.md'), 'utf8'), /```mermaid/);
    assert.match(readFileSync(join(out1, 'report.html'), 'utf8'), /<svg/);
    assert.equal(facts.version, 1);
    // the CLI's plan is the library's plan on the same facts
    assert.deepEqual(plan, planFromFacts(facts, { reference: loadReference(REFERENCE), rootLabel: ROOT }));
    assert.match(first.stdout, new RegExp(`→ ${plan.services.length} services`));
    assert.match(first.stdout, /MoJoFM {3}\d+\.\d against legacy-monolith\/reference-decomposition\.json/);
    assert.match(first.stdout, /wrote .*report\.html/);
  });

  test('the emitted config loads in the proxy, every route in mode legacy', () => {
    const config = loadConfig(join(out1, 'strangler.config.json'));
    const plan = planSchema.parse(JSON.parse(readFileSync(join(out1, 'plan.json'), 'utf8')));
    assert.equal(config.routes.length, plan.services.reduce((n, s) => n + s.routes.length, 0));
    assert.ok(config.routes.every((r) => r.mode === 'legacy'));
    assert.deepEqual(Object.keys(config.services).sort(), plan.services.map((s) => s.name).sort());
  });

  test('two runs write byte-identical files', () => {
    const second = cli(ROOT, '--out', out2, '--reference', REFERENCE, '--json');
    assert.equal(second.status, 0, second.stderr);
    for (const f of ['plan.json', 'strangler.config.json', 'report.md', 'report.html']) {
      assert.equal(readFileSync(join(out2, f), 'utf8'), readFileSync(join(out1, f), 'utf8'), `${f} differs`);
    }
    // --json prints the plan itself
    assert.deepEqual(JSON.parse(second.stdout), JSON.parse(readFileSync(join(out1, 'plan.json'), 'utf8')));
  });

  test('bad input: one line on stderr naming the problem, exit code 2', () => {
    for (const [args, says] of [
      [['no-such-folder'], /no-such-folder is not a folder/],
      [[ROOT, '--pin', 'payments'], /--pin "payments" is not <file-or-glob>=<service>/],
      [[ROOT, '--reference', 'missing.json'], /reference file missing\.json does not exist/],
    ] as const) {
      const r = cli(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr.trim(), new RegExp(`^strangler: .*${says.source}`));
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});

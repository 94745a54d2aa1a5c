// `strangler analyze` on monoliths written in Fastify and Koa: their routes reach candidate services, and the proxy
// config emitted for them is one the proxy accepts, with every route at its full path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, toProxyConfig } from '../../analyzer/index.ts';
import type { Facts } from '../../analyzer/extract/types.ts';
import { planSchema, type Plan } from '../../analyzer/plan.ts';
import { parseConfig, readConfigJson } from '../../proxy/config.ts';
import { fixture } from './extract/fixture.ts';

const routeList = (routes: { method: string; path: string }[]) => routes.map((r) => `${r.method} ${r.path}`).sort();
const planned = (plan: Plan) => routeList([...plan.services.flatMap((s) => s.routes), ...plan.kernel.routes]);

describe('strangler analyze on a Fastify monolith', () => {
  let out: string;
  let run: ReturnType<typeof spawnSync>;
  before(() => {
    out = mkdtempSync(join(tmpdir(), 'strangler-fastify-'));
    run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'analyze', fixture('fastify-app'), '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'test' },
    });
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  test('candidate services own the routes, each route once, at its full path', () => {
    assert.equal(run.status, 0, String(run.stderr));
    const facts = JSON.parse(readFileSync(join(out, 'facts.json'), 'utf8')) as Facts;
    const plan = planSchema.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
    assert.equal(facts.routes.length, 20);
    assert.deepEqual(planned(plan), routeList(facts.routes));
    const withRoutes = plan.services.filter((s) => s.routes.length > 0);
    assert.ok(withRoutes.length >= 2, `services with routes: ${withRoutes.map((s) => s.name).join(', ')}`);
    // the orders plugin's routes stay together, under the prefixes they are registered with
    const orders = plan.services.find((s) => s.routes.some((r) => r.path === '/api/v1/orders'));
    assert.ok(orders?.routes.some((r) => r.path === '/api/v1/orders/:orderId/items'));
  });

  test('the emitted strangler.config.json parses with the proxy config schema', () => {
    const config = parseConfig(readConfigJson(join(out, 'strangler.config.json')), 'strangler.config.json');
    const plan = planSchema.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
    assert.deepEqual(routeList(config.routes), routeList(plan.services.flatMap((s) => s.routes)));
    assert.ok(config.routes.every((r) => r.path.startsWith('/') && r.mode === 'legacy'));
    assert.deepEqual(Object.keys(config.services).sort(), plan.services.map((s) => s.name).sort());
  });
});

describe('analyze() on a Koa monolith', () => {
  test('services with routes, and a proxy config the proxy accepts', async () => {
    const { facts, plan } = await analyze(fixture('koa-app'), { pinsFile: false });
    assert.deepEqual(planned(plan), routeList(facts.routes));
    assert.ok(plan.services.filter((s) => s.routes.length > 0).length >= 2);
    const config = parseConfig(JSON.parse(JSON.stringify(toProxyConfig(plan))), 'koa-app');
    assert.ok(config.routes.some((r) => r.method === 'DELETE' && r.path === '/api/orders/:orderId/items/:itemId'));
  });
});

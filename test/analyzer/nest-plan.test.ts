// `strangler analyze` on NestJS code: the same analyze() the CLI runs gives candidate services that carry the
// Nest routes with their handlers, and the emitted proxy config loads in the proxy.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, toProxyConfig, type Facts, type Plan } from '../../analyzer/index.ts';
import { planSchema } from '../../analyzer/plan.ts';
import { parseConfig } from '../../proxy/config.ts';
import { fixture } from './extract/fixture.ts';

describe('analyze on a NestJS bookshop', () => {
  let facts: Facts;
  let plan: Plan;
  before(async () => {
    ({ facts, plan } = await analyze(fixture('nest-app'), { pinsFile: false, rootLabel: 'nest-app' }));
  });

  test('the plan passes its schema and every extracted route is served by a candidate service', () => {
    planSchema.parse(JSON.parse(JSON.stringify(plan)));
    const planned = plan.services.flatMap((s) => s.routes.map((r) => `${r.method} ${r.path}`)).sort();
    assert.deepEqual(planned, facts.routes.map((r) => `${r.method} ${r.path}`).sort());
    assert.equal(plan.summary.routes, 19);
    assert.equal(plan.summary.unresolvedRoutes, 1);
    assert.ok(plan.services.filter((s) => s.routes.length > 0).length >= 3);
  });

  test('a route goes with the code of its handler: the orders routes sit in the service that holds the orders files', () => {
    const orders = plan.services.find((s) => s.files.includes('src/orders/orders.controller.ts'))!;
    assert.ok(orders.files.includes('src/orders/orders.service.ts'));
    assert.deepEqual(orders.routes.map((r) => `${r.method} ${r.path} ${r.handler}`), [
      'GET /api/orders src/orders/orders.controller.ts#OrdersController.list',
      'POST /api/orders src/orders/orders.controller.ts#OrdersController.place',
      'GET /api/orders/:id src/orders/orders.controller.ts#OrdersController.get',
      'POST /api/orders/:id/cancel src/orders/orders.controller.ts#OrdersController.cancel',
    ]);
  });

  test('a repository that requests write several tables through is not taken for a seed: it stays with its service', () => {
    // orders.repository.ts writes 3 of the app's 6 tables (orders, order_items, stock), as a seed would; but the
    // order routes' handlers reach those writes through resolved calls, so it is the orders service's code
    assert.ok(!plan.kernel.files.some((k) => k.file === 'src/orders/orders.repository.ts'), JSON.stringify(plan.kernel.files));
    const orders = plan.services.find((s) => s.files.includes('src/orders/orders.controller.ts'))!;
    assert.ok(orders.files.includes('src/orders/orders.repository.ts'));
  });

  test('the emitted proxy config parses, with the prefixed, versioned and excluded paths as extracted', () => {
    const config = parseConfig(JSON.parse(JSON.stringify(toProxyConfig(plan))), 'nest-app strangler.config.json');
    assert.equal(config.routes.length, 19);
    const paths = config.routes.map((r) => `${r.method} ${r.path}`);
    for (const p of ['GET /api/v1/books/:id', 'GET /api/v2/books/:id', 'GET /api/admin/reports/sales', 'GET /health', 'DELETE /api/metrics']) assert.ok(paths.includes(p), p);
    assert.ok(config.routes.every((r) => r.service in config.services));
  });
});

describe('analyze on a NestJS monorepo', () => {
  test('@All routes and wildcards are emitted as the proxy spells them, and the config parses', async () => {
    const { plan } = await analyze(fixture('nest-edge'), { pinsFile: false, rootLabel: 'nest-edge' });
    const config = parseConfig(JSON.parse(JSON.stringify(toProxyConfig(plan))), 'nest-edge strangler.config.json');
    assert.ok(config.routes.some((r) => r.method === '*' && r.path === '/shop/store/catalog/items/*'));
    assert.ok(config.routes.some((r) => r.method === 'GET' && r.path === '/legacy/catalog'));
  });
});

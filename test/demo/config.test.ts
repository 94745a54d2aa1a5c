// demoConfig: the analyzer's emitted routes narrowed to what the extracted services serve, with real URLs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EmittedProxyConfig } from '../../analyzer/proxy-config.ts';
import { parseConfig } from '../../proxy/config.ts';
import { compileRouter } from '../../proxy/router.ts';
import { demoConfig, type DemoConfigOptions } from '../../demo/config.ts';
import { serviceRoutes } from '../../services/ownership.ts';

const owned = {
  catalog: [
    { method: 'GET', route: '/books' },
    { method: 'GET', route: '/books/:id' },
  ],
  inventory: [
    { method: 'GET', route: '/inventory/centers' },
    { method: 'GET', route: '/inventory/:bookId' },
  ],
  reviews: [{ method: 'GET', route: '/books/:bookId/reviews/summary' }],
};

function emitted(routes: Array<[string, string, string, string]>): EmittedProxyConfig {
  return {
    version: 1,
    listen: { host: '0.0.0.0', port: 8080 },
    legacy: { url: 'http://127.0.0.1:3000' },
    services: {
      catalog: { url: 'http://127.0.0.1:4001', owner: 'team-books' },
      orders: { url: 'http://127.0.0.1:4002', owner: 'team-orders' },
      reviews: { url: 'http://127.0.0.1:4003', owner: 'team-reviews' },
    },
    defaults: {
      mode: 'legacy',
      shadow: { sample: 1, concurrency: 64, adaptive: true, timeoutMs: 2000, maxBodyBytes: 1048576, writes: false },
      noise: { learn: true, sample: 0.1, settleAfter: 1000, settledSample: 0.01, relative: 20, absolute: 0.03 },
      guard: { maxErrorRate: 0.05, minRequests: 20, windowSeconds: 60, rollbackTo: 'shadow' },
    },
    routes: routes.map(([id, method, path, service]) => ({ id, method, path, service, mode: 'legacy' as const })),
    store: { path: 'data/diffs.sqlite', samplesPerFingerprint: 20 },
    redact: { headers: ['authorization'], fields: ['$..password'] },
    admin: { host: '127.0.0.1', port: 9090, token: 'env:STRANGLER_ADMIN_TOKEN' },
  };
}

const options: DemoConfigOptions = {
  urls: { legacy: 'http://127.0.0.1:3100', services: { catalog: 'http://127.0.0.1:4101', inventory: 'http://127.0.0.1:4102', reviews: 'http://127.0.0.1:4103' } },
  port: 0,
  adminPort: 0,
  storePath: '/tmp/x/diffs.sqlite',
  noiseSample: 1,
  canaryPercent: 20,
};

describe('demoConfig', () => {
  const { config, notes } = demoConfig(
    emitted([
      ['reviews.getBookReviewsSummary', 'GET', '/books/:bookId/reviews/summary', 'reviews'],
      ['catalog.getRecommendationsPopular', 'GET', '/recommendations/popular', 'catalog'],
      ['orders.getInventory', 'GET', '/inventory/:bookId', 'orders'],
      ['catalog.getBook', 'GET', '/books/:id', 'catalog'],
      ['catalog.getBooks', 'GET', '/books', 'catalog'],
      ['orders.getOrders', 'GET', '/orders', 'orders'],
    ]),
    owned,
    options,
  );
  const parsed = parseConfig(config);

  test('keeps the analyzer ids for the routes an extracted service serves, with the real URLs', () => {
    assert.deepEqual(parsed.services, {
      catalog: { url: 'http://127.0.0.1:4101', owner: 'team-books', hostHeader: 'client' },
      inventory: { url: 'http://127.0.0.1:4102', owner: 'team-inventory', hostHeader: 'client' },
      reviews: { url: 'http://127.0.0.1:4103', owner: 'team-reviews', hostHeader: 'client' },
    });
    assert.equal(parsed.legacy.url, 'http://127.0.0.1:3100');
    assert.equal(parsed.store.path, '/tmp/x/diffs.sqlite');
    assert.equal(parsed.defaults.noise.sample, 1);
    assert.ok(parsed.routes.every((r) => (r.mode ?? parsed.defaults.mode) === 'legacy'), 'the analyzer emits every route in legacy');
    const ids = parsed.routes.map((r) => r.id);
    assert.ok(ids.includes('catalog.getBook') && ids.includes('reviews.getBookReviewsSummary'));
  });

  test('ownership wins where the analyzer disagrees; unserved routes stay on the monolith; missed ones are added', () => {
    assert.deepEqual(notes.reassigned, [{ id: 'inventory.getInventory', from: 'orders', to: 'inventory' }]);
    assert.deepEqual(notes.notExtracted, ['catalog.getRecommendationsPopular']);
    assert.equal(notes.onMonolith, 1);
    assert.deepEqual(notes.added, ['inventory.getInventoryCenters']);
    assert.ok(!parsed.routes.some((r) => r.path === '/recommendations/popular' || r.path === '/orders'));
  });

  test('an added literal route is matched before a parameter route on the same prefix', () => {
    const router = compileRouter(parsed.routes.map((r) => ({ method: r.method, path: r.path, value: r.id })));
    assert.equal(router.match('GET', '/inventory/centers'), 'inventory.getInventoryCenters');
    assert.equal(router.match('GET', '/inventory/7'), 'inventory.getInventory');
    assert.equal(router.match('GET', '/books/7/reviews/summary'), 'reviews.getBookReviewsSummary');
  });

  test('reviews carry a sticky per-customer canary, inventory a fallback; the token is not written', () => {
    const byId = new Map(parsed.routes.map((r) => [r.id, r]));
    assert.deepEqual(byId.get('reviews.getBookReviewsSummary')!.canary, { percent: 20, stickyBy: 'header:x-customer-id' });
    assert.equal(byId.get('inventory.getInventory')!.fallback, true);
    assert.equal(byId.get('catalog.getBook')!.fallback, undefined);
    assert.equal(parsed.admin.token, 'env:STRANGLER_ADMIN_TOKEN');
  });

  test('with the real ownership table every owned route gets a route', () => {
    const all = demoConfig(emitted([]), serviceRoutes, options);
    const count = Object.values(serviceRoutes).reduce((n, rs) => n + rs.length, 0);
    assert.equal(parseConfig(all.config).routes.length, count);
  });
});

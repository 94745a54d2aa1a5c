import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp as createMonolith } from '../../legacy-monolith/app.ts';
import { createApp as createCatalog } from '../../services/catalog/app.ts';
import { createApp as createInventory } from '../../services/inventory/app.ts';
import { createApp as createReviews } from '../../services/reviews/app.ts';
import { serviceRoutes } from '../../services/ownership.ts';
import { divergences } from '../../services/divergences.ts';
import { registeredRoutes } from '../monolith/registered-routes.ts';

test('serviceRoutes lists exactly what each service registers, and every one exists in the monolith', () => {
  const monolith = createMonolith();
  const apps = { catalog: createCatalog(), inventory: createInventory(), reviews: createReviews() };
  try {
    const legacy = new Set(registeredRoutes(monolith.app).map((r) => `${r.method} ${r.path}`));
    const claimed = new Set<string>();
    for (const [name, svc] of Object.entries(apps)) {
      const registered = registeredRoutes(svc.app)
        .filter((r) => r.path !== '/healthz')
        .map((r) => `${r.method} ${r.path}`)
        .sort();
      const listed = serviceRoutes[name as keyof typeof apps].map((r) => `${r.method} ${r.route}`).sort();
      assert.deepEqual(registered, listed, name);
      for (const r of listed) {
        assert.ok(legacy.has(r), `${name}: ${r} is not a monolith route`);
        assert.ok(!claimed.has(r), `${r} claimed twice`);
        claimed.add(r);
      }
    }
    for (const d of divergences) assert.ok(claimed.has(`${d.method} ${d.route}`), `divergence on unowned route ${d.route}`);
  } finally {
    monolith.close();
    for (const svc of Object.values(apps)) svc.close();
  }
});

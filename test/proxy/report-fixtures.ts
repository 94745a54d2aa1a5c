// A diff store seeded with a small but realistic spread of routes for report tests.
import type { DiffStore } from '../../proxy/store.ts';
import type { DiffEntry } from '../../proxy/types.ts';
import { comparison, response } from './store-fixtures.ts';

export const XSS = '<script>alert("pwned")</script>';

export function seedStore(store: DiffStore): void {
  store.upsertRoute({ routeId: 'catalog.getBook', service: 'catalog', owner: 'team-catalog', mode: 'shadow' });
  store.upsertRoute({ routeId: 'catalog.search', service: 'catalog', owner: 'team-catalog', mode: 'shadow' });
  store.upsertRoute({ routeId: 'orders.get', service: 'orders', owner: 'team-orders', mode: 'shadow' });
  store.upsertRoute({ routeId: 'orders.list', service: 'orders', owner: 'team-orders', mode: 'shadow' });
  store.upsertRoute({ routeId: 'reporting.sales', service: 'reporting', mode: 'legacy' });

  // catalog.getBook: 999 of 1000 identical, one real price difference -> exactly 99.9% -> READY
  for (let i = 0; i < 999; i++) store.recordComparison(comparison('catalog.getBook', []));
  const price: DiffEntry[] = [{ path: '$.price', kind: 'changed', monolith: 10, candidate: 11 }];
  store.recordComparison(comparison('catalog.getBook', price, { monolith: response({ id: 1, price: 10 }), candidate: response({ id: 1, price: 11 }) }));

  // catalog.search: 100 of 600 differ only in servedAt, which varies as often on the monolith itself -> 100% after noise
  for (let i = 0; i < 500; i++) store.recordComparison(comparison('catalog.search', []));
  const served: DiffEntry[] = [{ path: '$.servedAt', kind: 'changed', monolith: 't1', candidate: 't2' }];
  for (let i = 0; i < 100; i++) store.recordComparison(comparison('catalog.search', served));
  for (let i = 0; i < 60; i++) {
    store.recordNoise({ routeId: 'catalog.search', at: 1_700_000_000_000 + i, fields: [...(i % 6 === 0 ? [{ path: '$.servedAt', kind: 'changed' as const }] : []), ...(i % 2 ? [{ path: '$.results', kind: 'order' as const }] : [])] });
  }

  // orders.get: 100 of 800 send the total as a string (and a hostile title), 2 timeouts -> NOT READY
  for (let i = 0; i < 700; i++) store.recordComparison(comparison('orders.get', []));
  const total: DiffEntry[] = [
    { path: '$.total', kind: 'type', monolith: 19.99, candidate: '19.99' },
    { path: '$.items[0].title', kind: 'changed', monolith: 'Dune', candidate: XSS },
  ];
  for (let i = 0; i < 100; i++) {
    store.recordComparison(
      comparison('orders.get', total, {
        monolith: response({ total: 19.99, items: [{ title: 'Dune' }] }),
        candidate: response({ total: '19.99', items: [{ title: XSS }] }),
      }),
    );
  }
  store.recordComparison(comparison('orders.get', [], { candidate: undefined, candidateError: 'timeout' }));
  store.recordComparison(comparison('orders.get', [], { candidate: undefined, candidateError: 'timeout' }));
  store.recordRouteCounters('orders.get', { dropped: 7, skippedUnsafe: 3, fallbacks: 0 });

  // orders.list: everything matches but only 20 compared -> NOT ENOUGH DATA
  for (let i = 0; i < 20; i++) store.recordComparison(comparison('orders.list', []));
  store.flush();
}

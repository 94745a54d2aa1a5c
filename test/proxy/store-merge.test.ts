// Several proxy instances' stores read as one (`strangler report --store a --store b`): the report over two stores
// that each got half of the traffic is the report of one store that got all of it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type DiffStore } from '../../proxy/store.ts';
import { mergeReaders } from '../../proxy/store/merge.ts';
import { queryReport } from '../../proxy/report/index.ts';
import { seedStore } from './report-fixtures.ts';
import { comparison, priceDiff } from './store-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'strangler-merge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A store that writes everything to `whole` and each record to one of `halves`, picked at random (a load balancer). */
function splitting(whole: DiffStore, halves: DiffStore[]): DiffStore {
  let seed = 42; // a fixed seed: the same split every run (strict turns would send every other noise record to one store)
  const pick = () => (seed = (seed * 48271) % 2147483647) % halves.length;
  const one = () => halves[pick()];
  return {
    ...whole,
    upsertRoute: (meta) => {
      whole.upsertRoute(meta);
      for (const h of halves) h.upsertRoute(meta);
    },
    recordComparison: (r) => {
      whole.recordComparison(r);
      one().recordComparison(r);
    },
    recordNoise: (r) => {
      whole.recordNoise(r);
      one().recordNoise(r);
    },
    recordRouteCounters: (id, c) => {
      const i = pick();
      whole.recordRouteCounters(id, c, `instance-${i}`);
      halves[i].recordRouteCounters(id, c, `instance-${i}`);
    },
    flush: () => {
      whole.flush();
      for (const h of halves) h.flush();
    },
  };
}

describe('diff stores read as one', () => {
  const whole = openStore(join(dir, 'whole.sqlite'));
  const a = openStore(join(dir, 'a.sqlite'));
  const b = openStore(join(dir, 'b.sqlite'));
  seedStore(splitting(whole, [a, b]));
  after(() => [whole, a, b].forEach((s) => s.close()));
  const now = new Date('2026-12-05T12:00:00Z');

  test('counts, verdicts, groups, fields, noise, latency and proxy counters add up to the one store\'s', () => {
    const merged = mergeReaders([a, b]);
    // samples aside: each store keeps its own first few of a group (below)
    const one = queryReport(whole, { samplesPerGroup: 0 }, now);
    const two = queryReport(merged, { samplesPerGroup: 0 }, now);
    assert.ok(one.totals.compared > 2000, 'the fixture has traffic');
    assert.ok(a.readRoutes().find((r) => r.routeId === 'orders.get')!.compared < one.totals.compared, 'each store has part of it');
    assert.deepEqual(stripSampleCounts(two), stripSampleCounts(one));
    assert.deepEqual(merged.uneven, []);
  });

  test('samples: the newest of all stores, numbered anew', () => {
    const merged = mergeReaders([a, b]);
    const [group] = merged.readGroups('orders.get');
    const samples = merged.readSamples('orders.get', group.fingerprint, 5);
    assert.equal(samples.length, 5);
    const ats = samples.map((s) => s.at);
    assert.deepEqual(ats, [...ats].sort((x, y) => y - x), 'newest first');
    const all = [...a.readSamples('orders.get', group.fingerprint, 100), ...b.readSamples('orders.get', group.fingerprint, 100)];
    assert.ok(all.length > 5);
    const newest = all.sort((x, y) => y.at - x.at).slice(0, 5);
    assert.deepEqual(samples.map((s) => s.requestId), newest.map((s) => s.requestId), "the five newest of both stores' samples");
    assert.deepEqual(samples.map((s) => s.id), [1, 2, 3, 4, 5]);
    assert.equal(group.sampleCount, a.readGroups('orders.get')[0].sampleCount + b.readGroups('orders.get')[0].sampleCount);
  });

  test('a route described in one store and known only from proxy counters in another keeps its description', () => {
    const c = openStore(join(dir, 'counters-only.sqlite'));
    c.recordRouteCounters('orders.get', { dropped: 5, skippedUnsafe: 0, fallbacks: 1 });
    const route = mergeReaders([a, c]).readRoutes().find((r) => r.routeId === 'orders.get')!;
    c.close();
    const alone = a.readRoutes().find((r) => r.routeId === 'orders.get')!;
    assert.deepEqual([route.service, route.owner, route.mode, route.compared], [alone.service, alone.owner, alone.mode, alone.compared]);
    assert.deepEqual(route.counters, { dropped: alone.counters.dropped + 5, skippedUnsafe: alone.counters.skippedUnsafe, fallbacks: alone.counters.fallbacks + 1 });
  });

  test('a route started over on one instance only is named: its counts mix before and after', () => {
    const x = openStore(join(dir, 'x.sqlite'));
    const y = openStore(join(dir, 'y.sqlite'));
    for (const s of [x, y]) {
      s.upsertRoute({ routeId: 'catalog.getBook', service: 'catalog', mode: 'shadow' });
      s.upsertRoute({ routeId: 'catalog.search', service: 'catalog', mode: 'shadow' });
      s.recordComparison(comparison('catalog.getBook', priceDiff));
      s.recordComparison(comparison('catalog.search', []));
    }
    x.resetRoute('catalog.getBook');
    // both started over (within minutes of each other): not uneven
    x.resetRoute('catalog.search');
    y.resetRoute('catalog.search');
    const merged = mergeReaders([x, y]);
    assert.deepEqual(merged.uneven.map((u) => [u.routeId, u.startedOverAt.map((t) => t !== undefined)]), [['catalog.getBook', [true, false]]]);
    const route = merged.readRoutes().find((r) => r.routeId === 'catalog.getBook')!;
    assert.equal(route.compared, 1, "y's comparison from before is still counted");
    assert.equal(route.startedOverAt, x.readRoutes().find((r) => r.routeId === 'catalog.getBook')!.startedOverAt);
    x.close();
    y.close();
  });
});

/** The report without what differs by design between one store and several: the groups' kept-sample counts. */
function stripSampleCounts(data: ReturnType<typeof queryReport>): unknown {
  return JSON.parse(JSON.stringify(data, (key, value) => (key === 'sampleCount' || key === 'samplesKept' ? undefined : value)));
}

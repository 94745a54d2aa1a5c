// The whole chain on the sample bookshop: monolith and extracted services behind the real proxy in
// shadow mode, noise learned from the monolith itself, diffs stored, report built. The report must
// name exactly the documented divergences (services/divergences.ts) as real differences.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDiffPipeline, type DiffPipeline } from '../../proxy/comparator.ts';
import { parseConfig } from '../../proxy/config.ts';
import { startProxy, type RunningProxy } from '../../proxy/server.ts';
import { queryReport, renderMarkdown, type ReportData, type RouteReport } from '../../proxy/report/index.ts';
import type { Pair } from '../../proxy/types.ts';
import { divergences } from '../../services/divergences.ts';
import { startSideBySide, type SideBySide } from '../services/side-by-side.ts';

const REPEAT = 4;
// routes without a documented divergence, to check nothing is invented
const CLEAN = [
  { id: 'catalog.getAuthor', service: 'catalog', path: '/authors/:id', requests: ['/authors/1', '/authors/2'] },
  { id: 'inventory.centers', service: 'inventory', path: '/inventory/centers', requests: ['/inventory/centers'] },
  { id: 'reviews.recent', service: 'reviews', path: '/reviews/recent', requests: ['/reviews/recent'] },
];
const routeId = (d: (typeof divergences)[number]): string => `${d.service} ${d.method} ${d.route}`;

describe('diff report on the sample bookshop', () => {
  let dir: string;
  let sides: SideBySide;
  let proxy: RunningProxy;
  let pipeline: DiffPipeline;
  let data: ReportData;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-bookshop-'));
    sides = await startSideBySide();
    const config = parseConfig({
      version: 1,
      legacy: { url: sides.monolith.url },
      services: {
        catalog: { url: sides.services.catalog.url, owner: 'team-catalog' },
        inventory: { url: sides.services.inventory.url, owner: 'team-fulfillment' },
        reviews: { url: sides.services.reviews.url, owner: 'team-reviews' },
      },
      defaults: { mode: 'shadow', noise: { learn: true, sample: 1 } },
      routes: [
        // first match wins: /inventory/centers before /inventory/:bookId
        ...CLEAN.map((c) => ({ id: c.id, method: 'GET' as const, path: c.path, service: c.service })),
        ...divergences.map((d) => ({ id: routeId(d), method: 'GET' as const, path: d.route, service: d.service })),
      ],
      store: { path: join(dir, 'diffs.sqlite') },
    });
    let seen = 0;
    let expected = Infinity;
    let allSeen: () => void = () => {};
    const done = new Promise<void>((resolve) => (allSeen = resolve));
    let running: RunningProxy | undefined;
    pipeline = createDiffPipeline(() => running?.config() ?? config, { proxyStats: () => running?.stats() ?? [] });
    const onPair = (p: Pair): void => {
      pipeline.comparator.onPair(p);
      if (++seen >= expected) allSeen();
    };
    running = proxy = await startProxy(config, { port: 0, host: '127.0.0.1', admin: false, onPair });

    const paths = [...divergences.flatMap((d) => [d.example, ...(d.counterExample ? [d.counterExample] : [])]), ...CLEAN.flatMap((c) => c.requests)];
    expected = paths.length * REPEAT;
    for (let i = 0; i < REPEAT; i++) {
      await Promise.all(paths.map(async (p) => (await fetch(`${proxy.url}${p}`)).arrayBuffer()));
    }
    if (seen >= expected) allSeen();
    await done;
    await pipeline.comparator.close();
    data = queryReport(pipeline.store, { minSamples: 1 });
  });
  after(async () => {
    await proxy?.close();
    await pipeline?.close();
    await sides?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const route = (id: string): RouteReport => {
    const r = data.teams.flatMap((t) => t.services.flatMap((s) => s.routes)).find((x) => x.routeId === id);
    assert.ok(r, `${id} is in the report`);
    return r;
  };
  const realFields = (r: RouteReport): string[] =>
    [...new Set(r.groups.filter((g) => g.real).flatMap((g) => g.fields.filter((f) => f.real).map((f) => `${f.path} ${f.kind}`)))].sort();
  // servedAt is a timestamp with ms: whether two answers differ depends on timing, so it may land
  // on either side of the noise thresholds in a short run; everything else must be exact
  const withoutTimestamp = (fields: string[]): string[] => fields.filter((f) => f !== '$.servedAt changed');

  for (const d of divergences) {
    test(`${d.service} ${d.route}: ${d.path} ${d.kind} is the one real difference`, () => {
      const r = route(routeId(d));
      assert.equal(r.compared, (d.counterExample ? 2 : 1) * REPEAT);
      assert.equal(r.errors.total, 0);
      assert.deepEqual(withoutTimestamp(realFields(r)), [`${d.path} ${d.kind}`]);
      assert.equal(r.verdict, 'NOT READY');
    });
  }

  test('routes without a divergence have nothing real but the timestamp, and servedAt is learned as noise', () => {
    for (const c of CLEAN) assert.deepEqual(withoutTimestamp(realFields(route(c.id))), [], c.id);
    const learned = data.teams.flatMap((t) => t.services.flatMap((s) => s.routes)).flatMap((r) => r.noise.map((n) => `${n.path} ${n.kind}`));
    assert.ok(learned.includes('$.servedAt changed'), 'the monolith’s own timestamp is learned as noise');
    assert.ok(learned.every((f) => f === '$.servedAt changed'), `only servedAt varies on the monolith: ${learned.join(', ')}`);
  });

  test('teams come from the config owners', () => {
    assert.deepEqual(data.teams.map((t) => t.owner), ['team-catalog', 'team-fulfillment', 'team-reviews']);
    assert.match(renderMarkdown(data), /## team-catalog/);
  });
});

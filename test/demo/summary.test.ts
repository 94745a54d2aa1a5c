// The demo summary and its findings, from a real diff store fed through the real comparator: a route with
// a real difference, a route whose only difference is the monolith's own noise, a route never compared.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createComparator } from '../../proxy/comparator.ts';
import { openStore } from '../../proxy/store.ts';
import { queryReport, type ReportData } from '../../proxy/report/index.ts';
import type { RouteStats } from '../../proxy/stats.ts';
import type { CapturedResponse, Pair } from '../../proxy/types.ts';
import { formatSummary, idleRoutes, realFindings, summaryRows, type RouteRef } from '../../demo/summary.ts';

function json(value: unknown): CapturedResponse {
  const body = Buffer.from(JSON.stringify(value));
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body, size: body.length, hash: createHash('sha256').update(body).digest('hex'), truncated: false, latencyMs: 2 };
}

let seq = 0;
function pair(routeId: string, service: string, monolith: unknown, candidate: unknown, again?: unknown): Pair {
  seq++;
  return {
    routeId,
    service,
    request: { id: `r${seq}`, method: 'GET', path: `/x/${seq}`, query: '', headers: {}, receivedAt: 1_700_000_000_000 + seq },
    monolith: json(monolith),
    candidate: json(candidate),
    ...(again === undefined ? {} : { monolithAgain: json(again) }),
  };
}

const ROUTES: RouteRef[] = [
  { id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog' },
  { id: 'catalog.getAuthor', method: 'GET', path: '/authors/:id', service: 'catalog' },
  { id: 'catalog.createBook', method: 'POST', path: '/books', service: 'catalog' },
  { id: 'inventory.getInventory', method: 'GET', path: '/inventory/:bookId', service: 'inventory' },
];

function stats(routeId: string, mode: string, requests: number): RouteStats {
  const latency = { count: 0, p50: 0, p99: 0 };
  return { routeId, mode, requests, shadowed: 0, dropped: 0, droppedSlow: 0, skippedUnsafe: 0, fallbacks: 0, candidateErrors: 0, candidateAnswers: 0, candidate5xx: 0, latency: { monolith: latency, candidate: latency } };
}

describe('demo summary', () => {
  let report: ReportData;

  before(async () => {
    const store = openStore(':memory:');
    const info = (routeId: string) => ({ service: routeId.split('.')[0], mode: 'shadow' });
    const comparator = createComparator({ store, rulesFor: () => ({}), routeInfo: info });
    for (let i = 0; i < 40; i++) {
      // every answer stamped with a fresh servedAt on both sides and on the monolith's second answer
      comparator.onPair(pair('catalog.getBook', 'catalog', { id: i, rating: 4, servedAt: `a${i}` }, { id: i, servedAt: `b${i}` }, { id: i, rating: 4, servedAt: `c${i}` }));
      comparator.onPair(pair('catalog.getAuthor', 'catalog', { id: i, servedAt: `a${i}` }, { id: i, servedAt: `b${i}` }, { id: i, servedAt: `c${i}` }));
    }
    await comparator.close();
    report = queryReport(store, { minSamples: 10 });
    store.close();
  });

  test('findings are the real differences by route pattern; learned noise is not one', () => {
    assert.deepEqual(realFindings(report, ROUTES), [{ service: 'catalog', method: 'GET', route: '/books/:id', path: '$.rating', kind: 'missing' }]);
  });

  test('rows: routes with traffic, with mode, requests, compared, match rate, verdict and differences', () => {
    const all = [stats('catalog.getBook', 'shadow', 45), stats('catalog.getAuthor', 'shadow', 40), stats('catalog.createBook', 'shadow', 0), stats('inventory.getInventory', 'migrated', 12)];
    const rows = summaryRows(report, all, ROUTES);
    assert.deepEqual(idleRoutes(all, ROUTES), { writes: 1, reads: 0 });
    assert.deepEqual(idleRoutes(all.slice(1), ROUTES), { writes: 1, reads: 1 });
    assert.deepEqual(
      rows.map((r) => [r.service, r.route, r.mode, r.requests, r.compared, r.matchRate, r.verdict, r.differences]),
      [
        ['catalog', 'GET /books/:id', 'shadow', 45, 40, 0, 'NOT READY', ['$.rating missing']],
        ['catalog', 'GET /authors/:id', 'shadow', 40, 40, 100, 'READY', []],
        ['inventory', 'GET /inventory/:bookId', 'migrated', 12, 0, undefined, '-', []],
      ],
    );
    const text = formatSummary({
      rows,
      monolithRequests: 300,
      idleRoutes: { writes: 1, reads: 2 },
      totalRequests: 397,
      durationMs: 1234,
      phases: ['shadow', 'rollout'],
      links: { proxy: 'http://127.0.0.1:8080', admin: 'http://127.0.0.1:9090', token: 'tok', report: 'out/diff-report.html', analysis: ['out/report.html'], traffic: 'out/t.ndjson', live: true },
    });
    assert.match(text, /^strangler demo: 397 requests through the proxy in 2 phases \(shadow → rollout\), 1\.2 s$/m);
    assert.match(text, /^catalog +GET \/books\/:id +shadow +45 +40 +0\.0% +NOT READY +\$\.rating missing$/m);
    assert.match(text, /^catalog +GET \/authors\/:id +shadow +40 +40 +100% +READY$/m);
    assert.match(text, /^inventory +GET \/inventory\/:bookId +migrated +12 +- +- +-$/m);
    assert.match(text, /^monolith +every other route \(not extracted\) +legacy +300/m);
    assert.match(text, /^dashboard +http:\/\/127\.0\.0\.1:9090\/ +\(admin API; token tok\)$/m);
    assert.match(text, /^report +out\/diff-report\.html +\(live: http:\/\/127\.0\.0\.1:9090\/report\)$/m);
    assert.match(text, /^no traffic on 1 write route: the demo sends no writes to extracted routes$/m);
    assert.match(text, /^no traffic on 2 read routes$/m);
    assert.match(text, /^traffic +out\/t\.ndjson +\(strangler replay out\/t\.ndjson --target http:\/\/127\.0\.0\.1:8080\)$/m);
    assert.doesNotMatch(text, /stopped with the demo/);
  });
});

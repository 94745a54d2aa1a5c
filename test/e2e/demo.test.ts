// The whole journey, as `strangler demo` runs it: analyze the sample, start monolith + services + proxy
// (port 0, temp out dir), shadow every extracted route, then move to the rollout modes through the admin
// API, drive the shoppers, report. The report must find exactly the divergences documented in
// services/divergences.ts — nothing missing, nothing extra: the monolith's own noise is learned, not reported.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runDemo, type DemoResult } from '../../demo/run.ts';
import { RANDOM_PORTS } from '../../demo/stack.ts';
import { findingKey } from '../../demo/summary.ts';
import { divergences } from '../../services/divergences.ts';
import { PASSWORD } from '../../demo/journeys.ts';
import type { RouteView } from '../../proxy/admin.ts';

const TOKEN = 'demo-test-token';

describe('strangler demo on the sample bookshop', () => {
  let dir: string;
  let demo: DemoResult;
  let routes: RouteView[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-demo-'));
    // fewer requests than the CLI's 3000; every compared route still gets its noise learned (noise sample 1),
    // and even the rarest routes are compared several times
    demo = await runDemo({ out: dir, ports: RANDOM_PORTS, requests: 1500, adminToken: TOKEN });
    const res = await fetch(`${demo.urls.admin}/api/routes`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    routes = ((await res.json()) as { routes: RouteView[] }).routes;
  });

  after(async () => {
    await demo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the report finds exactly the documented divergences, nothing missing and nothing extra', () => {
    const expected = divergences.map((d) => findingKey({ service: d.service, method: d.method, route: d.route, path: d.path, kind: d.kind })).sort();
    const found = demo.findings.map(findingKey);
    assert.deepEqual(
      found.filter((f) => !expected.includes(f)),
      [],
      'reported but not documented',
    );
    assert.deepEqual(
      expected.filter((e) => !found.includes(e)),
      [],
      'documented but not reported',
    );
  });

  test('the monolith’s own noise (servedAt) is learned on every compared route and judged noise', () => {
    const reports = demo.report.teams.flatMap((t) => t.services.flatMap((s) => s.routes));
    const compared = reports.filter((r) => r.compared > 0);
    assert.ok(compared.length >= 12, `routes compared: ${compared.map((r) => r.routeId).join(', ')}`);
    for (const r of compared) {
      assert.ok(r.noiseSampled > 0, `${r.routeId} took noise samples`);
      assert.ok(
        r.noise.some((n) => n.path === '$.servedAt' && n.kind === 'changed'),
        `${r.routeId} learned $.servedAt as noise`,
      );
      const servedAt = r.groups.flatMap((g) => g.fields).filter((f) => f.path === '$.servedAt');
      assert.ok(servedAt.length > 0 && servedAt.every((f) => !f.real), `${r.routeId}: servedAt differs but is not real`);
    }
  });

  test('routes with a documented divergence are NOT READY, the others match on every answer', () => {
    const divergent = new Set(divergences.map((d) => `${d.service} ${d.route}`));
    const byId = new Map(demo.config.routes.map((r) => [r.id, r]));
    for (const r of demo.report.teams.flatMap((t) => t.services.flatMap((s) => s.routes))) {
      if (r.compared === 0) continue;
      const route = byId.get(r.routeId)!;
      // the report's mode is the route's final one, also for routes no longer compared (migrated)
      assert.equal(r.mode, routes.find((x) => x.id === r.routeId)!.mode, `${r.routeId} mode in the report`);
      if (divergent.has(`${route.service} ${route.path}`)) {
        assert.equal(r.verdict, 'NOT READY', r.routeId);
      } else {
        // a candidate timeout on an overloaded machine is an error, counted apart: `compared` holds only the
        // exchanges where both sides answered
        assert.equal(r.matching, r.compared, `${r.routeId}: every compared answer matches after noise`);
        assert.ok(r.groups.every((g) => !g.real), `${r.routeId}: no real mismatch group`);
      }
    }
  });

  test('the routes end in the demo modes, set through the audited admin API', async () => {
    const extracted = routes.filter((r) => ['catalog', 'inventory', 'reviews'].includes(r.service));
    assert.equal(extracted.length, demo.config.routes.length);
    for (const r of extracted) {
      if (r.service === 'catalog') assert.equal(r.mode, 'shadow', r.id);
      if (r.service === 'reviews') {
        assert.equal(r.mode, 'canary', r.id);
        assert.equal(r.canary?.percent, 20, r.id);
      }
      if (r.service === 'inventory') {
        assert.equal(r.mode, 'migrated', r.id);
        assert.equal(r.fallback, true, r.id);
      }
    }
    const res = await fetch(`${demo.urls.admin}/api/audit`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const { entries } = (await res.json()) as { entries: Array<{ routeId: string; to: { mode: string } }> };
    // every extracted route went legacy → shadow, then inventory → migrated and reviews → canary
    const moves = (service: string) => demo.config.routes.filter((r) => r.service === service).length;
    assert.equal(entries.length, demo.config.routes.length + moves('inventory') + moves('reviews'));
  });

  test('traffic went where the modes say: migrated inventory served by the service, a canary share of reviews too', () => {
    const inventory = routes.find((r) => r.path === '/inventory/:bookId')!;
    const report = (id: string) => demo.report.teams.flatMap((t) => t.services.flatMap((s) => s.routes)).find((r) => r.routeId === id)!;
    // phase 1 compared every request; phase 2 served them from the service, without comparing
    assert.ok(inventory.stats.requests > report(inventory.id).compared, 'inventory requests after migration are not compared');
    const summary = routes.find((r) => r.path === '/books/:bookId/reviews/summary')!;
    const canaryServed = summary.stats.requests - report(summary.id).compared;
    assert.ok(canaryServed > 0, 'some reviews requests were served by the candidate in the canary');
    assert.ok(canaryServed < summary.stats.requests / 2, `about 20% of phase 2 went to the canary (${canaryServed} of ${summary.stats.requests})`);
    for (const t of demo.traffic) assert.equal(t.errors, 0, 'no request failed at the proxy');
    assert.equal(demo.traffic.reduce((s, t) => s + t.sent, 0), 1500);
  });

  test('the summary names every route with traffic, the modes, match rates and the URLs', () => {
    for (const d of divergences) assert.match(demo.summary, new RegExp(`${d.method} ${d.route.replace(/[/:]/g, (c) => `\\${c}`)} +\\S+ .*${d.path.replace(/[$.[\]*]/g, (c) => `\\${c}`)} ${d.kind}`), d.route);
    assert.match(demo.summary, /inventory +GET \/inventory\/:bookId +migrated/);
    assert.match(demo.summary, /reviews +GET \/books\/:bookId\/reviews\/summary +canary/);
    assert.match(demo.summary, /catalog +GET \/authors\/:id +shadow +\d+ +\d+ +\d/);
    assert.ok(demo.summary.includes(demo.urls.proxy) && demo.summary.includes(`${demo.urls.admin}/`), 'proxy and dashboard URLs');
    assert.ok(demo.summary.includes(join(dir, 'diff-report.html')), 'report path');
  });

  test('the analysis, the configs and the reports are written to the out dir', () => {
    for (const f of ['plan.json', 'strangler.config.json', 'report.md', 'report.html', 'demo.config.json', 'diff-report.html', 'diff-report.json', 'demo-traffic.ndjson']) {
      assert.ok(existsSync(join(dir, f)), f);
    }
    // the shoppers' requests, recorded for `strangler replay`, with the session tokens redacted
    const traffic = readFileSync(join(dir, 'demo-traffic.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { method: string; path: string; headers?: Record<string, string> });
    assert.equal(traffic.length, 1500);
    const signedIn = traffic.filter((t) => t.headers?.authorization !== undefined);
    assert.ok(signedIn.length > 0 && signedIn.every((t) => t.headers!.authorization === '[redacted]'), 'tokens redacted');
    const logins = traffic.filter((t) => t.method === 'POST' && t.path === '/login');
    assert.ok(logins.length > 0, 'shoppers logged in');
    const raw = readFileSync(join(dir, 'demo-traffic.ndjson'), 'utf8');
    assert.equal(raw.includes(PASSWORD), false, 'passwords in login bodies are redacted ($..password)');
    const html = readFileSync(join(dir, 'diff-report.html'), 'utf8');
    for (const d of divergences) assert.ok(html.includes(d.path), `the HTML report shows ${d.path}`);
    const written = JSON.parse(readFileSync(join(dir, 'demo.config.json'), 'utf8')) as { admin: { token: string } };
    assert.ok(!JSON.stringify(written).includes(TOKEN), 'the admin token is not written to disk');
    assert.equal(written.admin.token, 'env:STRANGLER_ADMIN_TOKEN');
  });

  test('close stops every server and closes every database', async () => {
    await demo.close();
    await assert.rejects(fetch(`${demo.urls.proxy}/books/1`), 'proxy stopped');
    await assert.rejects(fetch(`${demo.urls.legacy}/books/1`), 'monolith stopped');
    await assert.rejects(fetch(`${demo.urls.services.catalog}/books/1`), 'catalog stopped');
    // SQLite removes the WAL file when the last connection closes cleanly
    for (const f of ['diffs.sqlite', 'data/monolith.sqlite', 'data/catalog.sqlite', 'data/inventory.sqlite', 'data/reviews.sqlite']) {
      assert.ok(existsSync(join(dir, f)), f);
      assert.ok(!existsSync(join(dir, `${f}-wal`)), `${f} was closed (no WAL left)`);
    }
    const db = new Database(join(dir, 'diffs.sqlite'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
    await demo.close(); // idempotent
  });
});

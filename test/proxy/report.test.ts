import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type DiffStore } from '../../proxy/store.ts';
import { buildReport, queryReport, renderHtml, renderJson, renderJunit, renderMarkdown, suggestRules, verdictFor, DEFAULT_REPORT_OPTIONS, type ReportData, type RouteReport } from '../../proxy/report/index.ts';
import type { RouteRow, SampleRow } from '../../proxy/store.ts';
import { createHash } from 'node:crypto';
import { REPORT_CSP } from '../../proxy/report/html.ts';
import { highlightPaths, renderBodyHtml } from '../../proxy/report/json-view.ts';
import { seedStore, XSS } from './report-fixtures.ts';
import { comparison, response } from './store-fixtures.ts';
import { checkXml } from './xml-check.ts';

let dir: string;
let store: DiffStore;
let data: ReportData;
const NOW = new Date('2026-12-04T12:00:00Z');

const routeOf = (d: ReportData, id: string): RouteReport => {
  const r = d.teams.flatMap((t) => t.services.flatMap((s) => s.routes)).find((x) => x.routeId === id);
  assert.ok(r, `route ${id} in report`);
  return r;
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'strangler-report-'));
  store = openStore(join(dir, 'diffs.sqlite'));
  seedStore(store);
  data = queryReport(store, {}, NOW);
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('verdicts', () => {
  const base = { minSamples: 500, readyAt: 99.9 };
  test('edges of READY, NOT READY and NOT ENOUGH DATA', () => {
    assert.equal(verdictFor({ ...base, compared: 500, matchRate: 99.9, errors: 0 }).verdict, 'READY');
    assert.equal(verdictFor({ ...base, compared: 499, matchRate: 100, errors: 0 }).verdict, 'NOT ENOUGH DATA');
    assert.equal(verdictFor({ ...base, compared: 0, matchRate: undefined, errors: 0 }).verdict, 'NOT ENOUGH DATA');
    const low = verdictFor({ ...base, compared: 10_000, matchRate: 99.89, errors: 0 });
    assert.equal(low.verdict, 'NOT READY');
    assert.match(low.reasons[0], /99\.8\d?% is below 99\.9%/);
    const errs = verdictFor({ ...base, compared: 10_000, matchRate: 100, errors: 1 });
    assert.deepEqual(errs, { verdict: 'NOT READY', reasons: ['1 candidate error'] });
    assert.equal(verdictFor({ ...base, compared: 40, matchRate: 50, errors: 0 }).verdict, 'NOT READY', 'evidence against a route beats lack of data');
  });

  test('maxP99Ratio: a candidate slower than that at the tail is NOT READY; each side needs minSamples answers; off unless set', () => {
    const latency = (monolithP99: number, candidateP99: number, count = 1000) => ({
      monolith: { count, p50: 5, p99: monolithP99 },
      candidate: { count, p50: 8, p99: candidateP99 },
    });
    const ready = { ...base, compared: 1000, matchRate: 100, errors: 0 };
    assert.deepEqual(verdictFor({ ...ready, latency: latency(40, 130), maxP99Ratio: 3 }), {
      verdict: 'NOT READY',
      reasons: ["candidate p99 130 ms is 3.3× the monolith's 40 ms (limit 3×)"],
    });
    assert.equal(verdictFor({ ...ready, latency: latency(40, 120), maxP99Ratio: 3 }).verdict, 'READY', 'at the limit');
    assert.equal(verdictFor({ ...ready, latency: latency(40, 400) }).verdict, 'READY', 'no limit set');
    assert.equal(verdictFor({ ...ready, latency: latency(40, 400, 499), maxP99Ratio: 3 }).verdict, 'READY', 'too few answers to judge the tail');
    const both = verdictFor({ ...ready, matchRate: 90, latency: latency(10, 100), maxP99Ratio: 2 });
    assert.equal(both.reasons.length, 2, 'every reason is listed');
  });

  test('maxP99Ratio on the seeded store: the candidate answers in ~20 ms where the monolith takes ~10', () => {
    const strict = queryReport(store, { maxP99Ratio: 1.5 }, NOW);
    const route = routeOf(strict, 'catalog.getBook');
    assert.equal(route.verdict, 'NOT READY');
    assert.match(route.reasons[0], /^candidate p99 (19|2\d)(\.\d)? ms is 2(\.\d)?× the monolith's (9|1\d)(\.\d)? ms \(limit 1\.5×\)$/);
    assert.match(renderMarkdown(strict), /and a candidate p99 at most 1\.5× the monolith's\./);
    assert.equal(routeOf(queryReport(store, { maxP99Ratio: 2.5 }, NOW), 'catalog.getBook').verdict, 'READY');
  });

  test('a route started over says since when, in every format; the others do not', () => {
    const file = join(dir, 'started-over.sqlite');
    const own = openStore(file);
    seedStore(own);
    const before = Date.now();
    own.resetRoute('orders.get');
    own.close();
    const readonly = openStore(file, { readonly: true });
    try {
      const d = queryReport(readonly, {}, NOW);
      const route = routeOf(d, 'orders.get');
      assert.ok(route.startedOverAt !== undefined && route.startedOverAt >= before && route.startedOverAt <= Date.now());
      assert.equal(routeOf(d, 'catalog.getBook').startedOverAt, undefined);
      const iso = new Date(route.startedOverAt).toISOString();
      assert.match(renderMarkdown(d), new RegExp(`#### \`orders\\.get\` — .*\n\nCounted since it was started over, ${iso.replace(/\./g, '\\.')}\.`));
      assert.match(renderHtml(d), /Counted since it was started over, \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\./);
      assert.ok(renderJunit(d).includes(`counted since it was started over, ${iso}`));
      assert.equal(JSON.parse(renderJson(d)).teams.flatMap((t: { services: { routes: RouteReport[] }[] }) => t.services.flatMap((s) => s.routes)).filter((r: RouteReport) => r.startedOverAt).length, 1);
    } finally {
      readonly.close();
    }
  });

  test("services and owners narrow the report to a team's routes, totals included", () => {
    const ids = (d: ReportData) => d.teams.flatMap((t) => t.services.flatMap((s) => s.routes.map((r) => r.routeId)));
    const orders = queryReport(store, { services: ['orders'] }, NOW);
    assert.deepEqual(ids(orders), ['orders.get', 'orders.list']);
    assert.equal(orders.totals.routes, 2);
    assert.equal(orders.totals.compared, routeOf(data, 'orders.get').compared + routeOf(data, 'orders.list').compared);
    assert.deepEqual(ids(queryReport(store, { owners: ['(no owner)'] }, NOW)), ['reporting.sales']);
    assert.deepEqual(ids(queryReport(store, { owners: ['team-catalog', 'team-orders'], services: ['catalog'] }, NOW)), ['catalog.getBook', 'catalog.search']);
    assert.equal(queryReport(store, { services: ['nope'] }, NOW).totals.routes, 0);
  });

  test('the seeded routes get the verdicts their counts call for', () => {
    assert.equal(routeOf(data, 'catalog.getBook').verdict, 'READY');
    assert.equal(routeOf(data, 'catalog.getBook').matchRate, 99.9);
    const search = routeOf(data, 'catalog.search');
    assert.equal(search.rawMatchRate?.toFixed(2), '83.33');
    assert.equal(search.matchRate, 100, 'servedAt varies on the monolith itself, so it is noise');
    assert.equal(search.verdict, 'READY');
    assert.equal(search.groups[0].real, false);
    const orders = routeOf(data, 'orders.get');
    assert.equal(orders.verdict, 'NOT READY');
    assert.equal(orders.matchRate, 87.5);
    assert.equal(orders.errors.timeout, 2);
    assert.equal(orders.dropped, 7);
    assert.deepEqual(orders.reasons, ['2 candidate errors', 'match rate 87.5% is below 99.9% over 800 compared']);
    assert.equal(routeOf(data, 'orders.list').verdict, 'NOT ENOUGH DATA');
    assert.equal(routeOf(data, 'reporting.sales').verdict, 'NOT ENOUGH DATA');
    assert.deepEqual(data.totals, { routes: 5, compared: 2420, ready: 2, notReady: 1, notEnoughData: 2 });
  });

  test('a group with a real field among noise fields stays real', () => {
    const route: RouteRow = {
      routeId: 'r', service: 's', mode: 'shadow', compared: 1000, matchedRaw: 900, noiseSampled: 100,
      errors: { timeout: 0, refused: 0, reset: 0, error: 0 }, counters: { dropped: 0, skippedUnsafe: 0, fallbacks: 0 }, latency: { monolith: [], candidate: [] },
    };
    const fields = [
      { routeId: 'r', path: '$.servedAt', kind: 'changed' as const, raw: 100, noise: 10 },
      { routeId: 'r', path: '$.price', kind: 'changed' as const, raw: 40, noise: 0 },
    ];
    const groups = [
      { routeId: 'r', fingerprint: 'a', fields: [{ path: '$.servedAt', kind: 'changed' as const }], count: 60, sampleCount: 0 },
      { routeId: 'r', fingerprint: 'b', fields: [{ path: '$.servedAt', kind: 'changed' as const }, { path: '$.price', kind: 'changed' as const }], count: 40, sampleCount: 0 },
    ];
    const report = buildReport({ routes: [route], fields, groups, samples: new Map() }, DEFAULT_REPORT_OPTIONS, NOW);
    const r = routeOf(report, 'r');
    assert.equal(r.matching, 960);
    assert.equal(r.matchRate, 96);
    assert.deepEqual(r.groups.map((g) => [g.fingerprint, g.real]), [['b', true], ['a', false]]);
  });

  test('store groups that differ only in noise fields are one problem in the report', () => {
    const route: RouteRow = {
      routeId: 'r', service: 's', mode: 'shadow', compared: 1000, matchedRaw: 0, noiseSampled: 100,
      errors: { timeout: 0, refused: 0, reset: 0, error: 0 }, counters: { dropped: 0, skippedUnsafe: 0, fallbacks: 0 }, latency: { monolith: [], candidate: [] },
    };
    const f = (path: string) => ({ path, kind: 'changed' as const });
    const fields = [
      { routeId: 'r', ...f('$.servedAt'), raw: 990, noise: 99 },
      { routeId: 'r', ...f('$.rating'), raw: 1000, noise: 0 },
    ];
    const groups = [
      { routeId: 'r', fingerprint: 'with-ts', fields: [f('$.rating'), f('$.servedAt')], count: 990, sampleCount: 1 },
      { routeId: 'r', fingerprint: 'without-ts', fields: [f('$.rating')], count: 10, sampleCount: 1 },
    ];
    const sample = (id: number) => ({ id, fingerprint: 'x' }) as unknown as SampleRow;
    const samples = new Map([[`r\u0000with-ts`, [sample(1)]], [`r\u0000without-ts`, [sample(2)]]]);
    const r = routeOf(buildReport({ routes: [route], fields, groups, samples }, DEFAULT_REPORT_OPTIONS, NOW), 'r');
    assert.equal(r.groups.length, 1);
    const [g] = r.groups;
    assert.equal(g.count, 1000);
    assert.equal(g.share, 1);
    assert.deepEqual(g.fingerprints, ['with-ts', 'without-ts']);
    assert.deepEqual(g.fields.map((x) => [x.path, x.real]), [['$.rating', true], ['$.servedAt', false]]);
    assert.deepEqual(g.samples.map((x) => x.id), [1, 2]);
  });

  test('teams, then services, then routes, sorted; routes without an owner come last', () => {
    assert.deepEqual(data.teams.map((t) => t.owner), ['team-catalog', 'team-orders', '(no owner)']);
    assert.deepEqual(data.teams[0].services[0].routes.map((r) => r.routeId), ['catalog.getBook', 'catalog.search']);
  });

  test('latency percentiles per side come from the histogram', () => {
    const r = routeOf(data, 'catalog.getBook');
    assert.equal(r.latency.monolith.count, 1000);
    assert.ok(Math.abs((r.latency.monolith.p50 ?? 0) - 10) <= 0.5, `p50 ${r.latency.monolith.p50}`);
    assert.ok(Math.abs((r.latency.candidate.p99 ?? 0) - 20) <= 1, `p99 ${r.latency.candidate.p99}`);
  });
});

describe('sample budget', () => {
  test("one route with hundreds of large mismatch groups: samples stop at the report's budget, the rest say where they are", () => {
    const file = join(dir, 'many-groups.sqlite');
    const own = openStore(file);
    try {
      own.upsertRoute({ routeId: 'big', service: 'catalog', mode: 'shadow' });
      const pad = 'x"'.repeat(5_000); // 10 KB a body, and every quote is six characters of HTML
      for (let i = 0; i < 300; i++) {
        const key = `k${i % 100}`;
        own.recordComparison(comparison('big', [{ path: `$.${key}`, kind: 'changed', monolith: 1, candidate: 2 }], { monolith: response({ [key]: 1, pad }), candidate: response({ [key]: 2, pad }) }));
      }
      // a second route with one small group: the big one does not take the whole budget before it
      own.upsertRoute({ routeId: 'small', service: 'catalog', mode: 'shadow' });
      own.recordComparison(comparison('small', [{ path: '$.a', kind: 'changed', monolith: 1, candidate: 2 }]));
      own.flush();
      assert.ok(DEFAULT_REPORT_OPTIONS.sampleBudgetBytes > 0 && DEFAULT_REPORT_OPTIONS.sampleBudgetBytes <= 16 * 1024 * 1024);
      const report = queryReport(own, { sampleBudgetBytes: 200_000 }, NOW);
      const groups = routeOf(report, 'big').groups;
      const shown = groups.flatMap((g) => g.samples);
      const bytes = shown.reduce((n, x) => n + x.requestBody.length + x.monolith.body.length + x.candidate.body.length, 0);
      assert.ok(shown.length > 0 && bytes < 200_000 + 3 * 30_000, `${shown.length} samples, ${bytes} bytes of bodies`);
      const leftOut = groups.filter((g) => g.samplesLeftOut);
      assert.ok(leftOut.length > 50, `${leftOut.length} groups left without their samples`);
      assert.ok(leftOut.every((g) => g.samples.length === 0));
      assert.equal(routeOf(report, 'small').groups[0].samples.length, 1);
      const html = renderHtml(report);
      assert.ok(html.length < 3_000_000, `${html.length} characters of HTML`);
      assert.ok(html.includes(`/api/diffs?route=big&amp;fingerprint=${encodeURIComponent(leftOut[0].fingerprint).replace(/&/g, '&amp;')}`));
      assert.equal(JSON.parse(renderJson(report)).teams[0].services[0].routes.find((r: RouteReport) => r.routeId === 'big').groups.length, 100);
    } finally {
      own.close();
    }
  });
});

describe('report formats', () => {
  test('HTML is self-contained, escapes bodies and highlights the differing values', () => {
    const html = renderHtml(data);
    assert.ok(html.startsWith('<!doctype html>'));
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, 'no external resources');
    assert.doesNotMatch(html, /https?:\/\//);
    assert.equal(html.includes(XSS), false, 'untrusted body text is never emitted raw');
    assert.ok(html.includes('&lt;script&gt;alert(\\&quot;pwned\\&quot;)&lt;/script&gt;'));
    assert.match(html, /<mark>19\.99<\/mark>/);
    assert.match(html, /<mark>&quot;19\.99&quot;<\/mark>/);
    assert.equal((html.match(/<script>/g) ?? []).length, 1, 'only the report’s own script');
    assert.match(html, /Learned noise/);
    assert.match(html, /v-NOT-READY/);
  });

  test('Markdown has a summary table per service and the mismatch groups', () => {
    const md = renderMarkdown(data);
    assert.match(md, /^# Shadow diff report/);
    assert.match(md, /## team-orders\n\n### orders\n\n\| Route \|/);
    assert.match(md, /\| `orders\.get` \| shadow \| 800 \| 87\.5% \| 87\.5% \| 2 \(2\) \| 7 \|.*❌ NOT READY \|/);
    assert.match(md, /\| `\$\.items\[\*\]\.title` changed, `\$\.total` type \| 100 \| 12\.50% \| real \|/);
    const outsideCode = md.replace(/(`{3,})[^\n]*\n[\s\S]*?\n\1/g, '').replace(/(`+)[^`]*?\1/g, '');
    assert.ok(md.includes('<script>alert('), 'the sample is shown, inside code');
    assert.equal(outsideCode.includes('<script'), false, 'untrusted text only inside code spans and fences');
    assert.match(md, /\| `\$\.servedAt` \| changed \| 10 \(16\.7%\) \|/);
  });

  test('JSON parses back to the report data', () => {
    const parsed = JSON.parse(renderJson(data)) as ReportData & { reportVersion: number };
    assert.equal(parsed.reportVersion, 1);
    assert.deepEqual(parsed.totals, data.totals);
    assert.equal(parsed.teams[1].services[0].routes[0].routeId, 'orders.get');
  });

  test('JUnit is well-formed XML with one test case per route; not ready fails, not enough data skips', () => {
    const xml = renderJunit(data);
    assert.deepEqual(checkXml(xml), []);
    assert.equal((xml.match(/<testcase /g) ?? []).length, 5);
    assert.equal((xml.match(/<failure /g) ?? []).length, 1);
    assert.equal((xml.match(/<skipped /g) ?? []).length, 2);
    assert.match(xml, /<testsuites name="strangler readiness" tests="5" failures="1" skipped="2"/);
    assert.match(xml, /<testcase classname="team-orders\.orders" name="orders\.get">\n\s+<failure type="NOT READY" message="2 candidate errors; match rate 87\.5%/);
  });

  test('JUnit stays well-formed with hostile route ids', () => {
    const hostile = structuredClone(data);
    hostile.teams[0].services[0].routes[0].routeId = 'a"b<c>&d\u0001';
    hostile.teams[0].owner = "o'wner & co";
    assert.deepEqual(checkXml(renderJunit(hostile)), []);
    assert.notDeepEqual(checkXml('<a><b></a>'), [], 'the checker itself catches bad XML');
  });

  test('hostile owners and route ids cannot forge Markdown rows or headings (a lone CR is a line break too)', () => {
    const hostile = structuredClone(data);
    hostile.teams[0].owner = 'team\r# Forged heading\r<img src=x onerror=alert(1)>';
    hostile.teams[0].services[0].routes[0].routeId = 'a\r| forged | row |';
    const md = renderMarkdown(hostile);
    assert.doesNotMatch(md, /^# Forged heading/m);
    assert.doesNotMatch(md, /\r/);
    assert.doesNotMatch(md, /<img/);
    assert.match(md, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.doesNotMatch(md, /^\| forged \| row \|/m);
  });

  test('a | outside a table is shown as it is: in a heading\'s code span and a sample\'s <summary> (raw HTML) a \\| stays a \\|', () => {
    const piped = structuredClone(data);
    const route = routeOf(piped, 'orders.get');
    route.routeId = 'orders|get';
    const sample = route.groups.find((g) => g.real && g.samples.length > 0)!.samples[0];
    sample.path = '/orders/1';
    sample.query = 'fields=total|items';
    const md = renderMarkdown(piped);
    assert.match(md, /^#### `orders\|get` — /m);
    assert.ok(md.includes('<summary>Sample: GET /orders/1?fields=total|items</summary>'), md);
    assert.match(md, /^\| `orders\\\|get` \| shadow \|/m, 'in the table the pipe is still escaped');
  });

  test('bidi override characters from traffic are shown as code points, not obeyed (HTML, Markdown, JUnit)', () => {
    const hostile = structuredClone(data);
    hostile.teams[0].services[0].routes[0].routeId = 'price\u202e00.001$';
    for (const out of [renderHtml(hostile), renderMarkdown(hostile), renderJunit(hostile)]) {
      assert.doesNotMatch(out, /\u202e/);
      assert.ok(out.includes('U+202E'));
    }
  });

  test('a marked key named "a.b" is not the nested a → b, and a whole-body difference marks the whole body', () => {
    const body = JSON.stringify({ 'a.b': 1, a: { b: 2 } });
    const html = renderBodyHtml(body, highlightPaths([{ path: '$["a.b"]', kind: 'changed', monolith: 1, candidate: 3 }], 'monolith'));
    assert.equal((html.match(/<mark>/g) ?? []).length, 1, html);
    assert.match(html, /<mark>1<\/mark>/);
    const whole = renderBodyHtml('[1,2]', highlightPaths([{ path: '$', kind: 'type', monolith: [], candidate: {} }], 'monolith'));
    assert.ok(whole.startsWith('<mark>'), whole);
  });

  test('a deeply nested body is shown at a size linear in the body, with its differing value still marked', () => {
    const depth = 1000;
    const body = `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    const path = `$${'[0]'.repeat(depth)}`;
    const html = renderBodyHtml(body, highlightPaths([{ path, kind: 'changed', monolith: 1, candidate: 2 }], 'monolith'));
    // indenting every level by two more spaces made it quadratic: 4 MB for this 2 KB body, 3 samples × 2 sides a group
    assert.ok(html.length < 50 * body.length, `${html.length} characters for a body of ${body.length}`);
    assert.match(html, /<mark>1<\/mark>/);
    assert.deepEqual(JSON.parse(html.replace(/<\/?mark>/g, '')), JSON.parse(body));
  });

  test('the HTML allows only its own script, by hash (a value that slipped past escaping could not run)', () => {
    const html = renderHtml(data);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const hash = createHash('sha256').update(script).digest('base64');
    assert.ok(REPORT_CSP.includes(`script-src 'sha256-${hash}'`), REPORT_CSP);
    const scriptSrc = REPORT_CSP.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'))!;
    assert.equal(scriptSrc, `script-src 'sha256-${hash}'`, 'nothing else may run');
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`));
  });

  test('route anchors are one per route id ("a b" and "a_20b" used to share one)', () => {
    const twin = structuredClone(data);
    const routes = twin.teams[0].services[0].routes;
    routes.push({ ...structuredClone(routes[0]), routeId: 'a b' }, { ...structuredClone(routes[0]), routeId: 'a_20b' });
    const ids = [...renderHtml(twin).matchAll(/<details class="route" id="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, ids.join(' '));
  });

  test('suggested rules come from learned noise and leave real differences alone', () => {
    assert.deepEqual(suggestRules(data), [{ id: 'catalog.search', compare: { ignore: ['$.servedAt'], unordered: ['$.results'] } }]);
  });
});

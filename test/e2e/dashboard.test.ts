// The live dashboard in a real browser (Debian's Chromium through playwright-core): the sample monolith and
// the catalog service behind the proxy with a diff store, the page loaded from the admin API, the token
// entered, routes listed with live numbers, a route moved to its next mode through the confirm dialog.
// Skipped, with a message, only when /usr/bin/chromium is not installed (apt-get install -y chromium).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startMonolith, type RunningMonolith } from '../../legacy-monolith/server.ts';
import { startCatalogService } from '../../services/catalog/server.ts';
import type { RunningService } from '../../services/kit/listen.ts';
import { createDiffPipeline, type DiffPipeline } from '../../proxy/comparator.ts';
import { parseConfig, type ProxyConfig } from '../../proxy/config.ts';
import { startProxy, type RunningProxy } from '../../proxy/server.ts';
import type { RouteView } from '../../proxy/admin.ts';
import { createLogger } from '../../common/log.ts';
import { DASHBOARD_CSP } from '../../proxy/dashboard.ts';
import { closedPortUrl, until } from '../proxy/helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'e2e-dashboard-token';
// a route id an attacker-minded config author could write: it must show as text, never as markup
const HOSTILE_ID = '<img src=x onerror="window.__pwned=1">';
// set STRANGLER_SCREENSHOT=docs/img/dashboard.png to refresh the README picture
const SCREENSHOT = process.env.STRANGLER_SCREENSHOT;

// runs without a browser too: the page is served, holds no data, and the script cannot write markup
describe('dashboard assets', () => {
  let proxy: RunningProxy;
  before(async () => {
    const config = parseConfig({ version: 1, legacy: { url: 'http://127.0.0.1:9' }, services: {}, admin: { token: 'literal-test-token' } });
    proxy = await startProxy(config, { port: 0, host: '127.0.0.1', adminPort: 0, logger: createLogger('proxy', { level: 'silent' }) });
  });
  after(async () => {
    await proxy?.close();
  });

  test('page, script and stylesheet are served without auth, with a CSP; the API is not', async () => {
    for (const [path, type] of [
      ['/', /^text\/html/],
      ['/dashboard/dashboard.js', /^text\/javascript/],
      ['/dashboard/dashboard.css', /^text\/css/],
    ] as const) {
      const res = await fetch(`${proxy.adminUrl}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', type);
      assert.equal(res.headers.get('content-security-policy'), DASHBOARD_CSP);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    }
    assert.equal((await fetch(`${proxy.adminUrl}/api/routes`)).status, 401);
    assert.equal((await fetch(`${proxy.adminUrl}/dashboard/other.js`)).status, 401, 'only the three files are public');
  });

  test('the script never turns text into markup', () => {
    const js = readFileSync(new URL('../../proxy/dashboard/dashboard.js', import.meta.url), 'utf8');
    assert.doesNotMatch(js, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    const html = readFileSync(new URL('../../proxy/dashboard/index.html', import.meta.url), 'utf8');
    assert.doesNotMatch(html, /<script>|<style>|\son[a-z]+=/i, 'no inline script, style or handlers (the CSP would block them)');
  });
});

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install it with \`apt-get install -y chromium\` to run the browser test`;

describe('live dashboard in Chromium', { skip }, () => {
  let dir: string;
  let monolith: RunningMonolith;
  let catalog: RunningService;
  let pipeline: DiffPipeline;
  let proxy: RunningProxy;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  const admin = async (path: string, init: RequestInit = {}) =>
    fetch(`${proxy.adminUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } });
  const routeRow = (id: string) => page.locator(`#routes tbody tr[data-route="${id.replace(/["\\]/g, '\\$&')}"]`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-dashboard-'));
    monolith = await startMonolith({ port: 0 });
    catalog = await startCatalogService({ port: 0 });
    const config: ProxyConfig = parseConfig({
      version: 1,
      legacy: { url: monolith.url },
      // a service nothing listens for: its canary fails, and the canary guard moves it back
      services: { catalog: { url: catalog.url, owner: 'team-catalog' }, shelves: { url: await closedPortUrl(), owner: 'team-shelves' } },
      defaults: { mode: 'legacy', noise: { learn: true, sample: 0.5 } },
      routes: [
        { id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' },
        { id: 'catalog.listBooks', method: 'GET', path: '/books', service: 'catalog', mode: 'shadow' },
        { id: 'catalog.getAuthor', method: 'GET', path: '/authors/:id', service: 'catalog', mode: 'legacy' },
        { id: 'catalog.categories', method: 'GET', path: '/categories', service: 'catalog', mode: 'canary', canary: { percent: 20 }, guard: { maxP99Ms: 2000 } },
        { id: HOSTILE_ID, method: 'GET', path: '/search', service: 'catalog', mode: 'migrated', fallback: true },
        { id: 'shelves.get', method: 'GET', path: '/shelves/:id', service: 'shelves', mode: 'canary', canary: { percent: 100 }, guard: { minRequests: 1, maxErrorRate: 0 } },
      ],
      store: { path: join(dir, 'diffs.sqlite') },
    });
    let running: RunningProxy | undefined;
    pipeline = createDiffPipeline(() => running?.config() ?? config, {
      proxyStats: () => running?.stats() ?? [],
      logger: createLogger('comparator', { level: 'silent' }),
    });
    running = proxy = await startProxy(config, {
      port: 0,
      host: '127.0.0.1',
      adminPort: 0,
      adminToken: TOKEN,
      configPath: undefined,
      onPair: (p) => pipeline.comparator.onPair(p),
      adminRoutes: pipeline.adminRoutes,
      logger: createLogger('proxy', { level: 'silent' }),
      guardIntervalMs: 20,
    });
    assert.equal((await fetch(`${proxy.url}/shelves/1`)).status, 502);
    await until(() => proxy.config().routes.find((r) => r.id === 'shelves.get')?.mode === 'shadow', 'the canary guard to move shelves.get back');
    // some traffic so the numbers are not all zero (and the diff store has groups)
    const paths = ['/books/1', '/books/2', '/books/3', '/books?limit=5', '/authors/1', '/categories', '/search?q=the', '/nowhere'];
    for (let i = 0; i < 3; i++) await Promise.all(paths.map(async (p) => (await fetch(`${proxy.url}${p}`)).arrayBuffer()));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 600 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await pipeline?.close();
    await Promise.all([catalog?.close(), monolith?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the page is served without auth, holds no data, and sets a strict CSP', async () => {
    const res = await fetch(`${proxy.adminUrl}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await res.text();
    assert.doesNotMatch(html, /catalog\.getBook/);
    assert.equal((await fetch(`${proxy.adminUrl}/api/routes`)).status, 401, 'the data stays behind the token');
  });

  test('asks for the token, then lists every route with live numbers and diff-store verdicts', async () => {
    await page.goto(`${proxy.adminUrl}/`);
    await page.locator('#token').waitFor({ state: 'visible' });
    await page.fill('#token', TOKEN);
    await page.click('#login button[type=submit]');
    await routeRow('catalog.getBook').waitFor();

    for (const id of ['catalog.getBook', 'catalog.listBooks', 'catalog.getAuthor', 'catalog.categories', HOSTILE_ID]) {
      assert.equal(await routeRow(id).locator('td.route code').textContent(), id);
    }
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'the hostile id stayed text');
    assert.equal(await page.locator('#routes tbody img').count(), 0);
    assert.equal(await routeRow('catalog.categories').locator('.mode').textContent(), 'canary 20%');
    assert.equal(await routeRow('shelves.get').locator('span.mode').textContent(), 'shadow');
    assert.equal(await routeRow('shelves.get').locator('.guard-note').textContent(), 'moved back by the guard');
    // a canary under the guard says so; hovering tells its limits; out of canary it says nothing
    assert.equal(await routeRow('catalog.categories').locator('.guard-on').textContent(), 'guarded');
    assert.equal(
      await routeRow('catalog.categories').locator('.guard-on').getAttribute('title'),
      "The canary guard moves it to shadow when the candidate's answers over the last 60 s (20 at least) show over 5% of its answers are 5xx or failures, or its p99 is over 2000 ms.",
    );
    assert.equal(await routeRow('shelves.get').locator('.guard-on').textContent(), '');
    assert.match(
      (await routeRow('shelves.get').locator('span.mode').getAttribute('title')) ?? '',
      /^canary → shadow by guard \(guard\), .*: 1 of the candidate's last 1 answers were 5xx or failures \(100%, over 0%\)$/,
    );
    assert.equal(await routeRow('shelves.get').locator('.guard-note').getAttribute('title'), "1 of the candidate's last 1 answers were 5xx or failures (100%, over 0%)");
    assert.equal(await routeRow('catalog.getBook').locator('td.num').first().textContent(), '9', '3 rounds of /books/1, /2 and /3');

    // match rate and verdict appear once the comparator has stored the shadowed pairs
    await page.waitForFunction(() => {
      const cell = document.querySelector('#routes tbody tr[data-route="catalog.getBook"] td.match');
      return cell !== null && /%$/.test(cell.textContent ?? '');
    });
    assert.match((await routeRow('catalog.getBook').locator('.verdict').textContent()) ?? '', /READY|NOT READY|NOT ENOUGH DATA/);
    assert.equal(await routeRow('catalog.getAuthor').locator('td.match').textContent(), '—', 'a legacy route has nothing compared');
    assert.match((await page.locator('#default-route').textContent()) ?? '', /\(default\)/);
    assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), 'strangler.adminToken'), TOKEN);
  });

  test('the filter shows the routes whose id, path, service, owner or mode hold every word typed', async () => {
    const visible = () => page.locator('#routes tbody tr[data-route]:visible').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-route')));
    const all = await visible();
    assert.ok(all.length >= 6);
    try {
      await page.fill('#filter', 'authors');
      assert.deepEqual(await visible(), ['catalog.getAuthor']);
      assert.equal(await page.locator('#filter-count').textContent(), `1 of ${all.length} routes`);
      // every word must match, in any field, whatever the case: catalog's routes in shadow mode
      await page.fill('#filter', 'CATALOG shadow');
      assert.deepEqual((await visible()).sort(), ['catalog.getBook', 'catalog.listBooks']);
      await page.fill('#filter', 'no-such-route');
      assert.deepEqual(await visible(), []);
    } finally {
      await page.fill('#filter', '');
    }
    assert.deepEqual(await visible(), all);
    assert.equal(await page.locator('#filter-count').textContent(), '');
  });

  test('live refresh: new traffic shows up without reloading the page', async () => {
    await Promise.all(Array.from({ length: 4 }, async () => (await fetch(`${proxy.url}/authors/2`)).arrayBuffer()));
    await page.waitForFunction(() => document.querySelector('#routes tbody tr[data-route="catalog.getAuthor"] td.num')?.textContent === '7');
  });

  test("a route whose candidate is slow says its copies are limited, beside its dropped count", async () => {
    const row = routeRow('catalog.listBooks');
    assert.equal(await row.locator('.limit-note').textContent(), '', 'a candidate keeping up: nothing said');
    // the admin API as it answers while catalog's candidate is much slower than the monolith (a real one takes a
    // second of slow copies: test/proxy/shadow.test.ts); the page draws whatever it says
    await page.route('**/api/routes', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { routes: RouteView[] };
      for (const r of body.routes) {
        if (r.id !== 'catalog.listBooks') continue;
        r.copyLimit = { limit: 16, cap: 64 };
        r.stats = { ...r.stats, dropped: 40, droppedSlow: 30 };
      }
      await route.fulfill({ response: res, json: body });
    });
    try {
      await page.waitForFunction(() => document.querySelector('#routes tbody tr[data-route="catalog.listBooks"] .limit-note')?.textContent !== '');
      assert.equal(await row.locator('.limit-note').textContent(), 'copies limited to 16 of 64: candidate slow');
      assert.match((await row.locator('.limit-note').getAttribute('title')) ?? '', /^The candidate of catalog is much slower than the monolith, so its copies in flight are held to 16 \(the cap is 64\); 30 of the 40 dropped copies were turned away by such a limit\./);
      const cell = row.locator('td.num', { has: page.locator('.limit-note') });
      assert.match((await cell.locator('span').first().textContent()) ?? '', /^\d+ \/ 40$/, 'in the cell of the dropped count');
      assert.match((await cell.locator('span').first().getAttribute('title')) ?? '', /; 30 of the dropped were turned away while the candidate was much slower than the monolith$/);
    } finally {
      await page.unroute('**/api/routes');
    }
    await page.waitForFunction(() => document.querySelector('#routes tbody tr[data-route="catalog.listBooks"] .limit-note')?.textContent === '');
  });

  test('diff groups of a route open in place, with samples from /api/diffs', async () => {
    await routeRow('catalog.listBooks').locator('a.diff-link').click();
    const detail = page.locator('tr.detail[data-detail="catalog.listBooks"]');
    await detail.waitFor({ state: 'visible' });
    // GET /books has a documented divergence (services/README.md), so there is at least one group
    const groups = detail.locator('ul.groups li');
    assert.ok((await groups.count()) > 0, 'diff groups listed');
    await groups.first().locator('button', { hasText: 'samples' }).click();
    await detail.locator('.sample pre').waitFor();
    assert.match((await detail.locator('.sample pre').first().textContent()) ?? '', /GET \/books\?limit=5 {2}monolith 200/);
    // a route with nothing compared says so
    await routeRow('catalog.getAuthor').locator('a.diff-link').click();
    assert.match((await page.locator('tr.detail[data-detail="catalog.getAuthor"]').textContent()) ?? '', /Nothing compared/);
    await routeRow('catalog.getAuthor').locator('a.diff-link').click();
  });

  test('moving a route to its next mode asks for confirmation and takes effect', async () => {
    const row = routeRow('catalog.getAuthor');
    assert.equal(await row.locator('button.next').textContent(), '→ shadow');
    await row.locator('button.next').click();
    await page.waitForFunction(() => document.querySelector('#routes tbody tr[data-route="catalog.getAuthor"] .mode')?.textContent === 'shadow');
    assert.match(dialogs.at(-1) ?? '', /catalog\.getAuthor.*from legacy to shadow/);
    const views = ((await (await admin('/api/routes')).json()) as { routes: RouteView[] }).routes;
    assert.equal(views.find((r) => r.id === 'catalog.getAuthor')?.mode, 'shadow');
    assert.match((await page.locator('#flash').textContent()) ?? '', /catalog\.getAuthor: legacy → shadow/);
    const audit = (await (await admin('/api/audit')).json()) as { entries: { routeId: string; to: { mode: string } }[] };
    assert.equal(audit.entries.at(-1)?.routeId, 'catalog.getAuthor');

    // shadow → canary sends a percent (the API refuses canary without one)
    await routeRow('catalog.getAuthor').locator('button.next').click();
    await page.waitForFunction(() => document.querySelector('#routes tbody tr[data-route="catalog.getAuthor"] .mode')?.textContent === 'canary 10%');
    // the confirmation warns when the diff report has not called the route READY
    assert.match(dialogs.at(-1) ?? '', /to canary \(10% of requests to catalog\)\?\n\n(Nothing has been compared|The diff report says (NOT READY|NOT ENOUGH DATA))/);
    // and back
    await routeRow('catalog.getAuthor').locator('button.back').click();
    await page.waitForFunction(() => document.querySelector('#routes tbody tr[data-route="catalog.getAuthor"] .mode')?.textContent === 'shadow');
    assert.equal(proxy.config().routes.find((r) => r.id === 'catalog.getAuthor')?.mode, 'shadow');
    // the badge's tooltip tells the last change; the guard's note is only for the canary guard's moves
    await page.waitForFunction(() => document.querySelector('#routes tbody tr[data-route="catalog.getAuthor"] span.mode')?.getAttribute('title')?.startsWith('canary → shadow'));
    assert.match((await routeRow('catalog.getAuthor').locator('span.mode').getAttribute('title')) ?? '', /^canary → shadow by .+ \(admin\), /);
    assert.equal(await routeRow('catalog.getAuthor').locator('.guard-note').textContent(), '');
  });

  test('a declined confirmation changes nothing; moving to migrated without fallback is warned about', async () => {
    page.removeAllListeners('dialog');
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await routeRow('catalog.categories').locator('button.next').click();
    // a PATCH would show within one poll; wait for the next refresh of the status line to be sure none came
    const stamp = await page.locator('#status').textContent();
    await page.waitForFunction((s) => document.querySelector('#status')?.textContent !== s, stamp);
    assert.match(asked, /from canary 20% to migrated\?/);
    assert.match(asked, /no fallback: candidate failures will reach clients/);
    assert.equal(proxy.config().routes.find((r) => r.id === 'catalog.categories')?.mode, 'canary');
    assert.equal(await routeRow('catalog.categories').locator('.mode').textContent(), 'canary 20%');
    page.on('dialog', (d) => void d.accept());
  });

  test('a wrong token sends the page back to the token form', async () => {
    const other = await browser.newPage();
    await other.goto(`${proxy.adminUrl}/`);
    await other.fill('#token', 'not-the-token');
    await other.click('#login button[type=submit]');
    await other.locator('#login-error').waitFor({ state: 'visible' });
    assert.match((await other.locator('#login-error').textContent()) ?? '', /refused the token/);
    assert.equal(await other.evaluate((k) => sessionStorage.getItem(k), 'strangler.adminToken'), null);
    await other.close();
  });

  test('with --admin-insecure-local no token is asked for', async () => {
    // a token variable nobody sets, so the admin API has no token whatever the environment holds
    const noToken = { ...proxy.config(), admin: { ...proxy.config().admin, token: 'env:STRANGLER_TEST_NEVER_SET' } };
    const local = await startProxy(noToken, {
      port: 0,
      host: '127.0.0.1',
      adminPort: 0,
      adminInsecureLocal: true,
      admin: true,
      logger: createLogger('proxy', { level: 'silent' }),
    });
    const other = await browser.newPage();
    try {
      await other.goto(`${local.adminUrl}/`);
      await other.locator('#routes tbody tr[data-route="catalog.getBook"]').waitFor();
      assert.equal(await other.locator('#login').isVisible(), false);
      assert.equal(await other.locator('#routes td.match').first().textContent(), '—', 'no diff store attached to this proxy');
      assert.match((await other.locator('#totals').textContent()) ?? '', /no diff store/);
    } finally {
      await other.close();
      await local.close();
    }
  });

  test('screenshot', async () => {
    // the README picture: diff groups open, the long sample list folded again
    const samples = page.locator('tr.detail[data-detail="catalog.listBooks"] button', { hasText: 'samples' }).first();
    await samples.click();
    await page.locator('tr.detail[data-detail="catalog.listBooks"] .sample').first().waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#login').isVisible(), false, 'the token form is gone once connected');
    const file = join(dir, 'dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(statSync(file).size > 10_000);
    if (SCREENSHOT) {
      // for the README: enough traffic that one route reaches a verdict and the latencies are warm
      const paths = ['/categories', '/categories', '/categories', '/books/1', '/books?limit=5', '/authors/1', '/search?q=the', '/nowhere'];
      for (let i = 0; i < 250; i++) await Promise.all(paths.map(async (p) => (await fetch(`${proxy.url}${p}`)).arrayBuffer()));
      await page.waitForFunction(() => document.querySelector('#routes tbody tr[data-route="catalog.categories"] .verdict')?.textContent === 'READY', undefined, { timeout: 60_000 });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    }
  });

  test("start over: after a confirmation a route's comparisons are cleared, and the page shows it", async () => {
    await routeRow('catalog.getBook').locator('a.diff-link').click();
    const detail = page.locator('tr.detail[data-detail="catalog.getBook"]');
    const asked = page.waitForEvent('dialog');
    await detail.locator('button.reset').click();
    assert.match((await asked).message(), /^Start the comparisons of route catalog\.getBook over\?\n\nIts \d+ compared requests, candidate errors, mismatch groups and samples are cleared/);
    await page.waitForFunction(() => /Nothing compared on this route yet/.test(document.querySelector('tr.detail[data-detail="catalog.getBook"]')?.textContent ?? ''));
    // the button only shows on a route with comparisons: something was cleared
    assert.match((await page.locator('#flash').textContent()) ?? '', /^catalog\.getBook: started over \([1-9]\d* compared, \d+ groups cleared\)$/);
    assert.equal(await detail.locator('button.reset').count(), 0, 'nothing left to clear');
    assert.match((await detail.locator('.started-over').textContent()) ?? '', /^Counted since it was started over, .+\.$/);
    // the row's own counts start over too (the proxy's live stats count from the reset): its next refresh says so
    await page.waitForFunction(() => /^Counted since it was started over, /.test(document.querySelector('#routes tbody tr[data-route="catalog.getBook"] td.requests')?.getAttribute('title') ?? ''));
    const after = (await (await fetch(`${proxy.adminUrl}/api/diffs?route=catalog.getBook`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { groups: unknown[] };
    assert.deepEqual(after.groups, []);
    await routeRow('catalog.getBook').locator('a.diff-link').click();
  });
});

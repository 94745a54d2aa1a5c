// GET /report and GET /api/diffs on the admin API: every query parameter read strictly (a bad one is a one-line
// 400 naming it and its range, never a silent default or an SQLite error), an unknown route a 404.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import supertest from 'supertest';
import { createComparator, diffAdminRoutes } from '../../proxy/comparator.ts';
import { openStore } from '../../proxy/store.ts';
import type { DiffStore } from '../../proxy/store/types.ts';
import type { RunningProxy } from '../../proxy/server.ts';
import { ADMIN_TOKEN, startTestProxy, testConfig } from './helpers.ts';
import { response } from './store-fixtures.ts';

const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };

describe('diff endpoints of the admin API', () => {
  let dir: string;
  let store: DiffStore;
  let proxy: RunningProxy;
  let fingerprint: string;
  const lines: Record<string, unknown>[] = [];
  const admin = () => supertest(proxy.adminUrl);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-admin-diffs-'));
    store = openStore(join(dir, 'diffs.sqlite'), { logger: pino({ level: 'silent' }) });
    const cmp = createComparator({ store, rulesFor: () => ({}), routeInfo: () => ({ service: 'catalog', mode: 'shadow' }) });
    // catalog.getBook is in the config; catalog.gone only in the store (a route since removed from the config)
    for (const [i, routeId] of ['catalog.getBook', 'catalog.getBook', 'catalog.getBook', 'catalog.gone'].entries()) {
      cmp.onPair({
        routeId,
        service: 'catalog',
        request: { id: `r${i}`, method: 'GET', path: `/books/${i}`, query: '', headers: {}, receivedAt: 1_700_000_000_000 + i },
        monolith: response({ price: 1 }),
        candidate: response({ price: 2 }),
      });
    }
    await cmp.close();
    fingerprint = store.readGroups('catalog.getBook')[0]!.fingerprint;
    const config = testConfig('http://127.0.0.1:9', 'http://127.0.0.1:9', {
      routes: [
        { id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow' },
        { id: 'catalog.quiet', method: 'GET', path: '/quiet', service: 'catalog', mode: 'shadow' },
      ],
    });
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    proxy = (await startTestProxy(config, { adminRoutes: diffAdminRoutes(store, { minSamples: 1 }), logger: pino({ level: 'debug' }, stream) })).proxy;
  });
  after(async () => {
    await proxy.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/api/diffs?limit= out of 1–1000, negative, NaN or fractional is a 400 naming the range', async () => {
    const base = `/api/diffs?route=catalog.getBook&fingerprint=${fingerprint}`;
    assert.equal((await admin().get(`${base}&limit=2`).set(auth).expect(200)).body.samples.length, 2);
    assert.equal((await admin().get(base).set(auth).expect(200)).body.samples.length, 3);
    for (const bad of ['99999999999999999999', '-5', 'NaN', '1.5', '0', '1001', '']) {
      const r = await admin().get(`${base}&limit=${bad}`).set(auth).expect(400);
      assert.match(r.body.error, /^limit: expected an integer 1–1000, got /, bad);
    }
    await admin().get('/api/diffs?route=catalog.getBook&limit=2').set(auth).expect(400);
  });

  test('/report?samples= outside 0–100 is a 400, not the default', async () => {
    await admin().get('/report?format=json&samples=0').set(auth).expect(200);
    await admin().get('/report?format=json&samples=100').set(auth).expect(200);
    for (const bad of ['1000', 'abc', '-1', '2.5']) {
      const r = await admin().get(`/report?samples=${bad}`).set(auth).expect(400);
      assert.match(r.body.error, /^samples: expected an integer 0–100, got /);
    }
  });

  test('a parameter given twice, as name[], or unknown is a 400, like an unknown format', async () => {
    for (const query of ['format=json&format=md', 'format[]=json', 'format=xml', 'format=toString', 'fromat=json']) {
      const r = await admin().get(`/report?${query}`).set(auth).expect(400);
      assert.match(String(r.headers['content-type']), /application\/json/);
      assert.match(r.body.error, /format|fromat/, query);
    }
    await admin().get('/api/diffs?route=catalog.getBook&route=catalog.quiet').set(auth).expect(400);
  });

  test('/api/diffs?route= names a route the proxy runs or the store holds; otherwise 404', async () => {
    const r = await admin().get('/api/diffs?route=nope').set(auth).expect(404);
    assert.match(r.body.error, /no route with id "nope"/);
    assert.deepEqual((await admin().get('/api/diffs?route=catalog.quiet').set(auth).expect(200)).body.groups, []);
    assert.equal((await admin().get('/api/diffs?route=catalog.gone').set(auth).expect(200)).body.groups.length, 1);
    assert.equal((await admin().get('/api/diffs').set(auth).expect(200)).body.groups.length, 2);
    await admin().get('/api/diffs?route=').set(auth).expect(400);
  });

  test('an unknown route id or group is quoted cut to 80 characters, unprintables escaped', async () => {
    const long = 'y'.repeat(10_000);
    const cut = `"${'y'.repeat(80)}"… (10000 characters)`;
    const diffs = await admin().get(`/api/diffs?route=${long}`).set(auth).expect(404);
    assert.equal(diffs.body.error, `no route with id ${cut} (not in the config, nothing stored for it)`);
    const reset = await admin().post(`/api/routes/${long}/reset-diffs`).set(auth).send({}).expect(404);
    assert.equal(reset.body.error, `no route with id ${cut} (not in the config, nothing stored for it)`);
    const group = await admin().get(`/api/diffs?route=catalog.getBook&fingerprint=${long}%E2%80%AE`).set(auth).expect(404);
    assert.equal(group.body.error, `no diff group "${'y'.repeat(80)}"… (10001 characters) on route "catalog.getBook"`);
    const odd = await admin().get('/api/diffs?route=a%E2%80%AEb').set(auth).expect(404);
    assert.match(odd.body.error, /^no route with id "a\\u202eb"/);
    const format = await admin().get(`/report?format=${long}`).set(auth).expect(400);
    assert.equal(format.body.error, `format: expected html, md, json or junit, got ${cut}`);
  });

  test('a wrong method is a 405; none of these refusals is logged at error', async () => {
    const r = await admin().post('/report').set(auth).expect(405);
    assert.equal(r.headers.allow, 'GET, HEAD');
    await admin().delete('/api/diffs').set(auth).expect(405);
    assert.equal(lines.filter((l) => Number(l.level) >= 50).length, 0);
    assert.ok(lines.some((l) => l.msg === 'admin request refused' && l.status === 400 && /limit/.test(String(l.error))));
  });

  test('POST /api/routes/:id/reset-diffs starts a route over: token, JSON body and a known route required', async () => {
    const reset = (id: string) => admin().post(`/api/routes/${id}/reset-diffs`);
    await reset('catalog.getBook').send({}).expect(401);
    const bare = await reset('catalog.getBook').set(auth).expect(415);
    assert.match(bare.body.error, /content-type: application\/json is required, with a body of \{\}/);
    assert.match((await reset('nope').set(auth).send({}).expect(404)).body.error, /no route with id "nope"/);
    assert.equal((await admin().get('/api/routes/catalog.getBook/reset-diffs').set(auth).expect(405)).headers.allow, 'POST');
    assert.equal((await admin().get('/api/diffs?route=catalog.getBook').set(auth).expect(200)).body.groups.length, 1, 'before');

    const r = await reset('catalog.getBook').set(auth).send({}).expect(200);
    assert.deepEqual(r.body, { route: 'catalog.getBook', cleared: { compared: 3, errors: 0, groups: 1, samples: 3 } });
    assert.deepEqual((await admin().get('/api/diffs?route=catalog.getBook').set(auth).expect(200)).body.groups, []);
    const report = (await admin().get('/report?format=json').set(auth).expect(200)).body as { teams: { services: { routes: { routeId: string; compared: number }[] }[] }[] };
    const routes = report.teams.flatMap((t) => t.services.flatMap((sv) => sv.routes));
    assert.equal(routes.find((x) => x.routeId === 'catalog.getBook')?.compared, 0);
    assert.equal(routes.find((x) => x.routeId === 'catalog.gone')?.compared, 1, 'other routes keep theirs');
    // a route only the store knows can be started over too
    await reset('catalog.gone').set(auth).send({}).expect(200);
  });
});

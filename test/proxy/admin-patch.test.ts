// PATCH /api/routes/:id read strictly, all-or-nothing when the state file cannot be written, and the admin API's
// answers to the wrong method, scheme or content type (with how they are logged).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { parseConfig } from '../../proxy/config.ts';
import { ADMIN_TOKEN, captureLogger, startTestProxy, type Harness } from './helpers.ts';

const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };

const rawConfig = {
  version: 1,
  legacy: { url: 'http://127.0.0.1:9' },
  services: { catalog: { url: 'http://127.0.0.1:9' } },
  defaults: { noise: { learn: false } },
  routes: [
    { id: 'book', method: 'GET', path: '/books/:id', service: 'catalog' },
    { id: 'review', method: 'GET', path: '/reviews/:id', service: 'catalog', mode: 'shadow' },
    { id: 'author', method: 'GET', path: '/authors/:id', service: 'catalog', mode: 'canary', canary: { percent: 10 } },
  ],
};

describe('PATCH /api/routes/:id', () => {
  let dir: string;
  let statePath: string;
  let h: Harness;
  const log = captureLogger('debug');
  const admin = () => supertest(h.proxy.adminUrl);
  const route = async (id: string) => (await admin().get(`/api/routes/${id}`).set(auth).expect(200)).body as { mode: string; canary?: { percent: number }; fallback: boolean };
  const audit = async () => (await admin().get('/api/audit').set(auth).expect(200)).body.entries as { routeId: string; to: { mode: string } }[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-admin-patch-'));
    const configPath = join(dir, 'strangler.config.json');
    writeFileSync(configPath, JSON.stringify(rawConfig));
    statePath = `${configPath}.state.json`;
    h = await startTestProxy(parseConfig(rawConfig), { configPath, watch: false, logger: log.logger });
  });
  after(async () => {
    await h.proxy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a change the state file cannot take is not made: 500 naming the file, audit and later changes untouched', async () => {
    mkdirSync(statePath); // the rename onto it fails (EISDIR)
    try {
      const r = await admin().patch('/api/routes/book').set(auth).send({ mode: 'shadow' }).expect(500);
      assert.match(r.body.error, /^route book not changed: cannot write the proxy state file .*strangler\.config\.json\.state\.json \(EISDIR\)/);
      assert.doesNotMatch(r.body.error, /\n|at .*\.ts:/);
      assert.equal((await route('book')).mode, 'legacy');
      assert.deepEqual(await audit(), []);
      const failures = log.lines.filter((l) => l.level === 50);
      assert.equal(failures.length, 1, 'logged once at error');
      assert.match(String(failures[0]!.error), /EISDIR/);
      assert.equal(failures[0]!.err, undefined, 'no stack');
    } finally {
      rmSync(statePath, { recursive: true });
    }
    // the next, unrelated change applies itself alone
    await admin().patch('/api/routes/review').set(auth).send({ mode: 'legacy' }).expect(200);
    assert.equal((await route('book')).mode, 'legacy');
    assert.deepEqual((await audit()).map((e) => e.routeId), ['review']);
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    assert.deepEqual(Object.keys(state.overrides), ['review']);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
    await admin().patch('/api/routes/review').set(auth).send({ mode: 'shadow' }).expect(200);
  });

  test('unknown keys, {} and [] are refused, naming the keys and the accepted ones', async () => {
    const r = await admin().patch('/api/routes/review').set(auth).send({ mode: 'canary', percent: 5, extra: 1, fallback: true }).expect(400);
    assert.equal(r.body.error, 'unknown keys "extra", "fallback"; accepted: mode, percent');
    assert.equal((await route('review')).mode, 'shadow');
    assert.equal((await route('review')).fallback, false);
    assert.match((await admin().patch('/api/routes/review').set(auth).send({}).expect(400)).body.error, /^nothing to change/);
    assert.match((await admin().patch('/api/routes/review').set(auth).send([]).expect(400)).body.error, /^expected a JSON object/);
  });

  test('a JSON body that is not an object is "expected a JSON object"; no content type is a 415 saying so', async () => {
    for (const body of ['"shadow"', 'null', '42']) {
      const r = await admin().patch('/api/routes/review').set(auth).set('content-type', 'application/json').send(body).expect(400);
      assert.match(r.body.error, /^expected a JSON object like/, body);
    }
    const bad = await admin().patch('/api/routes/review').set(auth).set('content-type', 'application/json').send('{bad').expect(400);
    assert.equal(bad.body.error, 'body is not valid JSON');
    const plain = await admin().patch('/api/routes/review').set(auth).set('content-type', 'text/plain').send('{"mode":"legacy"}').expect(415);
    assert.match(plain.body.error, /content-type: application\/json is required/);
    const none = await admin().patch('/api/routes/review').set(auth).expect(415);
    assert.match(none.body.error, /content-type: application\/json is required/);
    assert.equal((await route('review')).mode, 'shadow');
  });

  test('percent only on a route in canary or one the same PATCH moves to canary', async () => {
    const r = await admin().patch('/api/routes/review').set(auth).send({ percent: 30 }).expect(400);
    assert.equal(r.body.error, 'percent applies to canary mode; send it with mode: canary or on a route in canary');
    await admin().patch('/api/routes/author').set(auth).send({ mode: 'shadow', percent: 30 }).expect(400);
    const shadow = await route('review');
    assert.equal(shadow.canary, undefined);
    assert.equal((await admin().patch('/api/routes/author').set(auth).send({ percent: 30 }).expect(200)).body.canary.percent, 30);
    assert.equal((await admin().patch('/api/routes/review').set(auth).send({ mode: 'canary', percent: 5 }).expect(200)).body.canary.percent, 5);
    await admin().patch('/api/routes/review').set(auth).send({ mode: 'shadow' }).expect(200);
  });

  test('a PATCH that changes nothing answers the route, audits nothing and does not write the state file', async () => {
    const before = (await audit()).length;
    const saved = readFileSync(statePath);
    rmSync(statePath);
    mkdirSync(statePath); // any write would now fail
    try {
      const same = await admin().patch('/api/routes/author').set(auth).send({ mode: 'canary', percent: 30 }).expect(200);
      assert.equal(same.body.canary.percent, 30);
      await admin().patch('/api/routes/review').set(auth).send({ mode: 'shadow' }).expect(200);
      assert.equal(statSync(statePath).isDirectory(), true);
    } finally {
      rmSync(statePath, { recursive: true });
      writeFileSync(statePath, saved);
    }
    assert.equal((await audit()).length, before);
  });

  test('GET /api/audit?limit=N: the most recent N; a bad limit is a 400 naming the range', async () => {
    const all = await audit();
    assert.ok(all.length >= 2);
    const last = (await admin().get('/api/audit?limit=1').set(auth).expect(200)).body.entries;
    assert.deepEqual(last, all.slice(-1));
    for (const bad of ['0', '-5', 'NaN', '1.5', '99999999999999999999', '']) {
      const r = await admin().get(`/api/audit?limit=${bad}`).set(auth).expect(400);
      assert.match(r.body.error, /^limit: expected an integer 1–10000/);
    }
    await admin().get('/api/audit?limit=1&limit=2').set(auth).expect(400);
    await admin().get('/api/audit?limt=1').set(auth).expect(400);
  });

  test('the Authorization scheme is case-insensitive', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) await admin().get('/api/routes').set('Authorization', `${scheme} ${ADMIN_TOKEN}`).expect(200);
    await admin().get('/api/routes').set('Authorization', `Basic ${ADMIN_TOKEN}`).expect(401);
    await admin().get('/api/routes').set('Authorization', `Bearer${ADMIN_TOKEN}`).expect(401);
  });

  test('a wrong method on an admin path is a 405 with Allow, not a 404', async () => {
    const cases: [string, string, string][] = [
      ['delete', '/api/routes/book', 'GET, HEAD, PATCH'],
      ['put', '/api/routes/book', 'GET, HEAD, PATCH'],
      ['get', '/api/reload', 'POST'],
      ['post', '/api/routes', 'GET, HEAD'],
      ['delete', '/api/audit', 'GET, HEAD'],
      ['post', '/metrics', 'GET, HEAD'],
      ['post', '/healthz', 'GET, HEAD'],
      ['post', '/', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const r = await admin()[method as 'get'](path).set(auth).expect(405);
      assert.equal(r.headers.allow, allow, `${method} ${path}`);
      assert.match(r.body.error, /is not allowed on/);
    }
    await admin().get('/api/nothing').set(auth).expect(404);
  });

  test('what a client sent is quoted in an error cut to 80 characters, its length said, unprintables escaped', async () => {
    const long = 'x'.repeat(10_000);
    const cut = `"${'x'.repeat(80)}"… (10000 characters)`;
    const get = await admin().get(`/api/routes/${long}`).set(auth).expect(404);
    assert.equal(get.body.error, `no route with id ${cut}`);
    const patch = await admin().patch(`/api/routes/${long}`).set(auth).send({ mode: 'shadow' }).expect(404);
    assert.equal(patch.body.error, `no route with id ${cut}`);
    // an id the URL decodes to control and bidi characters: shown escaped, never raw
    const odd = await admin().get('/api/routes/a%0Ab%E2%80%AEc').set(auth).expect(404);
    assert.equal(odd.body.error, 'no route with id "a\\nb\\u202ec"');
    const key = await admin().patch('/api/routes/review').set(auth).send({ [`k${long}`]: 1 }).expect(400);
    assert.equal(key.body.error, `unknown key "k${'x'.repeat(79)}"… (10001 characters); accepted: mode, percent`);
    const param = await admin().get(`/api/audit?${long}=1`).set(auth).expect(400);
    assert.match(param.body.error, new RegExp(`^unknown query parameter ${cut.replace(/[.*+?()"]/g, '\\$&')}; `));
    const path = await admin().get(`/api/nothing/${long}`).set(auth).expect(404);
    assert.equal(path.body.error, `no admin endpoint GET /api/nothing/${'x'.repeat(67)}… (10013 characters)`);
    const method = await admin().delete(`/api/routes/${long}`).set(auth).expect(405);
    assert.ok(method.body.error.length < 200, method.body.error);
    for (const r of [get, patch, key, param, path, method]) assert.ok(!r.body.error.includes('x'.repeat(81)));
  });

  test('an oversized body is a 413 in the API\'s words', async () => {
    const r = await admin().patch('/api/routes/book').set(auth).send({ mode: 'x'.repeat(70_000) }).expect(413);
    assert.match(r.body.error, /body too large/);
  });

  test('client errors are logged below error, without a stack', async () => {
    const refused = log.lines.filter((l) => l.msg === 'admin request refused');
    for (const status of [400, 401, 404, 405, 413, 415]) assert.ok(refused.some((l) => l.status === status), `a ${status} was logged`);
    for (const l of refused) {
      assert.ok(Number(l.level) <= 40, JSON.stringify(l));
      assert.equal(l.err, undefined);
    }
    assert.equal(log.lines.filter((l) => Number(l.level) >= 50).length, 1, 'only the state file failure is an error');
  });

  test('a reload that would drop an override the state file cannot record is a 500; the old config keeps serving', async () => {
    assert.equal((await route('author')).canary?.percent, 30); // an override of the file's 10
    const edited = { ...rawConfig, routes: rawConfig.routes.map((r) => (r.id === 'author' ? { ...r, canary: { percent: 20 } } : r)) };
    writeFileSync(join(dir, 'strangler.config.json'), JSON.stringify(edited));
    const entries = (await audit()).length;
    // the state file stays readable (a reload reads it first); its temporary sibling cannot be written
    const tmp = `${statePath}.${process.pid}.tmp`;
    mkdirSync(tmp);
    try {
      const r = await admin().post('/api/reload').set(auth).expect(500);
      assert.match(r.body.error, /^config not applied: cannot write the proxy state file .*\(EISDIR\)/);
      assert.equal((await route('author')).canary?.percent, 30);
      assert.equal((await audit()).length, entries);
    } finally {
      rmSync(tmp, { recursive: true });
    }
    await admin().post('/api/reload').set(auth).expect(200);
    assert.equal((await route('author')).canary?.percent, 20, 'the file wins again');
    assert.equal(((await audit()).at(-1) as { source?: string }).source, 'config');
  });
});

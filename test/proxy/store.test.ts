import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { openStore, SCHEMA_VERSION } from '../../proxy/store.ts';
import { migrate } from '../../proxy/store/migrations.ts';
import { UserError } from '../../common/user-error.ts';
import { comparison, priceDiff, response } from './store-fixtures.ts';
import { latencyBucket } from '../../proxy/store/histogram.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'strangler-store-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('diff store counters', () => {
  test('counts compared, raw matches, errors, fields, groups and latency per route', () => {
    const store = openStore(join(dir, 'counts.sqlite'));
    store.upsertRoute({ routeId: 'catalog.getBook', service: 'catalog', owner: 'team-catalog', mode: 'shadow' });
    for (let i = 0; i < 7; i++) store.recordComparison(comparison('catalog.getBook', []));
    for (let i = 0; i < 3; i++) store.recordComparison(comparison('catalog.getBook', priceDiff));
    store.recordComparison(comparison('catalog.getBook', [], { candidate: undefined, candidateError: 'timeout' }));
    store.recordComparison(comparison('catalog.getBook', [], { candidate: undefined, candidateError: 'refused' }));
    store.recordNoise({ routeId: 'catalog.getBook', at: 5, fields: [{ path: '$.servedAt', kind: 'changed' }] });

    const [route] = store.readRoutes();
    assert.equal(route.routeId, 'catalog.getBook');
    assert.equal(route.owner, 'team-catalog');
    assert.equal(route.mode, 'shadow');
    assert.equal(route.compared, 10, 'errors are not comparisons');
    assert.equal(route.matchedRaw, 7);
    assert.deepEqual(route.errors, { timeout: 1, refused: 1, reset: 0, error: 0 });
    assert.equal(route.noiseSampled, 1);
    assert.equal(route.latency.monolith.reduce((s, b) => s + b.count, 0), 12);
    assert.equal(route.latency.candidate.reduce((s, b) => s + b.count, 0), 10);
    // each side's latencies land in their own bucket (every candidate answered in 20 ms)
    assert.deepEqual(route.latency.candidate, [{ bucket: latencyBucket(20), count: 10 }]);

    const fields = store.readFields('catalog.getBook');
    assert.deepEqual(
      fields.map((f) => [f.path, f.kind, f.raw, f.noise]),
      [['$.price', 'changed', 3, 0], ['$.servedAt', 'changed', 0, 1]],
    );
    assert.equal(fields[1].noiseFirstSeen, 5);
    const groups = store.readGroups();
    assert.equal(groups.length, 1);
    assert.equal(groups[0].count, 3);
    assert.deepEqual(groups[0].fields, [{ path: '$.price', kind: 'changed' }]);
    store.close();
  });

  test('resetRoute starts a route over: its counts, errors, groups, samples and latencies go, its learned noise stays', () => {
    const store = openStore(join(dir, 'reset.sqlite'), { samplesPerFingerprint: 2 });
    for (const route of ['catalog.getBook', 'orders.get']) {
      store.upsertRoute({ routeId: route, service: 's', mode: 'shadow' });
      for (let i = 0; i < 4; i++) store.recordComparison(comparison(route, []));
      for (let i = 0; i < 3; i++) store.recordComparison(comparison(route, priceDiff));
      store.recordComparison(comparison(route, [], { candidate: undefined, candidateError: 'timeout' }));
      store.recordNoise({ routeId: route, at: 5, fields: [{ path: '$.servedAt', kind: 'changed' }] });
    }
    // queued, not yet written: the reset writes them first, so they belong to the old count
    store.recordComparison(comparison('catalog.getBook', priceDiff));

    assert.deepEqual(store.resetRoute('catalog.getBook'), { routeId: 'catalog.getBook', compared: 8, errors: 1, groups: 1, samples: 2 });
    const route = (id: string) => store.readRoutes().find((r) => r.routeId === id)!;
    const reset = route('catalog.getBook');
    assert.deepEqual([reset.compared, reset.matchedRaw, reset.errors.timeout, reset.noiseSampled], [0, 0, 0, 1]);
    assert.deepEqual([reset.latency.monolith, reset.latency.candidate], [[], []]);
    assert.deepEqual(store.readFields('catalog.getBook').map((f) => [f.path, f.raw, f.noise]), [['$.servedAt', 0, 1]], 'the noise the monolith showed is kept');
    assert.deepEqual(store.readGroups('catalog.getBook'), []);
    assert.deepEqual(store.readSamples('catalog.getBook', 'fp:catalog.getBook:$.price/changed'), []);
    assert.equal(route('orders.get').compared, 7, 'other routes are untouched');
    assert.equal(store.readGroups('orders.get')[0].sampleCount, 2);

    // counted again from zero, samples kept again for the same group
    store.recordComparison(comparison('catalog.getBook', priceDiff));
    store.recordComparison(comparison('catalog.getBook', []));
    assert.deepEqual([route('catalog.getBook').compared, route('catalog.getBook').matchedRaw], [2, 1]);
    assert.equal(store.readGroups('catalog.getBook')[0].sampleCount, 1);
    assert.deepEqual(store.resetRoute('never.seen'), { routeId: 'never.seen', compared: 0, errors: 0, groups: 0, samples: 0 });
    store.close();
  });

  test('a reset made through another connection is picked up by refreshResets: samples are kept again', () => {
    const file = join(dir, 'reset-shared.sqlite');
    const writer = openStore(file, { samplesPerFingerprint: 1 });
    const admin = openStore(file);
    writer.upsertRoute({ routeId: 'r', service: 's', mode: 'shadow' });
    writer.recordComparison(comparison('r', priceDiff));
    writer.flush();
    admin.resetRoute('r');
    writer.refreshResets();
    writer.recordComparison(comparison('r', priceDiff));
    writer.flush();
    const [group] = admin.readGroups('r');
    assert.deepEqual([group.count, group.sampleCount], [1, 1], 'the writer forgot it had filled the group before the reset');
    writer.close();
    admin.close();
    const readonly = openStore(file, { readonly: true });
    assert.throws(() => readonly.resetRoute('r'), /read-only/);
    readonly.close();
  });

  test('route metadata is upserted: the latest mode and owner win', () => {
    const store = openStore(join(dir, 'meta.sqlite'));
    store.upsertRoute({ routeId: 'r', service: 's', mode: 'shadow' });
    store.upsertRoute({ routeId: 'r', service: 's', owner: 'team-x', mode: 'canary', noise: { relative: 30, absolute: 0.1 } });
    const [route] = store.readRoutes();
    assert.equal(route.mode, 'canary');
    assert.equal(route.owner, 'team-x');
    assert.deepEqual(route.noise, { relative: 30, absolute: 0.1 });
    store.close();
  });

  test('proxy counters are cumulative snapshots and survive a proxy restart', () => {
    const file = join(dir, 'counters.sqlite');
    const store = openStore(file);
    store.recordRouteCounters('r', { dropped: 5, skippedUnsafe: 2, fallbacks: 0 });
    store.recordRouteCounters('r', { dropped: 8, skippedUnsafe: 2, fallbacks: 1 });
    store.flush();
    // restart: the proxy counts from zero again
    store.recordRouteCounters('r', { dropped: 3, skippedUnsafe: 0, fallbacks: 0 });
    store.recordRouteCounters('r', { dropped: 100, skippedUnsafe: 0, fallbacks: 0 }, 'worker-2');
    const [route] = store.readRoutes();
    assert.deepEqual(route.counters, { dropped: 111, skippedUnsafe: 2, fallbacks: 1 }, 'instances add up');
    assert.equal(route.service, 'unknown', 'a route known only from proxy counters is still listed');
    store.close();
  });

  test('a route started over counts its proxy counters from then: each instance from its snapshot at the reset, across a restart', () => {
    const store = openStore(join(dir, 'counters-reset.sqlite'));
    store.recordRouteCounters('r', { dropped: 8, skippedUnsafe: 2, fallbacks: 1 });
    store.recordRouteCounters('r', { dropped: 100, skippedUnsafe: 0, fallbacks: 0 }, 'worker-2');
    store.recordRouteCounters('other', { dropped: 4, skippedUnsafe: 0, fallbacks: 0 });
    store.resetRoute('r');
    const counters = (id: string) => store.readRoutes().find((x) => x.routeId === id)!.counters;
    assert.deepEqual(counters('r'), { dropped: 0, skippedUnsafe: 0, fallbacks: 0 });
    assert.deepEqual(counters('other'), { dropped: 4, skippedUnsafe: 0, fallbacks: 0 }, 'other routes keep theirs');
    // the processes keep sending their running totals
    store.recordRouteCounters('r', { dropped: 11, skippedUnsafe: 2, fallbacks: 3 });
    store.recordRouteCounters('r', { dropped: 105, skippedUnsafe: 1, fallbacks: 0 }, 'worker-2');
    assert.deepEqual(counters('r'), { dropped: 8, skippedUnsafe: 1, fallbacks: 2 });
    // the first process restarts and counts from zero again: what it counted since the reset is kept
    store.recordRouteCounters('r', { dropped: 2, skippedUnsafe: 0, fallbacks: 0 });
    assert.deepEqual(counters('r'), { dropped: 10, skippedUnsafe: 1, fallbacks: 2 });
    store.close();
  });
});

describe('diff store samples', () => {
  test('samples are capped per fingerprint while counts keep growing, also across reopen', () => {
    const file = join(dir, 'caps.sqlite');
    let store = openStore(file, { samplesPerFingerprint: 5 });
    for (let i = 0; i < 40; i++) store.recordComparison(comparison('r', priceDiff));
    store.close();
    store = openStore(file, { samplesPerFingerprint: 5 });
    for (let i = 0; i < 40; i++) store.recordComparison(comparison('r', priceDiff));
    const [group] = store.readGroups('r');
    assert.equal(group.count, 80);
    assert.equal(group.sampleCount, 5);
    assert.equal(store.readSamples('r', group.fingerprint, 100).length, 5);
    store.close();
  });

  test('a sample keeps request, both sides and the diff entries; bodies are decoded and capped', () => {
    const store = openStore(join(dir, 'sample.sqlite'), { maxSampleBodyBytes: 100 });
    const big = { items: Array.from({ length: 50 }, (_, i) => ({ id: i, title: `Book ${i}` })) };
    const rec = comparison('r', priceDiff, {
      monolith: response(gzipSync(JSON.stringify({ price: 10 })), { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, status: 200, latencyMs: 12 }),
      candidate: response(big, { status: 201, latencyMs: 34 }),
    });
    rec.request = { ...rec.request, method: 'POST', path: '/orders', query: 'x=1', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"qty":2}') };
    store.recordComparison(rec);
    const [group] = store.readGroups('r');
    const [s] = store.readSamples('r', group.fingerprint);
    assert.equal(s.method, 'POST');
    assert.equal(s.path, '/orders');
    assert.equal(s.query, 'x=1');
    assert.equal(s.requestBody, '{"qty":2}');
    assert.equal(s.monolith.body, '{"price":10}', 'gzip is decoded for the reader');
    assert.equal(s.monolith.status, 200);
    assert.equal(s.candidate.status, 201);
    assert.equal(s.candidate.latencyMs, 34);
    assert.match(s.candidate.body, /…\[truncated, \d+ bytes in total\]$/);
    assert.ok(Buffer.byteLength(s.candidate.body) < 160);
    assert.deepEqual(s.entries, priceDiff);
    store.close();
  });

  test('a sample keeps at most maxSampleEntries diff entries; the counts use all of them', () => {
    const store = openStore(join(dir, 'entries.sqlite'), { maxSampleEntries: 10 });
    const many = Array.from({ length: 500 }, (_, i) => ({ path: `$.items[${i}].title`, kind: 'changed' as const, monolith: `a${i}`, candidate: `b${i}` }));
    store.recordComparison(comparison('r', many));
    const [group] = store.readGroups('r');
    const [s] = store.readSamples('r', group.fingerprint);
    assert.equal(s.entries.length, 10);
    assert.deepEqual(s.entries[9], many[9]);
    assert.equal(group.count, 1);
    store.close();
  });
});

describe('diff store cardinality', () => {
  test('ids used as object keys cannot grow the fields and groups without bound', () => {
    const store = openStore(join(dir, 'cardinality.sqlite'), { maxFieldsPerRoute: 10, maxGroupsPerRoute: 5 });
    for (let i = 0; i < 30; i++) {
      store.recordComparison(comparison('r', [{ path: `$.orders.o${i}.total`, kind: 'changed', monolith: 1, candidate: 2 }]));
    }
    const fields = store.readFields('r');
    assert.equal(fields.length, 11, '10 fields and one overflow field');
    assert.equal(fields.find((f) => f.path.startsWith('(more'))?.raw, 20);
    const groups = store.readGroups('r');
    assert.equal(groups.length, 6, '5 groups and one overflow group');
    const overflow = groups.find((g) => g.fingerprint === 'overflow');
    assert.equal(overflow?.count, 25);
    assert.equal(overflow?.sampleCount, 20, 'the overflow group keeps samples like any other');
    assert.equal(store.readRoutes()[0].compared, 30, 'every request is still counted');
    store.close();
  });
});

describe('diff store redaction', () => {
  test('secret bytes never reach the SQLite file or its WAL', () => {
    const file = join(dir, 'secrets.sqlite');
    const store = openStore(file, { redact: { headers: ['authorization', 'cookie', 'set-cookie'], fields: ['$..password', '$..cardNumber', '$.customer.ssn'] } });
    const secrets = ['Bearer TOKEN-AAA-111', 'session=COOKIE-BBB-222', 'HUNTER2-CCC', '4111-DDD-1111', 'SSN-EEE-333', 'QUERYPW-FFF', 'FORMPW-GGG', 'SETCOOKIE-HHH'];
    const rec = comparison('r', [
      { path: '$.customer.cardNumber', kind: 'changed', monolith: '4111-DDD-1111', candidate: 'x' },
      { path: '$.customer', kind: 'missing', monolith: { ssn: 'SSN-EEE-333', nested: { password: 'HUNTER2-CCC' } } },
      { path: 'headers.set-cookie', kind: 'header', monolith: 'id=SETCOOKIE-HHH', candidate: undefined },
    ]);
    rec.request = {
      ...rec.request,
      query: 'password=QUERYPW-FFF&page=2',
      headers: { authorization: 'Bearer TOKEN-AAA-111', cookie: 'session=COOKIE-BBB-222', 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('user=ann&password=FORMPW-GGG'),
    };
    rec.monolith = response(gzipSync(JSON.stringify({ customer: { cardNumber: '4111-DDD-1111', ssn: 'SSN-EEE-333', password: 'HUNTER2-CCC' } })), {
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'set-cookie': 'id=SETCOOKIE-HHH' },
    });
    rec.candidate = response('{"customer":{"password":"HUNTER2-CCC", "cardNumber": "4111-DDD-1111"', { headers: { 'content-type': 'text/plain' } }); // cut-off JSON
    store.recordComparison(rec);

    const [group] = store.readGroups('r');
    const [s] = store.readSamples('r', group.fingerprint);
    assert.equal(s.requestHeaders.authorization, '[redacted]');
    assert.equal(s.monolith.headers['set-cookie'], '[redacted]');
    assert.match(s.monolith.body, /"cardNumber":"\[redacted\]"/);
    assert.match(s.candidate.body, /"password":\s*"\[redacted\]"/);
    assert.match(s.query, /^password=%5Bredacted%5D&page=2$/);
    assert.deepEqual(s.entries[1].monolith, { ssn: '[redacted]', nested: { password: '[redacted]' } });
    store.close();

    const bytes = Buffer.concat([file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
    for (const secret of secrets) assert.equal(bytes.includes(secret), false, `${secret} leaked into the store`);
    assert.ok(bytes.includes('[redacted]'), 'the sample itself was written');
  });

  test('setRedact applies to what is recorded next; stored samples stay as they were', () => {
    const store = openStore(join(dir, 'set-redact.sqlite'), { redact: { headers: [], fields: [] } });
    const withToken = (n: number) => comparison('r', [{ path: '$.token', kind: 'changed', monolith: `TOKEN-${n}`, candidate: 'x' }], { monolith: response({ token: `TOKEN-${n}` }) });
    store.recordComparison(withToken(1));
    store.setRedact({ headers: [], fields: ['$..token'] });
    store.recordComparison(withToken(2));
    const [group] = store.readGroups('r');
    const bodies = store.readSamples('r', group.fingerprint).map((s) => [s.monolith.body, s.entries[0].monolith]);
    assert.deepEqual(bodies.sort(), [
      ['{"token":"TOKEN-1"}', 'TOKEN-1'],
      ['{"token":"[redacted]"}', '[redacted]'],
    ]);
    store.close();
  });
});

describe('diff store batching', () => {
  test('enqueue does no I/O; many records are written in a few transactions', async () => {
    const store = openStore(join(dir, 'batch.sqlite'), { flushEvery: 500, flushMs: 10_000 });
    for (let i = 0; i < 2000; i++) store.recordComparison(comparison('r', i % 2 ? priceDiff : []));
    assert.equal(store.stats().transactions, 0, 'nothing is written on the caller');
    assert.equal(store.stats().queued, 2000);
    await tick();
    const stats = store.stats();
    assert.equal(stats.queued, 0);
    assert.equal(stats.written, 2000);
    assert.ok(stats.transactions <= 4, `expected a few transactions, got ${stats.transactions}`);
    assert.equal(store.readRoutes()[0].compared, 2000);
    store.close();
  });

  test('a lone record is flushed by the timer', async () => {
    const store = openStore(join(dir, 'timer.sqlite'), { flushMs: 5 });
    store.recordComparison(comparison('r', []));
    for (let i = 0; i < 400 && store.stats().written === 0; i++) await sleep(5);
    assert.equal(store.stats().written, 1);
    store.close();
  });

  test('a full queue drops and counts instead of growing', () => {
    const store = openStore(join(dir, 'full.sqlite'), { maxQueue: 10, flushEvery: 1000 });
    for (let i = 0; i < 25; i++) store.recordComparison(comparison('r', []));
    assert.equal(store.stats().dropped, 15);
    store.close();
    assert.throws(() => store.recordComparison(comparison('r', [])), /closed/);
  });
});

describe('diff store schema', () => {
  test('a v1 file is migrated to the latest version and keeps its data', () => {
    const file = join(dir, 'v1.sqlite');
    const db = new Database(file);
    migrate(db, 1);
    db.prepare("INSERT INTO routes (route_id, service, owner, mode, compared, matched_raw) VALUES ('old.route', 'catalog', 'team-a', 'shadow', 900, 899)").run();
    db.prepare('INSERT INTO fields (route_id, path, kind, raw) VALUES (?, ?, ?, ?)').run('old.route', '$.price', 'changed', 1);
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    db.close();

    const store = openStore(file);
    const [route] = store.readRoutes();
    assert.equal(route.compared, 900);
    assert.equal(route.noiseSampled, 0);
    store.recordNoise({ routeId: 'old.route', at: 1, fields: [{ path: '$.price', kind: 'changed' }] });
    store.recordRouteCounters('old.route', { dropped: 4, skippedUnsafe: 0, fallbacks: 0 });
    const [after] = store.readRoutes();
    assert.equal(after.noiseSampled, 1);
    assert.equal(after.counters.dropped, 4);
    assert.equal(store.readFields('old.route')[0].noise, 1);
    store.close();
    const check = new Database(file, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    check.close();
  });

  test('a file from a newer strangler or not a database is refused with a user error', () => {
    const newer = join(dir, 'newer.sqlite');
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => openStore(newer), (e: unknown) => e instanceof UserError && /newer/.test(e.message));
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'this is not a database, just text that is long enough to look like a header'.repeat(20));
    assert.throws(() => openStore(junk), (e: unknown) => e instanceof UserError && /cannot open/.test(e.message));
  });

  test('read-only: reads what the proxy writes, even while it has the file open, and never writes', () => {
    const file = join(dir, 'readonly.sqlite');
    const writer = openStore(file);
    writer.recordComparison(comparison('r', priceDiff));
    writer.flush();
    const reader = openStore(file, { readonly: true });
    assert.equal(reader.readRoutes()[0].compared, 1);
    assert.throws(() => reader.recordComparison(comparison('r', [])), /read-only/);
    reader.close();
    writer.close();
    const before = readFileSync(file);
    openStore(file, { readonly: true }).close();
    assert.deepEqual(readFileSync(file), before);
  });

  test('read-only refuses, unchanged, a file strangler did not write: empty, another application\'s database, missing', () => {
    const empty = join(dir, 'zero.sqlite');
    writeFileSync(empty, '');
    const notOurs = (e: unknown) => e instanceof UserError && e.message.startsWith(`${empty} is not a strangler diff store`);
    assert.throws(() => openStore(empty, { readonly: true }), notOurs);
    assert.equal(statSync(empty).size, 0, 'the file did not grow');

    const foreign = join(dir, 'monolith.sqlite');
    const db = new Database(foreign);
    db.exec('CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT); CREATE TABLE routes (id INTEGER PRIMARY KEY)');
    db.pragma('user_version = 1'); // applications set it too: it alone does not make a store ours
    db.close();
    const before = readFileSync(foreign);
    assert.throws(() => openStore(foreign, { readonly: true }), (e: unknown) => e instanceof UserError && /monolith\.sqlite is not a strangler diff store/.test(e.message));
    assert.deepEqual(readFileSync(foreign), before, 'no tables were added');
    // the proxy's writable opening refuses it too, whatever its user_version
    assert.throws(() => openStore(foreign), (e: unknown) => e instanceof UserError && /monolith\.sqlite holds another application's tables/.test(e.message));
    assert.deepEqual(readFileSync(foreign), before, 'still no tables added');
    const unversioned = join(dir, 'app.sqlite');
    const app = new Database(unversioned);
    app.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY)');
    app.close();
    assert.throws(() => openStore(unversioned), (e: unknown) => e instanceof UserError && /holds another application's tables/.test(e.message));

    const missing = join(dir, 'nope', 'diffs.sqlite');
    assert.throws(() => openStore(missing, { readonly: true }), (e: unknown) => e instanceof UserError && e.message.includes(missing));
    assert.equal(existsSync(join(dir, 'nope')), false, 'no folder was created');
  });

  test('a folder given as the store is named as a folder, both read-only and writable', () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const expected = `diff store ${folder} is a folder; pass the .sqlite file the proxy writes (store.path in its config), e.g. ${join(folder, 'diffs.sqlite')}`;
    assert.throws(() => openStore(folder, { readonly: true }), (e: unknown) => e instanceof UserError && e.message === expected);
    assert.throws(() => openStore(folder), (e: unknown) => e instanceof UserError && e.message === expected);
    // under a file rather than a folder: still the store's own one-line error
    const file = join(dir, 'a-plain-file');
    writeFileSync(file, 'x');
    assert.throws(() => openStore(join(file, 'diffs.sqlite')), (e: unknown) => e instanceof UserError && e.message.startsWith(`diff store ${join(file, 'diffs.sqlite')}: cannot open`));
  });

  test('read-only: a store of an older schema is migrated first, a newer one refused', () => {
    const old = join(dir, 'v1-readonly.sqlite');
    const db = new Database(old);
    migrate(db, 1);
    db.prepare("INSERT INTO routes (route_id, service, mode, compared, matched_raw) VALUES ('old.route', 'catalog', 'shadow', 10, 9)").run();
    db.close();
    const store = openStore(old, { readonly: true });
    assert.equal(store.readRoutes()[0].compared, 10);
    store.close();
    const check = new Database(old, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    check.close();

    const newer = join(dir, 'newer-readonly.sqlite');
    const future = new Database(newer);
    migrate(future);
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.close();
    assert.throws(() => openStore(newer, { readonly: true }), (e: unknown) => e instanceof UserError && /newer than this strangler/.test(e.message));
  });
});

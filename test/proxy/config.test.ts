import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { EventEmitter } from 'node:events';
import { configErrors, loadConfig, parseConfig, startupOnlyChanges, watchConfig, type ProxyConfig } from '../../proxy/config.ts';
import { UserError } from '../../common/user-error.ts';
import { DEFAULT_REDACT } from '../../proxy/store/redact.ts';

const minimal = {
  version: 1,
  legacy: { url: 'http://127.0.0.1:3000' },
  services: { catalog: { url: 'http://127.0.0.1:4001', owner: 'team-catalog' } },
  routes: [{ id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog' }],
};

describe('config schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('defaults are filled in', () => {
    const c = parseConfig(minimal);
    assert.deepEqual(c.listen, { host: '0.0.0.0', port: 8080, keepAliveTimeoutMs: 5000, headersTimeoutMs: 60000, requestTimeoutMs: 300000 });
    // node refuses a headers timeout over the request's: said as a config error, not a crash at start-up
    assert.deepEqual(configErrors({ ...minimal, listen: { headersTimeoutMs: 10_000, requestTimeoutMs: 5_000 } }), [
      'listen.headersTimeoutMs: expected at most listen.requestTimeoutMs (5000): the headers are part of the request',
    ]);
    assert.deepEqual(configErrors({ ...minimal, listen: { headersTimeoutMs: 10_000, requestTimeoutMs: 0 } }), []);
    assert.deepEqual(c.defaults.shadow, { sample: 1, concurrency: 64, adaptive: true, timeoutMs: 2000, maxBodyBytes: 1048576, writes: false });
    assert.deepEqual(c.defaults.noise, { learn: true, sample: 0.1, settleAfter: 1000, settledSample: 0.01, relative: 20, absolute: 0.03 });
    assert.equal(c.defaults.mode, 'legacy');
    assert.deepEqual(c.store, { path: 'data/diffs.sqlite', samplesPerFingerprint: 20 });
    assert.deepEqual(c.memory, { shadowBytes: 16 * 1024 * 1024, compareQueueBytes: 16 * 1024 * 1024 });
    assert.deepEqual(configErrors({ ...minimal, memory: { shadowBytes: -1 } }).map((e) => e.split(':')[0]), ['memory.shadowBytes']);
    assert.deepEqual(c.redact, DEFAULT_REDACT, 'the same list the store and the recorder use');
    assert.deepEqual(c.redact.headers, ['authorization', 'cookie', 'set-cookie', 'proxy-authorization']);
    assert.deepEqual(c.admin, { host: '127.0.0.1', port: 9090, token: 'env:STRANGLER_ADMIN_TOKEN' });
    assert.equal(c.shadowThread, 'slow', 'a slow candidate\'s copies through a shadow thread');
    for (const shadowThread of [true, false, 'slow']) assert.deepEqual(configErrors({ ...minimal, shadowThread }), []);
    assert.deepEqual(configErrors({ ...minimal, shadowThread: 'yes' }), ['shadowThread: expected true, false or "slow"']);
  });

  test('the full DESIGN.md example parses, compare rules included', () => {
    const c = parseConfig({
      ...minimal,
      routes: [
        {
          id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'shadow',
          canary: { percent: 10, stickyBy: 'header:x-customer-id' }, fallback: true,
          compare: { ignore: ['$.servedAt'], unordered: ['$.items', { path: '$.tags', key: 'id' }], tolerance: 0.005, headers: ['content-type'] },
          shadow: { timeoutMs: 500 },
        },
      ],
    });
    assert.equal(c.routes[0].canary?.stickyBy, 'header:x-customer-id');
    assert.equal(c.routes[0].shadow?.timeoutMs, 500);
  });

  test('a route may name SEARCH (node parses it; Express and Directus route it)', () => {
    const c = parseConfig({ ...minimal, routes: [{ id: 'catalog.search', method: 'SEARCH', path: '/items/:collection', service: 'catalog' }] });
    assert.equal(c.routes[0].method, 'SEARCH');
  });

  test('every error is listed, with its path', () => {
    const errors = configErrors({
      ...minimal,
      legacy: { url: 'not a url' },
      routes: [
        minimal.routes[0],
        { id: 'a', method: 'GET', path: '/a', service: 'catalog' },
        { id: 'b', method: 'FETCH', path: 'no-slash', service: 'billing' },
        { id: 'c', method: 'GET', path: '/c', service: 'catalog', mode: 'dark-launch' },
        { id: 'a', method: 'GET', path: '/d', service: 'catalog', mode: 'canary' },
        { id: 'e', method: 'GET', path: '/e', service: 'catalog', canary: { percent: 150, stickyBy: 'session' } },
      ],
    });
    for (const expected of [
      'legacy.url: expected an http:// or https:// URL like http://127.0.0.1:3000',
      'routes[2].method: expected one of GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|SEARCH|*',
      'routes[3].mode: expected one of legacy|shadow|canary|migrated',
      'routes[2].service: unknown service "billing"; expected one of catalog',
      'routes[4].id: duplicate route id "a" (first used by routes[1])',
      'routes[4].canary: mode canary needs canary: { percent }',
      'routes[5].canary.stickyBy: expected ip, header:<name> or cookie:<name>',
    ]) {
      assert.ok(errors.includes(expected), `missing "${expected}" in:\n${errors.join('\n')}`);
    }
    assert.ok(errors.some((e) => e.startsWith('routes[2].path:')));
    assert.ok(errors.some((e) => e.startsWith('routes[5].canary.percent:')));
  });

  test('noise settling values are checked', () => {
    const errors = configErrors({ ...minimal, defaults: { noise: { settleAfter: -1, settledSample: 2 } } });
    assert.ok(errors.some((e) => e.startsWith('defaults.noise.settleAfter:')), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('defaults.noise.settledSample:')), errors.join('\n'));
  });

  test('parseConfig throws one UserError (exit code 2) carrying every error', () => {
    assert.throws(
      () => parseConfig({ ...minimal, routes: [{ ...minimal.routes[0], mode: 'x' }] }, 'my.json'),
      (err: unknown) => err instanceof UserError && err.exitCode === 2 && err.message.includes('my.json') && err.message.includes('routes[0].mode: expected one of legacy|shadow|canary|migrated'),
    );
  });

  test('compare rules and redact paths are compiled at load: a bad JSON path is an error naming where it is', () => {
    const errors = configErrors({
      ...minimal,
      defaults: { compare: { tolerance: -1 } },
      routes: [{ ...minimal.routes[0], compare: { ignore: ['$.items[*'] } }],
      redact: { fields: ['password'] },
    });
    assert.ok(errors.some((e) => e.startsWith('routes[0].compare:') && e.includes('$.items[*')), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('defaults.compare:') && e.includes('tolerance')), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('redact.fields:') && e.includes('password')), errors.join('\n'));
    assert.deepEqual(configErrors({ ...minimal, routes: [{ ...minimal.routes[0], compare: { ignore: ['$.servedAt', '$..id'] } }] }), []);
  });

  test('startupOnlyChanges names the start-up-only settings that differ, and nothing a reload applies', () => {
    const base = parseConfig(minimal);
    assert.deepEqual(startupOnlyChanges(base, parseConfig(minimal)), []);
    const live = parseConfig({
      ...minimal,
      legacy: { url: 'http://127.0.0.1:3001' },
      defaults: { mode: 'shadow', shadow: { sample: 0.5 }, noise: { relative: 30 } },
      routes: [...minimal.routes, { id: 'x', method: 'GET', path: '/x', service: 'catalog', mode: 'migrated' }],
      memory: { shadowBytes: 1024 },
      redact: { headers: ['x-api-key'], fields: ['$..ssn'] },
    });
    assert.deepEqual(startupOnlyChanges(base, live), [], 'routes, modes, upstreams, shadow/noise settings, the shadow budget, redaction: applied live');
    const restart = parseConfig({
      ...minimal,
      listen: { port: 8081 },
      admin: { port: 9091 },
      store: { path: 'elsewhere.sqlite' },
      memory: { compareQueueBytes: 1024 },
      state: 'modes.json',
    });
    assert.deepEqual(startupOnlyChanges(base, restart), ['listen', 'admin.port', 'store', 'memory.compareQueueBytes', 'state']);
  });

  test('route paths and ids with control or bidi characters are refused (they forge rows and lines in reports)', () => {
    const withRoute = (route: object) => ({ ...minimal, routes: [{ ...minimal.routes[0], ...route }] });
    // the same set the analyzer makes visible (common/unprintable.ts): bidi marks and line separators too
    for (const path of ['/books\r\n| a | b |', '/books/\u202eevil', '/a\u0000b', '/books/\u200e1', '/a\u2028b', '/a\u0085b']) {
      assert.deepEqual(configErrors(withRoute({ path })).map((e) => e.split(':')[0]), ['routes[0].path'], JSON.stringify(path));
    }
    assert.deepEqual(configErrors(withRoute({ id: 'a\rb' })).map((e) => e.split(':')[0]), ['routes[0].id']);
    assert.deepEqual(configErrors(withRoute({ id: 'catalog\u061cget' })).map((e) => e.split(':')[0]), ['routes[0].id']);
    assert.deepEqual(configErrors(withRoute({ id: 'catalog.get Book/ü' })), [], 'spaces and letters are fine');
  });

  test('unknown keys are refused (typos do not silently do nothing)', () => {
    assert.ok(configErrors({ ...minimal, routes: [{ ...minimal.routes[0], fallbak: true }] }).some((e) => e.startsWith('routes[0]')));
  });

  test('loadConfig: a missing file and bad JSON are user errors naming the file', () => {
    assert.throws(() => loadConfig(join(dir, 'nope.json')), (e: unknown) => e instanceof UserError && e.message.includes('nope.json'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "version": 1, ');
    assert.throws(() => loadConfig(bad), (e: unknown) => e instanceof UserError && e.message.includes('not valid JSON'));
  });

  test('a config saved with a byte-order mark (Windows editors) is read, at start and on a reload', async () => {
    const file = join(dir, 'bom.json');
    writeFileSync(file, `\uFEFF${JSON.stringify(minimal)}`);
    assert.equal(loadConfig(file).routes.length, minimal.routes.length);
    const events = new EventEmitter();
    const w = watchConfig(file, (c) => events.emit('valid', c), (e) => events.emit('invalid', e), 10);
    try {
      const valid = once(events, 'valid');
      writeFileSync(file, `\uFEFF${JSON.stringify({ ...minimal, routes: [] })}`);
      const [c] = (await valid) as [ProxyConfig];
      assert.equal(c.routes.length, 0);
      // a byte-order mark or a control character anywhere else is invalid JSON, and the message shows it
      const invalid = once(events, 'invalid');
      writeFileSync(file, `{"version": [\u0007]}`);
      const [err] = (await invalid) as [Error];
      assert.match(err.message, /not valid JSON/);
      assert.ok(err.message.includes('\\u0007') && !err.message.includes('\u0007'), err.message);
    } finally {
      w.close();
    }
    writeFileSync(file, `{"version": \uFEFF1}`);
    assert.throws(() => loadConfig(file), (e: unknown) => e instanceof UserError && e.message.includes('\\ufeff') && !e.message.includes('\uFEFF'));
  });

  test('route ids the admin API and the dashboard cannot put in a URL are refused: ".", ".." and a lone surrogate', () => {
    const withId = (id: string) => ({ ...minimal, routes: [{ ...minimal.routes[0], id }] });
    for (const id of ['.', '..']) {
      assert.deepEqual(configErrors(withId(id)), [`routes[0].id: "${id}" cannot be a route id: in the admin API's and the dashboard's URLs it is a dot segment (/api/routes/${id} is not the route); use a name`]);
    }
    assert.deepEqual(configErrors(withId('catalog.\ud800')), ['routes[0].id: not well-formed Unicode (a lone surrogate: JSON "\\ud800" without its pair); the dashboard cannot put it in a URL']);
    for (const id of ['...', '.a', 'a.', 'a/b', 'a?b', 'a#b', '100%', '%2e', 'books 😀']) assert.deepEqual(configErrors(withId(id)), [], id);
  });

  test('`strangler proxy` with an invalid config exits 2 and lists the errors', () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify({ ...minimal, routes: [minimal.routes[0], minimal.routes[0], minimal.routes[0], { ...minimal.routes[0], id: 'x', mode: 'nope' }] }));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'proxy', '--config', file], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /routes\[3\]\.mode: expected one of legacy\|shadow\|canary\|migrated/);
    assert.match(r.stderr, /routes\[1\]\.id: duplicate route id/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  test('watchConfig reports each valid and invalid version of the file', async () => {
    const file = join(dir, 'watched.json');
    writeFileSync(file, JSON.stringify(minimal));
    const events = new EventEmitter();
    const w = watchConfig(file, (c) => events.emit('valid', c), (e) => events.emit('invalid', e), 10);
    try {
      const valid = once(events, 'valid');
      writeFileSync(file, JSON.stringify({ ...minimal, routes: [] }));
      const [c] = (await valid) as [ProxyConfig];
      assert.equal(c.routes.length, 0);
      const invalid = once(events, 'invalid');
      writeFileSync(file, JSON.stringify({ ...minimal, version: 2 }));
      const [err] = (await invalid) as [Error];
      assert.match(err.message, /version: expected 1/);
    } finally {
      w.close();
    }
  });
});

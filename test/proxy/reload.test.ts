import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { parseConfig } from '../../proxy/config.ts';
import { ADMIN_TOKEN, captureLogger, json, request, startTestProxy, startUpstream, until, type Harness, type Upstream } from './helpers.ts';

describe('hot reload', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let dir: string;
  let configPath: string;
  let h: Harness;
  const log = captureLogger();
  const raw = (mode: string, extraRoutes: object[] = []) => ({
    version: 1,
    legacy: { url: monolith.url },
    services: { catalog: { url: candidate.url } },
    defaults: { noise: { learn: false } },
    routes: [{ id: 'book', method: 'GET', path: '/books/:id', service: 'catalog', mode }, ...extraRoutes],
  });
  /** write through a temp file and rename, as editors and config management tools do */
  const writeConfig = (content: unknown) => {
    const tmp = `${configPath}.tmp`;
    writeFileSync(tmp, typeof content === 'string' ? content : JSON.stringify(content));
    renameSync(tmp, configPath);
  };
  const servedBy = async (path: string) => json((await request(h.proxy.url, { path })).body).from;

  before(async () => {
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    dir = mkdtempSync(join(tmpdir(), 'strangler-reload-'));
    configPath = join(dir, 'strangler.config.json');
    writeFileSync(configPath, JSON.stringify(raw('legacy')));
    h = await startTestProxy(parseConfig(raw('legacy')), { configPath, logger: log.logger });
  });
  after(async () => {
    await h.proxy.close();
    await monolith.close();
    await candidate.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a valid new file swaps in without a restart', async () => {
    assert.equal(await servedBy('/books/1'), 'monolith');
    writeConfig(raw('migrated', [{ id: 'author', method: 'GET', path: '/authors/:id', service: 'catalog', mode: 'migrated' }]));
    await until(() => h.proxy.config().routes.length === 2, 'reload');
    assert.equal(await servedBy('/books/1'), 'candidate');
    assert.equal(await servedBy('/authors/1'), 'candidate');
  });

  test('a reload that changes start-up-only settings names them (not the token) and still swaps the routes in', async () => {
    const before = log.lines.length;
    writeConfig({
      ...raw('migrated', [{ id: 'author', method: 'GET', path: '/authors/:id', service: 'catalog', mode: 'legacy' }]),
      shadowThread: true,
      admin: { token: 'a-new-secret-token' },
      redact: { headers: ['authorization', 'x-api-key'] },
    });
    await until(() => log.lines.slice(before).some((l) => String(l.msg).endsWith('read at start-up only, the new values apply after a restart')), 'the warning');
    const warning = log.lines.slice(before).find((l) => String(l.msg).endsWith('the new values apply after a restart'))!;
    assert.deepEqual(warning.settings, ['admin.token', 'shadowThread'], 'redact applies live');
    assert.ok(!JSON.stringify(log.lines.slice(before)).includes('a-new-secret-token'), 'the token is not logged');
    assert.equal(h.proxy.config().shadowThread, true);
    assert.equal(await servedBy('/authors/1'), 'monolith', 'the rest of the file applied');
    writeConfig(raw('migrated', [{ id: 'author', method: 'GET', path: '/authors/:id', service: 'catalog', mode: 'migrated' }]));
    await until(async () => (await servedBy('/authors/1')) === 'candidate', 'back to the file the next test expects');
  });

  test('an invalid file is refused with its errors logged; the old table keeps serving', async () => {
    const before = log.lines.length;
    writeConfig({ ...raw('migrated'), routes: [{ id: 'book', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'flying' }] });
    await until(() => log.lines.slice(before).some((l) => l.msg === 'config reload refused: the previous config keeps serving'), 'refusal logged');
    const refusal = log.lines.slice(before).find((l) => l.msg?.toString().startsWith('config reload refused'))!;
    assert.match(String(refusal.errors), /routes\[0\]\.mode: expected one of legacy\|shadow\|canary\|migrated/);
    assert.equal(h.proxy.config().routes.length, 2);
    assert.equal(await servedBy('/authors/1'), 'candidate');
    writeConfig('{ "version": 1, ');
    await until(() => log.lines.slice(before).some((l) => String(l.errors ?? '').includes('not valid JSON')), 'bad JSON logged');
    assert.equal(await servedBy('/authors/1'), 'candidate');
  });

  test('POST /api/reload re-reads the file and answers 400 with the errors when it is invalid', async () => {
    const admin = supertest(h.proxy.adminUrl);
    const r = await admin.post('/api/reload').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(400);
    assert.match(r.body.error, /not valid JSON/);
    writeConfig(raw('shadow'));
    await admin.post('/api/reload').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    assert.equal(h.proxy.config().routes[0].mode, 'shadow');
  });

  test('a request in flight finishes on the table it started with', async () => {
    writeConfig(raw('legacy'));
    await until(() => h.proxy.config().routes[0].mode === 'legacy', 'back to legacy');
    let release!: () => void;
    let arrived!: () => void;
    const atMonolith = new Promise<void>((r) => (arrived = r));
    const previous = monolith.handler;
    monolith.handler = (req, res, body) => {
      if (req.url !== '/books/slow') return previous(req, res, body);
      release = () => previous(req, res, body);
      arrived();
    };
    const inFlight = request(h.proxy.url, { path: '/books/slow' });
    await atMonolith;
    writeConfig(raw('migrated'));
    await until(() => h.proxy.config().routes[0].mode === 'migrated', 'swap to migrated');
    assert.equal(await servedBy('/books/2'), 'candidate');
    release();
    const r = await inFlight;
    assert.equal(r.status, 200);
    assert.equal(json(r.body).from, 'monolith');
    monolith.handler = previous;
  });

  test('one structured log line per request', async () => {
    const before = log.lines.length;
    await request(h.proxy.url, { path: '/books/3', headers: { 'x-request-id': 'log-me' } });
    await until(() => log.lines.slice(before).some((l) => l.reqId === 'log-me'), 'log line');
    const line = log.lines.slice(before).find((l) => l.reqId === 'log-me')!;
    assert.equal(line.route, 'book');
    assert.equal(line.mode, 'migrated');
    assert.equal(line.upstream, 'catalog');
    assert.equal(line.status, 200);
    assert.equal(typeof line.ms, 'number');
  });
});

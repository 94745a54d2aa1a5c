// An upstream that is the proxy's own address is refused at start-up and on a reload: requests sent there came back
// to the proxy hop after hop until their headers were too large (CI once saw a test proxy handed the port of its
// "gone" service: one request, hundreds of hops and log lines, then a 431).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { UserError } from '../../common/user-error.ts';
import { startProxy } from '../../proxy/server.ts';
import { selfUpstreams } from '../../proxy/self-loop.ts';
import { ADMIN_TOKEN, captureLogger, json, portToListenOn, refuses, request, startTestProxy, startUpstream, testConfig, type Harness, type Upstream } from './helpers.ts';

const at = (address: string, port: number): AddressInfo => ({ address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' });
const loops = (urls: string[], listening: AddressInfo): string[] =>
  selfUpstreams(testConfig(urls[0], 'http://127.0.0.1:1', { services: Object.fromEntries(urls.slice(1).map((u, i) => [`s${i}`, { url: u }])) }), listening).map((l) => l.url);

describe('selfUpstreams: which upstream URLs are the proxy itself', () => {
  test('on a loopback address: that address and localhost, on its port only; https is no loop', () => {
    const listening = at('127.0.0.1', 4100);
    assert.deepEqual(loops(['http://127.0.0.1:4100', 'http://localhost:4100/api', 'http://0.0.0.0:4100', 'http://127.0.0.1:4101', 'https://127.0.0.1:4100', 'http://127.0.0.2:4100', 'http://example.com:4100'], listening), [
      'http://127.0.0.1:4100',
      'http://localhost:4100/api',
      'http://0.0.0.0:4100',
    ]);
    // the default port of http: URLs
    assert.deepEqual(loops(['http://localhost'], at('127.0.0.1', 80)), ['http://localhost']);
  });

  test('on every IPv4 address (0.0.0.0): any loopback address and the machine\'s own, not IPv6', () => {
    const listening = at('0.0.0.0', 4100);
    const own = Object.values(os.networkInterfaces()).flatMap((l) => l ?? []).find((i) => i.family === 'IPv4' && !i.internal)?.address;
    const urls = ['http://127.0.0.2:4100', 'http://[::1]:4100', `http://${os.hostname()}:4100`, 'http://10.255.255.254:4100', ...(own ? [`http://${own}:4100`] : [])];
    assert.deepEqual(loops(urls, listening), ['http://127.0.0.2:4100', `http://${os.hostname()}:4100`, ...(own ? [`http://${own}:4100`] : [])]);
  });

  test('on every address (::): IPv4 and IPv6 loopback alike', () => {
    assert.deepEqual(loops(['http://[::1]:4100', 'http://127.0.0.1:4100', 'http://[::1]:4101'], at('::', 4100)), ['http://[::1]:4100', 'http://127.0.0.1:4100']);
  });
});

describe('the proxy refuses an upstream that is itself', () => {
  let monolith: Upstream;
  const dir = mkdtempSync(join(tmpdir(), 'strangler-self-loop-'));
  before(async () => {
    monolith = await startUpstream('monolith');
  });
  after(async () => {
    await monolith.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('at start-up: a UserError naming the setting, and the port is let go', async () => {
    const port = await portToListenOn(); // the proxy is to listen there
    const config = testConfig(monolith.url, `http://localhost:${port}`);
    await assert.rejects(
      startProxy(config, { port, host: '127.0.0.1', adminPort: 0, adminInsecureLocal: true, logger: captureLogger().logger }),
      (err: unknown) =>
        err instanceof UserError &&
        err.message.startsWith(`services.catalog.url http://localhost:${port} is this proxy's own address (it listens on 127.0.0.1:${port}): every request sent there would come back to the proxy`),
    );
    assert.equal(await refuses(port), true, 'closed again: nothing listens there');
  });

  test('on a reload: refused, and the config before it keeps serving', async () => {
    const configPath = join(dir, 'strangler.config.json');
    const raw = (candidate: string) => ({
      version: 1,
      legacy: { url: monolith.url },
      services: { catalog: { url: candidate } },
      routes: [{ id: 'book', method: 'GET', path: '/books/:id', service: 'catalog', mode: 'migrated' }],
      defaults: { noise: { learn: false } },
    });
    const candidate = await startUpstream('candidate');
    let h: Harness | undefined;
    try {
      writeFileSync(configPath, JSON.stringify(raw(candidate.url)));
      h = await startTestProxy(testConfig(monolith.url, candidate.url, { routes: raw(candidate.url).routes as never }), { configPath, watch: false });
      // a mode set through the admin API: a file that moves the route's own mode drops it when applied
      await supertest(h.proxy.adminUrl).patch('/api/routes/book').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send({ mode: 'shadow' }).expect(200);
      const state = readFileSync(`${configPath}.state.json`, 'utf8');
      const looping = raw(h.proxy.url);
      looping.routes[0].mode = 'legacy';
      writeFileSync(configPath, JSON.stringify(looping));
      await assert.rejects(h.proxy.reload(), (err: unknown) => err instanceof UserError && /^services\.catalog\.url http:\/\/127\.0\.0\.1:\d+ is this proxy's own address/.test(err.message));
      assert.equal(h.proxy.config().services.catalog.url, candidate.url);
      // refused before anything of it was applied or recorded: the override and the state file stay
      assert.equal(h.proxy.config().routes[0].mode, 'shadow');
      assert.equal(readFileSync(`${configPath}.state.json`, 'utf8'), state);
      const r = await request(h.proxy.url, { path: '/books/1' });
      assert.equal(r.status, 200);
      assert.equal(json(r.body).from, 'monolith', 'shadow mode: the client gets the monolith');
    } finally {
      await h?.proxy.close();
      await candidate.close();
    }
  });
});

describe('strangler proxy --workers 2 with an upstream that is itself', () => {
  test('each worker refuses to start; the primary exits 2 with the reason, not re-forking', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strangler-self-loop-cli-'));
    try {
      const port = await portToListenOn();
      const configPath = join(dir, 'strangler.config.json');
      writeFileSync(
        configPath,
        JSON.stringify({ version: 1, listen: { host: '127.0.0.1', port }, legacy: { url: `http://127.0.0.1:${port}` }, services: {}, routes: [], admin: { host: '127.0.0.1', port: 0 }, store: { path: join(dir, 'diffs.sqlite') } }),
      );
      const child = spawn(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'proxy', '--config', configPath, '--workers', '2', '--admin-insecure-local', '--no-diffs'], {
        env: { ...process.env, NODE_ENV: 'test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.resume();
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 2, err);
      assert.match(err, new RegExp(`legacy\\.url http://127\\.0\\.0\\.1:${port} is this proxy's own address`), err);
      assert.match(err, /strangler: no worker could start/, err);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// A client that goes away while the monolith is still working on its shadowed request: the copy ends without a
// pair, and every byte it held goes back to memory.shadowBytes, so later copies are compared as before (a leak here
// sheds every copy once enough clients have given up: comparisons stop, counted as dropped). On the request thread
// and with the shadow thread.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http, { type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startProxy, type RunningProxy } from '../../proxy/server.ts';
import { startShadowThread } from '../../proxy/shadow-thread.ts';
import type { Pair } from '../../proxy/types.ts';
import { ADMIN_TOKEN, request, startUpstream, testConfig, until, type Upstream } from './helpers.ts';

const silent = pino({ level: 'silent' });
const ANSWER = Buffer.from(JSON.stringify({ id: 1, filler: 'x'.repeat(3_000) }));
const UPLOAD = Buffer.alloc(3_000, 'u');

for (const thread of [false, true]) {
  describe(`shadow${thread ? ' thread' : ''}: clients that leave before the monolith answers`, () => {
    let monolith: Upstream;
    let candidate: Upstream;
    let proxy: RunningProxy;
    let dir: string;
    /** comparisons made so far (pairs handed on, or compared by the thread) */
    let compared: () => Promise<number>;
    let stop: () => Promise<void>;
    /** monolith answers held back (requests to /slow/...) */
    const held: ServerResponse[] = [];

    // a proxy per test: the budget is the process's, and each test starts from an empty one
    beforeEach(async () => {
      monolith = await startUpstream('monolith');
      candidate = await startUpstream('candidate');
      const answer = (url: string | undefined, res: ServerResponse): void => {
        if (url?.includes('/slow/')) return void held.push(res);
        res.setHeader('content-type', 'application/json');
        res.end(ANSWER);
      };
      monolith.handler = (req, res) => answer(req.url, res);
      candidate.handler = (req, res) => answer(req.url?.replace('/slow/', '/'), res);
      dir = mkdtempSync(join(tmpdir(), 'strangler-gone-'));
      const config = testConfig(monolith.url, candidate.url, {
        shadowThread: thread,
        store: { path: join(dir, 'diffs.sqlite') },
        // 10,000 bytes a half: with three 3 KB bodies leaked, the next copy's would no longer fit
        memory: { shadowBytes: 20_000 },
        routes: [
          { id: 'read', method: 'GET', path: '/r/*', service: 'catalog', mode: 'shadow' },
          { id: 'write', method: 'POST', path: '/w/*', service: 'catalog', mode: 'shadow', writes: true },
        ],
      });
      const options = { port: 0, host: '127.0.0.1', adminPort: 0, adminToken: ADMIN_TOKEN, logger: silent };
      if (thread) {
        const t = await startShadowThread(config, { logger: silent });
        proxy = await startProxy(config, { ...options, shadowEngine: t.engine });
        compared = async () => (await t.settle()).compared;
        stop = async () => {
          await proxy.close();
          await t.close();
        };
      } else {
        const pairs: Pair[] = [];
        proxy = await startProxy(config, { ...options, onPair: (p) => pairs.push(p) });
        compared = async () => pairs.length;
        stop = () => proxy.close();
      }
    });
    afterEach(async () => {
      for (const res of held.splice(0)) res.destroy();
      await stop();
      await monolith.close();
      await candidate.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const stats = (id: string) => proxy.stats().find((s) => s.routeId === id)!;

    /** Sends a request and goes away once the candidate answered its copy (the monolith has not answered yet). */
    async function leaveEarly(method: string, path: string, routeId: string, body?: Buffer): Promise<void> {
      const answered = stats(routeId).latency.candidate.count;
      const heldBefore = held.length;
      const req = http.request(`${proxy.url}${path}`, { method, agent: false, headers: body ? { 'content-length': body.length } : {} });
      const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
      req.on('error', () => {}); // the abort below
      req.end(body);
      await until(() => stats(routeId).latency.candidate.count === answered + 1, 'the candidate answered the copy');
      await until(() => held.length > heldBefore, 'the monolith holds the request');
      req.destroy();
      await closed;
    }

    async function stillCompared(method: string, path: string, routeId: string, body?: Buffer): Promise<void> {
      const dropped = stats(routeId).dropped;
      // one at a time (the shadow thread gives a copy's bytes back a turn after its comparison): each fits alone
      for (let i = 0; i < 3; i++) {
        const before = await compared();
        const r = await request(proxy.url, { method, path: `${path}/${i}`, body });
        assert.equal(r.status, 200);
        await until(async () => (await compared()) > before || stats(routeId).dropped > dropped, 'the copy ended');
        assert.equal(stats(routeId).dropped, dropped, 'not shed: the bytes of the abandoned copies went back');
      }
    }

    test('GET: the candidate answers held for copies whose client left go back to the budget', async () => {
      for (let i = 0; i < 3; i++) await leaveEarly('GET', `/r/slow/${i}`, 'read');
      assert.equal(await compared(), 0, 'no comparison for a request the monolith never answered');
      await stillCompared('GET', '/r/ok', 'read');
    });

    test('POST with writes: the request bodies held for copies whose client left go back to the budget', async () => {
      for (let i = 0; i < 3; i++) await leaveEarly('POST', `/w/slow/${i}`, 'write', UPLOAD);
      await stillCompared('POST', '/w/ok', 'write', UPLOAD);
    });
  });
}

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { json, request, startProxyCli, startUpstream, until, type ProxyCli, type Upstream } from './helpers.ts';
import { SERVING_V8_FLAGS } from '../../proxy/runtime.ts';

describe('strangler proxy --workers 2 (node:cluster)', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let dir: string;
  let cli: ProxyCli;
  let proxyUrl = '';
  let adminUrl = '';
  const token = 'workers-test-token';
  const auth = { Authorization: `Bearer ${token}` };
  /** until(), with what the primary and the workers logged in the error when it times out (a flake says why) */
  const waitFor = async (cond: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void> => {
    try {
      await until(cond, what, timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- strangler proxy output ---\n${cli.out}`);
    }
  };

  before(async () => {
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    dir = mkdtempSync(join(tmpdir(), 'strangler-workers-'));
    // started with the serving V8 flags, as the bin's shebang starts it: the workers must inherit them
    cli = await startProxyCli(
      dir,
      {
        version: 1,
        listen: { host: '127.0.0.1', port: 0 },
        legacy: { url: monolith.url },
        services: { catalog: { url: candidate.url } },
        defaults: { noise: { learn: false }, guard: { minRequests: 6, maxErrorRate: 0.2 } },
        routes: [
          { id: 'book', method: 'GET', path: '/books/:id', service: 'catalog' },
          // for the latency guard: in canary from the start, its candidate turns slow in its test
          { id: 'slow', method: 'GET', path: '/slow/:id', service: 'catalog', mode: 'canary', canary: { percent: 100 }, guard: { minRequests: 6, maxP99Ms: 40 } },
          // shadowed, for the copy limit: its candidate turns slow in its test
          { id: 'copies', method: 'GET', path: '/copies/:id', service: 'catalog', mode: 'shadow', shadow: { concurrency: 8, timeoutMs: 10_000 } },
        ],
        admin: { host: '127.0.0.1', port: 0, token: 'env:STRANGLER_TEST_WORKERS_TOKEN' },
        store: { path: join(dir, 'diffs.sqlite') },
      },
      { args: ['--workers', '2'], env: { STRANGLER_TEST_WORKERS_TOKEN: token } },
    );
    ({ proxyUrl, adminUrl } = cli);
  });

  after(async () => {
    await cli.stop();
    await monolith.close();
    await candidate.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves traffic; the primary admin API sums every worker and flips modes in all of them', async () => {
    // a fresh connection each time so the primary spreads them over both workers
    for (let i = 0; i < 20; i++) {
      const r = await request(proxyUrl, { path: `/books/${i}`, headers: { connection: 'close' } });
      assert.equal(json(r.body).from, 'monolith');
    }
    const admin = supertest(adminUrl);
    await waitFor(async () => {
      const r = await admin.get('/api/routes').set(auth);
      return r.body.routes?.[0]?.stats.requests === 20;
    }, 'stats from both workers add up to 20');
    await admin.patch('/api/routes/book').set(auth).send({ mode: 'migrated' }).expect(200);
    // every worker reloads from the persisted state; poll until all fresh connections see the candidate
    await waitFor(async () => {
      for (let i = 0; i < 10; i++) {
        const r = await request(proxyUrl, { path: '/books/x', headers: { connection: 'close' } });
        if (json(r.body).from !== 'candidate') return false;
      }
      return true;
      // each worker reloads on the primary's IPC message; on a loaded 2-core CI machine that took over 5 s once
    }, 'all workers migrated', 20_000);
  });

  test("the requests the workers refused themselves are summed in the primary's /api/routes and /metrics", async () => {
    const port = Number(new URL(proxyUrl).port);
    for (let i = 0; i < 6; i++) {
      // each on its own connection (the refusal closes it), so both workers get some
      const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /books/1 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'));
      socket.resume();
      await once(socket, 'close');
    }
    const admin = supertest(adminUrl);
    await waitFor(async () => (await admin.get('/api/routes').set(auth)).body.refused?.['host-duplicate'] === 6, 'six refusals summed over the workers');
    const metrics = (await admin.get('/metrics').set(auth)).text;
    assert.match(metrics, /^strangler_refused_total\{reason="host-duplicate"\} 6$/m);
  });

  test("what Node's parser refused in the workers (a bad request line) is summed too, under parse", async () => {
    const port = Number(new URL(proxyUrl).port);
    for (let i = 0; i < 6; i++) {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('THIS IS NOT HTTP\r\n\r\n'));
      socket.resume();
      await once(socket, 'close');
    }
    const admin = supertest(adminUrl);
    await waitFor(async () => (await admin.get('/api/routes').set(auth)).body.refused?.parse === 6, 'six parser refusals summed over the workers');
    const metrics = (await admin.get('/metrics').set(auth)).text;
    assert.match(metrics, /^strangler_refused_total\{reason="parse"\} 6$/m);
  });

  test('the primary and both workers run with the serving V8 flags (node:cluster forks with the primary\'s execArgv)', async () => {
    const tuned = () =>
      new Set(
        cli.out
          .split('\n')
          .filter((l) => l.includes('V8 tuned for serving'))
          .map((l) => (JSON.parse(l) as { pid: number; v8Flags: string[] }))
          .filter((e) => e.v8Flags.join(' ') === SERVING_V8_FLAGS.join(' '))
          .map((e) => e.pid),
      );
    await waitFor(() => tuned().size === 3, 'three processes log the serving flags', 10_000);
    assert.ok(!cli.out.includes('node was started without'), 'no process warns about missing flags');
  });

  test('the canary guard runs in the primary, on the counters of both workers', async () => {
    const admin = supertest(adminUrl);
    await admin.patch('/api/routes/book').set(auth).send({ mode: 'canary', percent: 100 }).expect(200);
    await waitFor(async () => {
      for (let i = 0; i < 10; i++) {
        const r = await request(proxyUrl, { path: '/books/x', headers: { connection: 'close' } });
        if (json(r.body).from !== 'candidate') return false;
      }
      return true;
    }, 'all workers in canary', 20_000);
    candidate.handler = (_req, res) => {
      res.statusCode = 503;
      res.end('{"error":"down"}');
    };
    for (let i = 0; i < 12; i++) await request(proxyUrl, { path: `/books/${i}`, headers: { connection: 'close' } });
    await waitFor(async () => (await admin.get('/api/routes/book').set(auth)).body.mode === 'shadow', 'the guard to move the route to shadow', 20_000);
    const audit = (await admin.get('/api/audit').set(auth)).body.entries as { who: string; source: string; to: { mode: string } }[];
    assert.deepEqual(audit.map((e) => [e.who, e.source, e.to.mode]).at(-1), ['guard', 'guard', 'shadow']);
    assert.equal(audit.filter((e) => e.who === 'guard').length, 1, 'one move, by the primary alone');
  });

  test("the guard's latency limit reads the p99 of both workers' histograms together", async () => {
    const admin = supertest(adminUrl);
    candidate.handler = (req, res) => {
      const answer = () => res.end(JSON.stringify({ from: 'candidate' }));
      if (req.url?.startsWith('/slow/')) setTimeout(answer, 80);
      else answer();
    };
    // fresh connections, so the answers are spread over both workers; six are needed, in the two workers' sum
    for (let i = 0; i < 6; i++) await request(proxyUrl, { path: `/slow/${i}`, headers: { connection: 'close' } });
    await waitFor(async () => (await admin.get('/api/routes/slow').set(auth)).body.mode === 'shadow', 'the guard to move the slow route to shadow', 20_000);
    const audit = (await admin.get('/api/audit').set(auth)).body.entries as { routeId: string; who: string; reason?: string }[];
    const moved = audit.filter((e) => e.routeId === 'slow');
    assert.equal(moved.length, 1);
    assert.match(moved[0].reason ?? '', /^the candidate's p99 over its last \d+ answers was \d+(\.\d)? ms \(over 40 ms\)$/);
  });

  test("a slow candidate's copy limit shows in the primary's /api/routes (the lowest worker's); the copies it turned away are summed", async () => {
    const admin = supertest(adminUrl);
    candidate.handler = (req, res) => {
      const answer = () => res.end(JSON.stringify({ from: 'candidate' }));
      if (req.url?.startsWith('/copies/')) setTimeout(answer, 80);
      else answer();
    };
    // rounds of 16 at once on fresh connections (both workers get copies), until a worker's limit moved (after a second)
    const round = () => Promise.all(Array.from({ length: 16 }, (_, i) => request(proxyUrl, { path: `/copies/${i}`, headers: { connection: 'close' } })));
    await waitFor(async () => {
      await round();
      return (await admin.get('/api/routes/copies').set(auth)).body.copyLimit !== undefined;
    }, 'a worker to limit the copies of the slow candidate', 20_000);
    assert.deepEqual((await admin.get('/api/routes/copies').set(auth)).body.copyLimit, { limit: 4, cap: 8, thread: true }); // its copies go through the worker's shadow thread (shadowThread "slow", the default)
    await waitFor(async () => {
      await round();
      return (await admin.get('/api/routes/copies').set(auth)).body.stats.droppedSlow > 0;
    }, 'copies turned away by the limit', 20_000);
    const view = (await admin.get('/api/routes/copies').set(auth)).body as { stats: { dropped: number; droppedSlow: number } };
    assert.ok(view.stats.dropped >= view.stats.droppedSlow);
    const metrics = (await admin.get('/metrics').set(auth)).text;
    const slow = Number(/^strangler_shadow_dropped_slow_total\{route="copies",service="catalog"\} (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(slow >= view.stats.droppedSlow, metrics);
    assert.match(metrics, /^strangler_shadow_copy_limit\{route="copies",service="catalog"\} 4$/m);
  });

  test('SIGTERM stops the primary and its workers', async () => {
    assert.equal(await cli.stop(), 0, cli.out);
    assert.doesNotMatch(cli.out, /worker died/);
  });
});

describe('strangler proxy --workers 2 stopped as soon as it announced', () => {
  test('a worker still starting when SIGTERM comes stops too, without being killed after the grace period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strangler-workers-early-'));
    try {
      // the announce comes with the first worker ready; the second is then often still loading, not yet listening
      // for the primary's messages (before the fix it lost the shutdown and was SIGKILLed after 10 s)
      const early = await startProxyCli(
        dir,
        { version: 1, listen: { host: '127.0.0.1', port: 0 }, legacy: { url: 'http://127.0.0.1:1' }, services: {}, routes: [], admin: { host: '127.0.0.1', port: 0 }, store: { path: join(dir, 'diffs.sqlite') } },
        { args: ['--workers', '2', '--admin-insecure-local', '--no-diffs'] },
      );
      assert.equal(await early.stop(), 0, early.out);
      const stdout = early.child.stdout!;
      if (!stdout.closed) await once(stdout, 'close');
      assert.doesNotMatch(early.out, /did not stop in time/, early.out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('strangler proxy --workers 2 when the workers cannot start', () => {
  test('the port taken: the workers say why, the primary stops and exits 2 instead of re-forking', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strangler-workers-fail-'));
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const configPath = join(dir, 'strangler.config.json');
      writeFileSync(
        configPath,
        JSON.stringify({
          version: 1,
          listen: { host: '127.0.0.1', port },
          legacy: { url: 'http://127.0.0.1:1' },
          services: {},
          routes: [],
          admin: { host: '127.0.0.1', port: 0 },
          store: { path: join(dir, 'diffs.sqlite') },
        }),
      );
      const child = spawn(process.execPath, [...SERVING_V8_FLAGS, '--import', 'tsx', 'bin/strangler.ts', 'proxy', '--config', configPath, '--workers', '2', '--admin-insecure-local'], {
        env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      let out = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      const seen = `exit ${code}\nstderr:\n${err}\nstdout:\n${out}`;
      assert.equal(code, 2, seen);
      assert.match(err, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`), seen);
      assert.match(err, /strangler: no worker could start/, seen);
      assert.doesNotMatch(out, /worker died; starting another/, seen);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

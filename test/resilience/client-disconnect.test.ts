// Clients that go away under load — before the upstream answered, or in the middle of a body that never
// ends — must not leave upstream requests or connections behind: counted on the origin side, no request
// stays in flight and the open sockets return to what they were after a warm-up of ordinary traffic.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { RunningProxy } from '../../proxy/server.ts';
import { config, send, startBehavingUpstream, startQuietProxy, until, type TestUpstream } from './fixtures.ts';

// "fallback" is migrated with fallback: its response is held until the status is known
const ROUTES = ['legacy', 'shadow', 'migrated', 'fallback'] as const;
const CONCURRENCY = 12;
const SHADOW_CAP = 8;

describe('client disconnects under load', () => {
  let monolith: TestUpstream;
  let candidate: TestUpstream;
  let proxy: RunningProxy;

  before(async () => {
    monolith = await startBehavingUpstream('monolith');
    // closes connections idle after a response within 500 ms, so the proxy's pools shrink back quickly
    candidate = await startBehavingUpstream('candidate', { keepAliveTimeout: 500 });
    proxy = await startQuietProxy(
      config({
        legacy: { url: monolith.url },
        services: { catalog: { url: candidate.url } },
        // the client-facing timeout stays at its 30 s default: only the disconnect can free these sockets
        defaults: { shadow: { timeoutMs: 300, concurrency: SHADOW_CAP } },
        routes: ROUTES.map((r) => ({ id: r, method: 'GET' as const, path: `/${r}/*`, service: 'catalog', mode: r === 'fallback' ? ('migrated' as const) : r, fallback: r === 'fallback' })),
      }),
    );
  });
  after(async () => {
    await proxy?.close();
    await Promise.all([monolith?.close(), candidate?.close()]);
  });

  /** Starts a request, waits until `upstream` has it (and, for drip, until body bytes arrived), then drops it. */
  function abandon(route: string, behaviour: 'timeout' | 'drip', agent: http.Agent): Promise<void> {
    const id = randomUUID();
    const serving = route === 'migrated' || route === 'fallback' ? candidate : monolith;
    return new Promise((resolve, reject) => {
      const req = http.get(`${proxy.url}/${route}/${id}`, { agent, headers: { 'x-request-id': id, 'x-behave-monolith': behaviour, 'x-behave-candidate': behaviour } }, (res) => {
        res.once('data', () => req.destroy()); // drip: the body is flowing, and the client leaves
      });
      req.on('error', () => {}); // destroying our own request surfaces as an error here
      req.on('close', () => resolve());
      if (behaviour === 'timeout') {
        until(() => serving.seen.has(id), `upstream to receive ${id}`).then(() => req.destroy(), reject);
      }
    });
  }

  test('aborted requests close their upstream sockets; the pools go back to baseline', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    // warm-up: ordinary traffic leaves idle keep-alive sockets in the proxy's pools; that is the baseline
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => send(proxy.url, `/${ROUTES[i % ROUTES.length]}/warm`, { agent })));
    const baseline = { monolith: monolith.openSockets(), candidate: candidate.openSockets() };
    assert.ok(baseline.monolith > 0 && baseline.candidate > 0, 'the warm-up opened keep-alive sockets');

    // the load: ordinary requests mixed with clients leaving before the answer and in the middle of the body
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 84; i++) {
      const route = ROUTES[i % ROUTES.length];
      const kind = Math.floor(i / ROUTES.length) % 3;
      if (kind === 0) work.push(abandon(route, 'timeout', agent));
      else if (kind === 1) work.push(abandon(route, 'drip', agent));
      else work.push(send(proxy.url, `/${route}/ok-${i}`, { agent }).then((r) => assert.equal(r.status, 200)));
    }
    await Promise.all(work);
    const peak = { monolith: monolith.openSockets(), candidate: candidate.openSockets() };

    // hanging upstream calls are cut when their client goes; shadow copies end at their own 300 ms timeout
    await until(() => monolith.inFlight() === 0 && candidate.inFlight() === 0, `no upstream request in flight (monolith ${monolith.inFlight()}, candidate ${candidate.inFlight()})`);
    // the candidate may keep up to SHADOW_CAP extra idle connections: after aborting a running request undici
    // opens a replacement connection that serves nothing (nodejs/undici#5845) and has no idle timer. They are
    // reused by later copies, so they are bounded by the shadow cap, not by the number of aborted copies.
    await until(
      () => monolith.openSockets() <= baseline.monolith && candidate.openSockets() <= baseline.candidate + SHADOW_CAP,
      `upstream sockets back to baseline ${JSON.stringify(baseline)} (peak ${JSON.stringify(peak)}, now monolith ${monolith.openSockets()}, candidate ${candidate.openSockets()})`,
    );
    agent.destroy();

    // and the proxy still serves every mode
    for (const route of ROUTES) assert.equal((await send(proxy.url, `/${route}/after`)).status, 200);
  });
});

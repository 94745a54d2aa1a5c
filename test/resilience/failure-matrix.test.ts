// The failure contract, table-driven: for each mode, one side (monolith or candidate) fails in each way
// (refused, timeout, reset, reset mid-body, 5xx, invalid JSON, huge body) while the other is healthy, and
// what the client gets must be what docs/resilience.md ("Failure contract") promises.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RunningProxy } from '../../proxy/server.ts';
import type { Pair } from '../../proxy/types.ts';
import { config, deadUrl, HUGE_BYTES, send, startBehavingUpstream, startQuietProxy, type RawAnswer, type TestUpstream } from './fixtures.ts';

type Fault = 'refused' | 'timeout' | 'reset' | 'reset-mid-body' | 'garbage' | '5xx' | 'invalid-json' | 'huge';
type Side = 'monolith' | 'candidate';
/** canary: 100% (the candidate share); canary0: 0% (the monolith share, which keeps shadowing) */
type Route = 'legacy' | 'shadow' | 'canary0' | 'canary' | 'migrated' | 'fallback';

const FAULTS: Fault[] = ['refused', 'timeout', 'reset', 'reset-mid-body', 'garbage', '5xx', 'invalid-json', 'huge'];
// generous: a healthy upstream on a loaded CI machine must never look slow (the timeout cases wait this long)
const TIMEOUT_MS = 2000;
// longer than any plausible delay in delivering the monolith's answer on a loaded machine, so "the client
// had its answer before the copy timed out" is an ordering fact, not a race
const SHADOW_TIMEOUT_MS = 3000;

/** Who serves the client in each mode (canary at 0% and 100%, so each share is deterministic). */
const SERVES: Record<Route, Side> = { legacy: 'monolith', shadow: 'monolith', canary0: 'monolith', canary: 'candidate', migrated: 'candidate', fallback: 'candidate' };

/** What the client sees when the side serving it fails this way (and there is no fallback). */
type Outcome =
  | { status: 502 | 504; reason: 'refused' | 'reset' | 'timeout' | 'error' } // the proxy's JSON error, with the request id
  | { status: 503; passthrough: true } // the upstream's own error response, untouched
  | { status: 200; passthrough: true } // the upstream's bytes, untouched (invalid JSON, 5 MB body)
  | { broken: true }; // the response had started: the client's connection is cut, never a short "complete" body
const WHEN_SERVING_SIDE_FAILS: Record<Fault, Outcome> = {
  refused: { status: 502, reason: 'refused' },
  timeout: { status: 504, reason: 'timeout' },
  reset: { status: 502, reason: 'reset' },
  'reset-mid-body': { broken: true },
  garbage: { status: 502, reason: 'error' },
  '5xx': { status: 503, passthrough: true },
  'invalid-json': { status: 200, passthrough: true },
  huge: { status: 200, passthrough: true },
};
/** migrated with fallback: a safe request whose candidate fails before answering is served by the monolith. */
const FALLS_BACK: Record<Fault, boolean> = {
  refused: true,
  timeout: true,
  reset: true,
  'reset-mid-body': false, // status 200 already known and streaming: too late to retry
  garbage: true,
  '5xx': true,
  'invalid-json': false,
  huge: false,
};
/** shadow: what the comparison step receives for a failing candidate (the client is never affected). */
const SHADOW_PAIR: Record<Fault, (p: Pair) => void> = {
  refused: (p) => assert.equal(p.candidateError, 'refused'),
  timeout: (p) => assert.equal(p.candidateError, 'timeout'),
  reset: (p) => assert.equal(p.candidateError, 'reset'),
  'reset-mid-body': (p) => assert.equal(p.candidateError, 'reset'),
  garbage: (p) => assert.equal(p.candidateError, 'error'),
  '5xx': (p) => assert.equal(p.candidate?.status, 503),
  'invalid-json': (p) => assert.match(p.candidate?.body?.toString() ?? '', /this is not json/),
  huge: (p) => {
    assert.equal(p.candidate?.truncated, true);
    assert.equal(p.candidate?.size, HUGE_BYTES);
    assert.equal(p.candidate?.body, undefined);
  },
};

interface Case {
  route: Route;
  failing: Side;
  fault: Fault;
  method: 'GET' | 'POST';
  expect: Outcome | { status: 200; from: Side };
}

function expected(route: Route, failing: Side, fault: Fault, method: 'GET' | 'POST'): Case['expect'] {
  const serving = SERVES[route];
  if (failing !== serving) return { status: 200, from: serving }; // the other side's trouble never reaches the client
  if (route === 'fallback' && method === 'GET' && FALLS_BACK[fault]) return { status: 200, from: 'monolith' };
  return WHEN_SERVING_SIDE_FAILS[fault];
}

const CASES: Case[] = [];
for (const route of Object.keys(SERVES) as Route[]) {
  for (const failing of ['monolith', 'candidate'] as Side[]) {
    for (const fault of FAULTS) CASES.push({ route, failing, fault, method: 'GET', expect: expected(route, failing, fault, 'GET') });
  }
}
// unsafe methods are never retried on the monolith (the candidate may have acted on them)
for (const fault of ['refused', '5xx'] as Fault[]) CASES.push({ route: 'fallback', failing: 'candidate', fault, method: 'POST', expect: expected('fallback', 'candidate', fault, 'POST') });

describe('failure matrix: what the client gets, per mode and fault', { concurrency: true }, () => {
  let monolith: TestUpstream;
  let candidate: TestUpstream;
  /** legacy = the healthy monolith */
  let up: RunningProxy;
  /** legacy = a dead address (monolith refused) */
  let down: RunningProxy;
  const pairs = new Map<string, Pair>();
  const pairWaiters = new Map<string, (p: Pair) => void>();
  const onPair = (p: Pair): void => {
    pairs.set(p.request.id, p);
    pairWaiters.get(p.request.id)?.(p);
  };
  const pairFor = (id: string): Promise<Pair> => {
    const p = pairs.get(id);
    return p ? Promise.resolve(p) : new Promise((resolve) => pairWaiters.set(id, resolve));
  };

  before(async () => {
    monolith = await startBehavingUpstream('monolith');
    candidate = await startBehavingUpstream('candidate');
    const dead = await deadUrl();
    const routes = (Object.keys(SERVES) as Route[]).flatMap((r) =>
      ['ok', 'dead'].map((svc) => ({
        id: `${r}.${svc}`,
        method: '*' as const,
        path: `/${r}/${svc}/*`,
        service: svc,
        mode: r === 'fallback' ? ('migrated' as const) : r === 'canary0' ? ('canary' as const) : r,
        fallback: r === 'fallback',
        canary: r === 'canary' ? { percent: 100 } : r === 'canary0' ? { percent: 0 } : undefined,
        timeoutMs: TIMEOUT_MS,
      })),
    );
    const base = {
      services: { ok: { url: candidate.url }, dead: { url: dead } },
      defaults: { shadow: { timeoutMs: SHADOW_TIMEOUT_MS, maxBodyBytes: 1024 * 1024 } },
      routes,
    };
    up = await startQuietProxy(config({ ...base, legacy: { url: monolith.url } }), { onPair });
    down = await startQuietProxy(config({ ...base, legacy: { url: dead } }), { onPair, admin: false });
  });
  after(async () => {
    await Promise.all([up?.close(), down?.close()]);
    await Promise.all([monolith?.close(), candidate?.close()]);
  });

  for (const c of CASES) {
    const name = `${c.route} · ${c.failing} ${c.fault}${c.method === 'GET' ? '' : ` · ${c.method}`} → ${describeOutcome(c.expect)}`;
    test(name, { timeout: 15_000 }, async () => {
      const id = randomUUID();
      // "refused" is a dead address: the monolith through the second proxy, the candidate through the "dead" service
      const proxy = c.failing === 'monolith' && c.fault === 'refused' ? down : up;
      const svc = c.failing === 'candidate' && c.fault === 'refused' ? 'dead' : 'ok';
      const headers: Record<string, string> = { 'x-request-id': id };
      if (c.fault !== 'refused') headers[`x-behave-${c.failing}`] = c.fault;
      const attempt = send(proxy.url, `/${c.route}/${svc}/item`, { method: c.method, headers, body: c.method === 'POST' ? '{"n":1}' : undefined });

      const e = c.expect;
      if ('broken' in e) {
        await assert.rejects(attempt, /aborted|socket hang up|ECONNRESET|terminated/i);
        return;
      }
      const answer = await attempt;
      if ((c.route === 'shadow' || c.route === 'canary0') && c.failing === 'candidate') {
        // the client already has its answer; the candidate's fate is decided only afterwards (timeout: 3 s later)
        if (c.fault === 'timeout') assert.equal(pairs.has(id), false, 'the client did not wait for the candidate');
        SHADOW_PAIR[c.fault](await pairFor(id));
      }
      assert.equal(answer.status, e.status, `status (body: ${answer.body.subarray(0, 200).toString()})`);
      if ('from' in e) assert.equal(fromOf(answer), e.from);
      else if ('reason' in e) {
        const body = JSON.parse(answer.body.toString()) as Record<string, unknown>;
        assert.equal(body.reason, e.reason);
        assert.equal(body.requestId, id);
        assert.equal(answer.headers['x-request-id'], id);
        assert.equal(answer.headers['content-type'], 'application/json');
      } else assertPassthrough(answer, c.failing, c.fault);
    });
  }
});

function fromOf(a: RawAnswer): string | undefined {
  return (JSON.parse(a.body.toString()) as { from?: string }).from;
}

function assertPassthrough(a: RawAnswer, side: Side, fault: Fault): void {
  if (fault === '5xx') assert.deepEqual(JSON.parse(a.body.toString()), { from: side, error: 'unavailable' });
  else if (fault === 'invalid-json') assert.equal(a.body.toString(), `{"from":"${side}", this is not json`);
  else if (fault === 'huge') {
    assert.equal(a.body.length, HUGE_BYTES);
    assert.equal(a.body[0], side.charCodeAt(0));
    assert.equal(a.body[HUGE_BYTES - 1], side.charCodeAt(0));
  } else assert.fail(`no passthrough rule for ${fault}`);
}

function describeOutcome(e: Case['expect']): string {
  if ('broken' in e) return 'connection cut';
  if ('from' in e) return `200 from ${e.from}`;
  if ('reason' in e) return `${e.status} ${e.reason}`;
  return `${e.status} passed through`;
}

// Inside the shadow thread: the request thread hands over each admitted copy (the request, later the monolith's
// captured answer); here the copy goes to the candidate, the pair is made, compared and stored, with the same
// Shadower, ShadowExchange and diff pipeline the request thread uses when there is no thread. What goes back, once
// per turn: the ids of copies whose candidate call ended (their slots and bytes), counter deltas per route, log
// lines, replies to settle.
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { createDiffPipeline, type ProxyRouteCounters } from './comparator.ts';
import type { ProxyConfig } from './config.ts';
import { ShadowExchange, Shadower, type ShadowPlan } from './shadow.ts';
import { CALL_FAST, CALL_NONE, CALL_SLOW } from './copy-slots.ts';
import type { FromThread, ToThread } from './shadow-thread.ts';
import { RouteCounters } from './stats.ts';
import type { CapturedResponse } from './types.ts';

const port = parentPort!;
const { config: initial, level } = workerData as { config: ProxyConfig; level: string };

let outbox: FromThread[] = [];
let flushing: NodeJS.Immediate | undefined;
function send(m: FromThread): void {
  outbox.push(m);
  flushing ??= setImmediate(flush);
}
function flush(): void {
  flushing = undefined;
  // what changed this turn goes with the rest: counts first, so a settle reply finds them merged
  const deltas = [];
  for (const c of counters.values()) if (c.changed) deltas.push(c.takeDelta());
  if (deltas.length) outbox.unshift({ t: 'counters', deltas });
  if (freed.length) outbox.unshift({ t: 'freed', ids: freed.splice(0), calls: calls.splice(0) });
  if (outbox.length === 0) return;
  const batch = outbox;
  outbox = [];
  port.postMessage(batch);
}

// log lines go to the request thread, which writes them to the process's one log stream
const log = pino({ level }, { write: (line: string) => send({ t: 'log', line }) });

/** Copies whose candidate call ended since the last message: the request thread frees their slots and bytes. */
const freed: number[] = [];
/** how each one's call went (CALL_NONE, CALL_FAST, CALL_SLOW), for the request thread's copy limit */
const calls: number[] = [];
const ids = new Map<ShadowExchange, number>();

class ThreadShadower extends Shadower {
  /** The slots are the request thread's (it admits the copies; this thread's own count only the noise samples). */
  override copyEnded(_plan: ShadowPlan, exchange: ShadowExchange, slow: boolean | undefined): void {
    const id = ids.get(exchange);
    if (id === undefined) return;
    ids.delete(exchange);
    freed.push(id);
    calls.push(slow === undefined ? CALL_NONE : slow ? CALL_SLOW : CALL_FAST);
    flushing ??= setImmediate(flush);
  }

  /** The request thread holds the admission half (request bodies, monolith answers); this thread the completion half. */
  override setBudget(bytes: number): void {
    super.setBudget(bytes);
    this.admitted.limit = Infinity;
  }
}

let config = initial;
let proxyStats: ProxyRouteCounters[] = [];
const counters = new Map<string, RouteCounters>();
/** the plans copies may still name, by the id the request thread gave them */
const plans = new Map<number, ShadowPlan>();
/** the longest copy timeout of any plan seen: what close gives the copies still at a candidate */
let longestTimeoutMs = 0;
/** copies waiting for their monolith side (the request thread posts a copy's begin before its mono) */
const exchanges = new Map<number, ShadowExchange>();

let pipeline: ReturnType<typeof createDiffPipeline>;
let shadower: ThreadShadower;
try {
  pipeline = createDiffPipeline(() => config, { logger: log, proxyStats: () => proxyStats });
  shadower = new ThreadShadower((pair) => pipeline.comparator.onPair(pair), log, initial.memory.shadowBytes);
} catch (err) {
  port.postMessage([{ t: 'failed', error: (err as Error).message }] satisfies FromThread[]);
  process.exit(1);
}
port.postMessage([{ t: 'ready' }] satisfies FromThread[]);

port.on('message', (batch: ToThread[]) => {
  for (const m of batch) {
    try {
      receive(m);
    } catch (err) {
      log.warn({ err, message: m.t }, 'shadow thread could not handle a message');
    }
  }
});

function receive(m: ToThread): void {
  switch (m.t) {
    case 'plan': {
      const { noiseSamples, ...plan } = m.plan;
      let c = counters.get(plan.routeId);
      if (!c) counters.set(plan.routeId, (c = new RouteCounters(plan.routeId)));
      // the samples the route took on the request thread count toward noise.settleAfter here too
      c.seedNoise(noiseSamples);
      plans.set(m.pid, { ...plan, counters: c });
      longestTimeoutMs = Math.max(longestTimeoutMs, plan.timeoutMs);
      return;
    }
    case 'forget':
      for (const pid of m.pids) plans.delete(pid);
      return;
    case 'begin': {
      const plan = plans.get(m.pid)!;
      const ex = new ShadowExchange(shadower, { method: m.method, url: m.url, headers: m.headers }, plan, m.requestId, m.at - performance.timeOrigin);
      shadower.acquire(plan.service, Infinity); // the request thread holds the cap; this count is what noise samples see
      exchanges.set(m.id, ex);
      ids.set(ex, m.id);
      ex.sendCopy(m.body ? buffer(m.body) : undefined);
      return;
    }
    case 'mono':
      monolith(m);
      return;
    case 'config':
      config = m.config;
      pipeline.comparator.syncRoutes();
      return;
    case 'stats':
      proxyStats = m.stats;
      return;
    case 'budget':
      shadower.setBudget(m.bytes);
      return;
    case 'settle':
      void settle(m.token, m.timeoutMs);
      return;
    case 'close':
      void close();
      return;
  }
}

function monolith(m: Extract<ToThread, { t: 'mono' }>): void {
  const ex = exchanges.get(m.id);
  if (!ex) throw new Error(`monolith side for copy ${m.id}, which was never begun`);
  exchanges.delete(m.id);
  if (m.shed) ex.monolithShed();
  else ex.monolithCaptured(m.response ? withBuffers(m.response) : undefined);
}

/** Waits until no copy is in flight here and the comparator's queue is empty (or the deadline), then flushes the store. */
async function quiet(deadline = Infinity): Promise<void> {
  // ids: copies whose candidate call has not ended; exchanges: copies waiting for their monolith side
  while ((ids.size > 0 || exchanges.size > 0 || pipeline.comparator.stats().queued > 0) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  pipeline.store.flush();
}

async function settle(token: number, timeoutMs: number): Promise<void> {
  await quiet(performance.now() + timeoutMs);
  send({ t: 'settled', token, comparator: pipeline.comparator.stats() });
}

async function close(): Promise<void> {
  // copies still at the candidate get the longest copy timeout to finish; what is left then ends without a pair
  await quiet(performance.now() + longestTimeoutMs);
  await shadower.close();
  await pipeline.close();
  flush();
  port.postMessage([{ t: 'closed' }] satisfies FromThread[]);
  port.close();
}

/** postMessage hands a Buffer over as a plain Uint8Array. */
function buffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

function withBuffers(r: CapturedResponse): CapturedResponse {
  if (r.body) r.body = buffer(r.body);
  return r;
}

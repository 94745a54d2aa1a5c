// The shadow thread (config `shadowThread: true`): shadow copies, their pairing, the comparison and the diff store
// run in a worker thread, so the request thread keeps only what must happen beside the client's exchange: deciding
// to copy (sample, cap, budget), capturing the request body and the monolith's answer, and one batched message per
// event-loop turn. A copy's own work then never runs between two clients' requests: on a host with a core to
// spare, a slow or rarely-copied candidate costs the clients next to nothing (docs/benchmarks.md measures it).
//
// The request thread keeps the per-service cap: a slot is taken when a copy is admitted and given back when the
// thread says the candidate call ended, so a slow candidate stops the captures, not only the copies. The thread
// counts for its copies (shadowed, candidate errors and latency, shed copies) and hands the counts back in deltas;
// the admin API reads the diff store through a connection of its own (SQLite WAL: readers never wait for the writer).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { BodyCapture, ByteBudget, bodyLength } from './capture.ts';
import { diffAdminRoutes, logReset, type ComparatorStats, type ProxyRouteCounters } from './comparator.ts';
import type { ProxyConfig } from './config.ts';
import type { BodyTap } from './forward.ts';
import type { ReportOptions } from './report/index.ts';
import { hasRequestBody, teeRequestBody, type RequestBodySink } from './request-body.ts';
import { admit, type ShadowEngine, type ShadowPlan, type ShadowSide } from './shadow.ts';
import { CALL_NONE, CALL_SLOW, CopySlots, logCopyLimit } from './copy-slots.ts';
import type { CountersSnapshot } from './stats.ts';
import { workerEntry } from './shadow-thread-build.ts';
import { openStore } from './store.ts';
import type { DiffStore } from './store/types.ts';
import type { CapturedResponse } from './types.ts';

/** A plan as the thread gets it: its counters stay on the request thread (the thread counts in its own). */
export type PlanWire = Omit<ShadowPlan, 'counters'> & {
  /** the noise samples the route took so far on the request thread (shadowThread "slow": its copies were made there
   * before), from which the thread goes on counting toward noise.settleAfter */
  noiseSamples: number;
};

export type ToThread =
  | { t: 'plan'; pid: number; plan: PlanWire }
  | { t: 'begin'; id: number; pid: number; method: string; url: string; headers: IncomingHttpHeaders; requestId: string; at: number; body?: Uint8Array }
  /** the monolith's side: its answer, or none (no answer, or shed: its body did not fit the byte budget) */
  | { t: 'mono'; id: number; response?: CapturedResponse; shed?: boolean }
  | { t: 'config'; config: ProxyConfig }
  /** plans no new copy will name (a new route table applied); copies already begun keep theirs */
  | { t: 'forget'; pids: number[] }
  | { t: 'stats'; stats: ProxyRouteCounters[] }
  | { t: 'budget'; bytes: number }
  | { t: 'settle'; token: number; timeoutMs: number }
  | { t: 'close' };

export type FromThread =
  | { t: 'ready' }
  | { t: 'failed'; error: string }
  /**
   * copies whose candidate call ended: their slots, and the bytes held for them here, are given back; `calls[i]` says
   * how ids[i]'s call went (CALL_NONE: none was made, CALL_FAST, CALL_SLOW: see slowCopy), for the copy limit
   */
  | { t: 'freed'; ids: number[]; calls: number[] }
  | { t: 'counters'; deltas: CountersSnapshot[] }
  | { t: 'log'; line: string }
  | { t: 'settled'; token: number; comparator: ComparatorStats }
  | { t: 'closed' };

export interface ShadowThreadOptions {
  logger: Logger;
  /** the proxy's live counters, copied into the store by the thread's comparator (dropped copies, fallbacks) */
  proxyStats?: () => readonly ProxyRouteCounters[];
  /** how often those are handed to the thread (default 1,000 ms) */
  statsEveryMs?: number;
  /** the live report's readiness bar (default: the config's `report` section as it was at start-up) */
  reportOptions?: Partial<ReportOptions> | (() => Partial<ReportOptions>);
}

/** A thread engine shares the copy slots and the admission budget when another engine admits copies too (SplitEngine). */
export interface ShadowThreadEngineOptions extends ShadowThreadOptions {
  slots?: CopySlots;
  admitted?: ByteBudget;
  /** what the log says follows when the thread dies (default: shadow copies stop) */
  exitNote?: string;
  /** makes the file the thread starts from (default: the worker bundle, shadow-thread-build.ts; tests make it fail) */
  build?: () => Promise<URL>;
}

export interface ShadowThread {
  /** what startProxy makes copies with (options.shadowEngine) */
  engine: ShadowThreadEngine;
  /** a read connection to the diff store, for the admin API and reports (the thread writes through its own) */
  store: DiffStore;
  /** GET /report and /api/diffs over that connection */
  adminRoutes: ReturnType<typeof diffAdminRoutes>;
  /** resolves once every copy handed over so far is compared and stored */
  settle(timeoutMs?: number): Promise<ComparatorStats>;
  /** after the proxy closed: compares what is queued, flushes and closes the store, ends the thread */
  close(): Promise<void>;
}

const END_GRACE_MS = 30_000;

/** Starts the thread (it opens the diff store and the comparison step) and the read connection beside it. */
export async function startShadowThread(config: ProxyConfig, options: ShadowThreadOptions): Promise<ShadowThread> {
  // opened first: it runs the migrations, so the thread's connection finds the schema in place
  const store = openStore(config.store.path, { samplesPerFingerprint: config.store.samplesPerFingerprint, redact: config.redact, logger: options.logger.child({ component: 'store' }) });
  const engine = new ShadowThreadEngine(config, options);
  try {
    await engine.ready;
  } catch (err) {
    store.close();
    throw err;
  }
  const statsTimer = options.proxyStats ? setInterval(() => engine.postStats(options.proxyStats!()), options.statsEveryMs ?? 1_000) : undefined;
  statsTimer?.unref();
  let closed: Promise<void> | undefined;
  return {
    engine,
    store,
    adminRoutes: diffAdminRoutes(store, options.reportOptions ?? (config.report ?? {}), { onReset: (cleared, who) => logReset(options.logger, cleared, who) }),
    settle: (timeoutMs = 10_000) => engine.settle(timeoutMs),
    close() {
      closed ??= (async () => {
        if (statsTimer) clearInterval(statsTimer);
        if (options.proxyStats) engine.postStats(options.proxyStats());
        await engine.end();
        store.close();
      })();
      return closed;
    },
  };
}

export class ShadowThreadEngine implements ShadowEngine {
  /**
   * The admission half of memory.shadowBytes: the request bodies and monolith answers of copies in flight, held
   * here from capture until the thread says the candidate call ended (the thread's budget covers the completion
   * half: candidate answers, noise samples). In between the bytes are in a message or in the thread; charged here,
   * they stay bounded as they are without the thread.
   */
  readonly admitted: ByteBudget;
  readonly ready: Promise<void>;
  /** the file the thread started from (the worker bundle, or tsx's boot file), once it is started */
  entry: URL | undefined;
  /** started once its entry file is built (messages posted before wait in the outbox) */
  private worker: Worker | undefined;
  private readonly log: Logger;
  /** copies per service whose candidate call has not ended (the cap, and a slow candidate's lower limit) */
  readonly slots: CopySlots;
  /** the last plan seen per route: its counters get the thread's deltas (they are kept across reloads per route) */
  private readonly plans = new Map<string, ShadowPlan>();
  /** the plans sent to the thread since the route table last changed, and their ids there */
  private planIds = new WeakMap<ShadowPlan, number>();
  private sentPlans: number[] = [];
  private nextPlan = 0;
  private nextId = 0;
  private outbox: ToThread[] = [];
  /** copies handed to the thread whose candidate call has not ended, by id */
  readonly live = new Map<number, RemoteExchange>();
  private flushing: NodeJS.Immediate | undefined;
  private readonly settling = new Map<number, (s: ComparatorStats) => void>();
  private nextToken = 0;
  private exited = false;
  private closing: Promise<void> | undefined;

  constructor(config: ProxyConfig, options: ShadowThreadEngineOptions) {
    this.log = options.logger;
    this.slots = options.slots ?? new CopySlots();
    if (!options.slots) this.slots.onLimit = (change) => logCopyLimit(this.log, change);
    this.admitted = options.admitted ?? new ByteBudget(0);
    this.admitted.limit = config.memory.shadowBytes / 2;
    const exitNote = options.exitNote ?? 'shadow copies stop';
    // built off this thread's event loop (the split engine starts the thread while it serves traffic)
    this.ready = workerEntry(this.log, options.build).then((entry) => this.start(entry, config, exitNote));
    // once it runs, the thread is not what keeps the process alive (the proxy's servers are); until then it is
    void this.ready.then(
      () => this.worker!.unref(),
      () => {},
    );
  }

  private start(entry: URL, config: ProxyConfig, exitNote: string): Promise<void> {
    this.entry = entry;
    const worker = new Worker(entry, { workerData: { config, level: this.log.level } });
    this.worker = worker;
    this.flush();
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (batch: FromThread[]) => {
        for (const m of batch) {
          if (m.t === 'ready') resolve();
          else if (m.t === 'failed') reject(new Error(`shadow thread: ${m.error}`));
          else this.receive(m);
        }
      });
      worker.once('error', (err) => {
        this.log.error({ err }, `shadow thread failed; ${exitNote}`);
        reject(err);
      });
      worker.once('exit', (code) => {
        this.exited = true;
        // copies the thread held end with it: their slots and bytes go back (no call to judge them by)
        for (const ex of this.live.values()) ex.freed(CALL_NONE);
        this.live.clear();
        if (!this.closing) this.log.error({ code }, `shadow thread exited; ${exitNote}`);
        reject(new Error(`shadow thread exited with code ${code}`));
        for (const done of this.settling.values()) done(emptyStats());
        this.settling.clear();
      });
    });
  }

  /** the thread has not exited (until then it takes copies) */
  get alive(): boolean {
    return !this.exited;
  }

  begin(req: IncomingMessage, plan: ShadowPlan, requestId: string, start: number): ShadowSide | undefined {
    if (this.exited || !admit(req, plan, this.admitted, this.slots)) return undefined;
    this.plans.set(plan.routeId, plan);
    const ex = new RemoteExchange(this, ++this.nextId, plan, req.method ?? 'GET');
    const head = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, requestId, at: performance.timeOrigin + start };
    if (hasRequestBody(req.headers)) ex.teeRequestBody(req, head);
    else ex.handOver(head, undefined);
    return ex;
  }

  setBudget(bytes: number): void {
    this.admitted.limit = bytes / 2;
    this.post({ t: 'budget', bytes });
  }

  /** The proxy applied a config (reload, mode change): the comparison rules and the store's route modes follow. */
  configure(config: ProxyConfig): void {
    this.post({ t: 'config', config });
    // the new table's plans are sent again as copies name them; the thread forgets the old ones (a copy already
    // begun holds its plan there), so reloads do not pile plans up in it
    if (this.sentPlans.length > 0) this.post({ t: 'forget', pids: this.sentPlans });
    this.sentPlans = [];
    this.planIds = new WeakMap();
  }

  postStats(stats: readonly ProxyRouteCounters[]): void {
    this.post({ t: 'stats', stats: [...stats] });
  }

  planId(plan: ShadowPlan): number {
    let pid = this.planIds.get(plan);
    if (pid === undefined) {
      pid = ++this.nextPlan;
      this.planIds.set(plan, pid);
      this.sentPlans.push(pid);
      const { counters, ...rest } = plan;
      this.post({ t: 'plan', pid, plan: { ...rest, noiseSamples: counters.noiseSamples } });
    }
    return pid;
  }

  /**
   * Queues a message for the thread; the queue goes as one message at the end of this turn. (Every message wakes
   * the thread; held back a few milliseconds to gather more, the copies held their slots that much longer, and
   * with every request copied 69% of them were dropped at the cap on the bench's two cores, against 31% per turn.)
   */
  post(m: ToThread): void {
    if (this.exited) return;
    this.outbox.push(m);
    this.flushing ??= setImmediate(flushOutbox, this);
  }

  flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    const batch = this.outbox;
    if (batch.length === 0 || this.worker === undefined) return;
    this.outbox = [];
    if (!this.exited) this.worker.postMessage(batch);
  }

  settle(timeoutMs: number): Promise<ComparatorStats> {
    if (this.exited) return Promise.resolve(emptyStats());
    const token = ++this.nextToken;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.settling.delete(token);
        this.log.warn('shadow copies still outstanding; going on with what is in');
        resolve(emptyStats());
      }, timeoutMs);
      this.settling.set(token, (s) => {
        clearTimeout(timer);
        resolve(s);
      });
      this.post({ t: 'settle', token, timeoutMs });
      this.flush();
    });
  }

  /** Asks the thread to finish (compare what is queued, flush and close the store) and waits for it to exit. */
  end(): Promise<void> {
    // a thread still starting (its entry file being built) is let start first
    const finish = () => this.finish();
    this.closing ??= this.ready.then(finish, finish);
    return this.closing;
  }

  private finish(): Promise<void> {
    return new Promise<void>((resolve) => {
      const worker = this.worker;
      if (this.exited || worker === undefined) return resolve();
      // the thread compares what is queued and closes the store; if it hangs, it is stopped
      const timer = setTimeout(() => {
        this.log.error('shadow thread did not finish in time; stopped');
        void worker.terminate();
      }, END_GRACE_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.ref(); // the last comparisons and writes must not be cut off by the process ending
      this.post({ t: 'close' });
      this.flush();
    });
  }

  /** The proxy closed: the copies end with the thread (startShadowThread's close). */
  async close(): Promise<void> {}

  private receive(m: FromThread): void {
    if (m.t === 'freed') {
      for (let i = 0; i < m.ids.length; i++) {
        this.live.get(m.ids[i])?.freed(m.calls[i]);
        this.live.delete(m.ids[i]);
      }
    } else if (m.t === 'counters') {
      for (const d of m.deltas) this.plans.get(d.routeId)?.counters.merge(d);
    } else if (m.t === 'log') {
      relog(this.log, m.line);
    } else if (m.t === 'settled') {
      this.settling.get(m.token)?.(m.comparator);
      this.settling.delete(m.token);
    }
  }
}

function flushOutbox(engine: ShadowThreadEngine): void {
  engine.flush();
}

interface Head {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  requestId: string;
  /** when the request arrived, epoch ms (performance.timeOrigin + its start) */
  at: number;
}

/**
 * One shadowed request on the request thread: the request body and the monolith's answer are captured here and
 * handed to the thread, which makes the copy and the pair. The candidate slot is freed by the thread.
 */
class RemoteExchange implements ShadowSide, BodyTap, RequestBodySink {
  private capture: BodyCapture | undefined;
  /** body bytes taken from the admission budget (request body, monolith answer), until the thread frees the copy */
  private bytes = 0;
  /** the copy went to the thread (with the request body, when there is one) */
  private begun = false;
  /** no copy after all: the request body could not be copied, or the client left while sending it */
  private gaveUp = false;
  /** the thread said the candidate call ended: slot and bytes given back */
  private isFreed = false;
  /** the monolith's side is over (handed over, or held in early) */
  private monolithDone = false;
  /** the monolith's side, when it was over before the request body (held until the copy is handed over) */
  private early: { response?: CapturedResponse; shed: boolean } | undefined;
  private readonly start = performance.now();
  /** the request's head, until its body is complete */
  private head: Head | undefined;

  constructor(
    private readonly engine: ShadowThreadEngine,
    private readonly id: number,
    private readonly plan: ShadowPlan,
    private readonly method: string,
  ) {}

  teeRequestBody(req: IncomingMessage, head: Head): void {
    this.head = head;
    teeRequestBody(req, this.plan.maxBodyBytes, this.engine.admitted, this);
  }

  // RequestBodySink
  bodyBytesKept(n: number): void {
    this.bytes += n;
  }

  bodyOverflow(): void {
    this.giveUp(true);
  }

  bodyComplete(body: Buffer): void {
    // a body of one small chunk sits in a larger buffer, which postMessage would copy whole
    this.handOver(this.head!, exact(body));
  }

  bodyAborted(): void {
    this.giveUp(false);
  }

  handOver(head: Head, body: Buffer | undefined): void {
    if (this.begun || this.gaveUp) return;
    this.begun = true;
    const { engine } = this;
    engine.live.set(this.id, this);
    engine.post({ t: 'begin', id: this.id, pid: engine.planId(this.plan), ...head, body });
    const early = this.early;
    this.early = undefined;
    if (early) engine.post({ t: 'mono', id: this.id, response: early.response, shed: early.shed });
  }

  /** The thread is done with the copy's candidate call (how it went: `call`, see FromThread): its slot and the bytes held for it go back. */
  freed(call: number): void {
    this.isFreed = true;
    if (call === CALL_NONE) this.engine.slots.release(this.plan.service);
    else this.engine.slots.ended(this.plan.service, call === CALL_SLOW, this.plan.concurrency, this.plan.adaptive);
    this.engine.admitted.give(this.bytes);
    this.bytes = 0;
  }

  /** Before the copy was handed over: no copy (counted as dropped when the budget or the size stopped it). */
  private giveUp(dropped: boolean): void {
    if (this.begun || this.gaveUp) return;
    this.gaveUp = true;
    this.engine.admitted.give(this.bytes);
    this.bytes = 0;
    this.early = undefined;
    this.engine.slots.release(this.plan.service);
    if (dropped) this.plan.counters.dropped++;
  }

  monolithResponse(proxyRes: IncomingMessage): BodyTap | undefined {
    if (this.gaveUp) return undefined;
    const capture = new BodyCapture(this.plan.maxBodyBytes, this.engine.admitted, bodyLength(this.method, proxyRes.statusCode ?? 0, proxyRes.headers['content-length']));
    if (capture.shed) {
      this.monolithOver(undefined, 0, true); // the thread ends the copy without a pair and counts it as dropped
      return undefined;
    }
    this.capture = capture;
    return this;
  }

  chunk(chunk: Buffer): void {
    this.capture!.add(chunk);
  }

  complete(proxyRes: IncomingMessage): void {
    const capture = this.capture!;
    if (capture.shed) return this.monolithOver(undefined, 0, true);
    const response = capture.finish(proxyRes.statusCode ?? 0, proxyRes.headers, performance.now() - this.start);
    if (response.body) response.body = exact(response.body);
    // the bytes stay taken until the thread frees the copy
    this.monolithOver(response, capture.handOff());
  }

  cut(): void {
    this.capture?.release();
    this.monolithOver(undefined, 0);
  }

  monolithFailed(): void {
    this.monolithOver(undefined, 0);
  }

  private monolithOver(response: CapturedResponse | undefined, bytes: number, shed = false): void {
    // nothing more is wanted (given up), or the thread already let the copy go: these bytes are not held
    if (this.monolithDone || this.gaveUp || this.isFreed) this.engine.admitted.give(bytes);
    else this.bytes += bytes;
    if (this.monolithDone || this.gaveUp) return;
    this.monolithDone = true;
    if (this.begun) this.engine.post({ t: 'mono', id: this.id, response, shed });
    else this.early = { response, shed };
  }
}

/**
 * A buffer that is all of its memory. postMessage copies a view's whole ArrayBuffer: a small body sits in node's
 * shared 8 KiB pool (or in a socket read's buffer), and would take all of that with it.
 */
function exact(b: Buffer): Buffer {
  if (b.byteOffset === 0 && b.buffer.byteLength === b.length) return b;
  const copy = Buffer.from(new ArrayBuffer(b.length));
  b.copy(copy);
  return copy;
}

/** A log line written in the thread, logged again here (one stream per process) with its level and fields. */
function relog(log: Logger, line: string): void {
  try {
    const { level, msg, time: _t, pid: _p, hostname: _h, ...fields } = JSON.parse(line) as Record<string, unknown>;
    const label = log.levels.labels[level as number] as 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal' | undefined;
    (label ? log[label] : log.info).call(log, { thread: 'shadow', ...fields }, msg as string);
  } catch {
    log.info({ thread: 'shadow' }, line.trim());
  }
}

function emptyStats(): ComparatorStats {
  return { queued: 0, queuedBytes: 0, compared: 0, noiseSamples: 0, dropped: 0, failed: 0 };
}

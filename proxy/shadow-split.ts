// `shadowThread: "slow"` (the default): copies are made on the request thread, except those of a service whose
// candidate was found much slower than the monolith (a second of copies that lowers its copy limit: copy-slots.ts,
// pace), which go through the shadow thread, started when that happens (copies handed to it while it starts wait for
// it). They come back once a second of copies says the candidate keeps up, and the thread ends once no candidate has
// been slow for ten such seconds (a started thread holds ~41 MiB). A limit raised for want of evidence (quiet
// seconds) leaves them where they are: between two bursts of traffic a slow candidate is still slow, and its first
// copies would otherwise run here at the full cap. A fast candidate's copies cost least where they are made, in the
// request's own isolate (a message per copy to a thread costs more than the copy: docs/benchmarks.md); a slow
// candidate's are rare (its limit keeps few in flight), and rare code on the request thread runs cold, several times
// slower than the same code run for every request, between two clients' requests. In the thread it runs beside them.
// (Every service's first copies through the thread, until shown fast, measured no better for a slow candidate within
// the bench's noise and cost the memory run, 1 MB answers, 30-50 MiB more at peak: docs/benchmarks.md, session 21.)
//
// Both sides share one CopySlots (the cap and the lowered limit are per service, whichever side holds a copy) and one
// admission budget. Each side compares its own pairs and writes them to the same diff store (two SQLite connections
// in WAL mode, as the processes of --workers write one file): counts add up, noise samples too, and the thread's
// counter deltas land in the routes' counters here, so stats, metrics and reports read as with one side.
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { ComparatorStats } from './comparator.ts';
import type { ProxyConfig } from './config.ts';
import { CopySlots, logCopyLimit, type Pace } from './copy-slots.ts';
import { Shadower, type ShadowEngine, type ShadowPlan, type ShadowSide } from './shadow.ts';
import { ShadowThreadEngine } from './shadow-thread.ts';
import type { Pair } from './types.ts';

export interface SplitEngineOptions {
  logger: Logger;
  /** where the request thread's pairs go (the process's diff pipeline) */
  onPair: (pair: Pair) => void;
  /** the copy slots (tests give ones with their own clock) */
  slots?: CopySlots;
}

/** How the copies went, per side (tests read them). */
export interface SplitCounts {
  /** copies begun on the request thread, and in the shadow thread */
  local: number;
  thread: number;
  /** the shadow thread: not started (no limit lowered yet), starting, running, failed to start or exited since
   * (slow candidates' copies are then made on the request thread) */
  threadState: 'idle' | 'starting' | 'running' | 'failed' | 'exited';
}

/** Seconds of copies finding their candidate keeping up, none slow in between, before the thread is ended. */
export const THREAD_CALM_SECONDS = 10;

export class SplitEngine implements ShadowEngine {
  readonly slots: CopySlots;
  private readonly local: Shadower;
  /** the thread that takes copies now (starting or running); undefined while none is needed, or once one failed or died */
  private thread: ShadowThreadEngine | undefined;
  private starting: Promise<void> | undefined;
  /** threads ended because no candidate was slow any more, until they have exited */
  private readonly ending = new Set<Promise<void>>();
  private state: SplitCounts['threadState'] = 'idle';
  /**
   * services whose copies go through the thread: a second of copies found the candidate much slower than the monolith,
   * and none has found it keeping up since (kept from the slots' onPace, so a request of any other service pays one
   * size check)
   */
  private readonly slow = new Set<string>();
  /** seconds of copies that found a candidate keeping up, with none slow, since the last that found one slow */
  private calm = 0;
  private config: ProxyConfig;
  private budget: number;
  private readonly log: Logger;
  readonly counts = { local: 0, thread: 0 };

  constructor(config: ProxyConfig, options: SplitEngineOptions) {
    this.config = config;
    this.log = options.logger;
    this.budget = config.memory.shadowBytes;
    this.slots = options.slots ?? new CopySlots();
    this.slots.onLimit = (change) => logCopyLimit(this.log, change);
    this.slots.onPace = (service, pace) => this.paced(service, pace);
    this.local = new Shadower(options.onPair, options.logger, this.budget, this.slots);
  }

  begin(req: IncomingMessage, plan: ShadowPlan, requestId: string, start: number): ShadowSide | undefined {
    if (this.slow.size !== 0 && this.slowRoute(plan)) {
      const thread = this.threadFor();
      if (thread !== undefined) {
        const side = thread.begin(req, plan, requestId, start);
        if (side !== undefined) this.counts.thread++;
        return side;
      }
    }
    const side = this.local.begin(req, plan, requestId, start);
    if (side !== undefined) this.counts.local++;
    return side;
  }

  setBudget(bytes: number): void {
    this.budget = bytes;
    this.local.setBudget(bytes);
    this.splitBudget();
  }

  configure(config: ProxyConfig): void {
    this.config = config;
    this.thread?.configure(config);
  }

  /** A route whose copies go through the thread now (a route with shadow.adaptive off gathers no evidence either way: its copies stay here). */
  inThread(plan: ShadowPlan): boolean {
    return this.slowRoute(plan) && this.thread !== undefined && this.thread.alive;
  }

  /** A route of a slow service whose copies gather evidence (shadow.adaptive): its copies belong in the thread. */
  private slowRoute(plan: ShadowPlan): boolean {
    return plan.adaptive && this.slow.has(plan.service);
  }

  /** What each side copied, and whether the thread runs. */
  stats(): SplitCounts {
    if (this.thread !== undefined && !this.thread.alive) return { ...this.counts, threadState: 'exited' };
    return { ...this.counts, threadState: this.state };
  }

  /** Resolves once the thread runs, or could not start (at once when none is starting). */
  threadReady(): Promise<void> {
    return this.starting ?? Promise.resolve();
  }

  /** Resolves once every copy handed to the thread so far is compared and stored (the request thread's: its pipeline). */
  async settle(timeoutMs = 10_000): Promise<ComparatorStats | undefined> {
    await Promise.all(this.ending);
    await this.starting;
    return this.thread?.settle(timeoutMs);
  }

  /** The proxy closed: the request thread's copies end (undici pools); the thread is ended by end(). */
  close(): Promise<void> {
    return this.local.close();
  }

  /** After the proxy closed: the thread compares what it has, flushes and closes its store connection, and exits. */
  async end(): Promise<void> {
    await this.starting;
    await Promise.all([...this.ending, this.thread?.end()]);
  }

  /** The thread to hand a slow service's copy to (running, or starting: the copy waits for it); undefined once one failed or died. */
  private threadFor(): ShadowThreadEngine | undefined {
    const thread = this.thread;
    if (thread === undefined || thread.alive) return thread;
    this.thread = undefined;
    this.state = 'exited';
    this.splitBudget();
    return undefined;
  }

  private paced(service: string, pace: Pace): void {
    if (pace === 'slow') {
      this.slow.add(service);
      this.calm = 0;
      if (this.state === 'idle') this.startThread();
    } else if (pace === 'fast') {
      this.slow.delete(service);
      // the thread ends after THREAD_CALM_SECONDS such seconds with no candidate slow, not at the first: a candidate
      // slow every other second would otherwise start a thread every other second (a start costs ~0.6 s of CPU)
      if (this.slow.size === 0 && this.thread !== undefined && ++this.calm >= THREAD_CALM_SECONDS) this.endThread();
    }
  }

  private startThread(): void {
    this.state = 'starting';
    const thread = new ShadowThreadEngine(this.config, {
      logger: this.log,
      slots: this.slots,
      admitted: this.local.admitted,
      exitNote: "slow candidates' copies go back to the request thread",
    });
    this.thread = thread;
    this.splitBudget();
    this.starting = thread.ready.then(
      () => {
        if (this.thread === thread) this.state = 'running';
        this.log.info('shadow thread started: copies of services whose candidate is much slower than the monolith go through it');
      },
      (err: unknown) => {
        if (this.thread !== thread) return;
        this.thread = undefined;
        this.state = 'failed';
        this.splitBudget();
        this.log.error({ err }, "shadow thread could not start: slow candidates' copies stay on the request thread");
      },
    );
  }

  /** No candidate is slow any more: the thread finishes its copies and exits (a new one starts when one is slow again). */
  private endThread(): void {
    // a thread that died is not ended but left for good, as when a copy finds it dead (threadFor)
    const thread = this.threadFor();
    if (thread === undefined || this.state === 'starting') return;
    this.thread = undefined;
    this.state = 'idle';
    this.splitBudget();
    const ended = thread.end().finally(() => this.ending.delete(ended));
    this.ending.add(ended);
    this.log.info('shadow thread ended: every candidate whose copies went through it keeps up with the monolith again');
  }

  /**
   * memory.shadowBytes stays one bound: the admission half is shared (one ByteBudget, both sides admit from it);
   * the completion half (candidate answers, noise samples) is split between the two sides while the thread runs, and
   * is the request thread's whole again when it does not.
   */
  private splitBudget(): void {
    if (this.thread === undefined) {
      this.local.completing.limit = this.budget / 2;
      return;
    }
    this.local.completing.limit = this.budget / 4;
    this.thread.post({ t: 'budget', bytes: this.budget / 2 });
  }
}

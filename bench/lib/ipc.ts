// The little protocol between the bench runner and each target it starts in a child process:
// the child says where it listens, and reports its own CPU time and memory when asked.
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { threadCpuMicros } from './proc.ts';

export interface ReadyMessage {
  type: 'ready';
  /** base URL clients should hit */
  url: string;
  /** extra named URLs (e.g. the origins process also runs the candidate) */
  urls?: Record<string, string>;
}

export interface UsageSample {
  /** user + system CPU time in microseconds since the process started */
  cpuMicros: number;
  rssBytes: number;
  /** CPU time of the main (JavaScript) thread alone, microseconds (Linux /proc; the rest is V8's and libuv's helpers) */
  mainThreadCpuMicros?: number;
  /** time spent in garbage collection since the child started watching (Node targets), microseconds */
  gcMicros?: number;
  /** target-specific counters, e.g. connections accepted by the candidate */
  counters?: Record<string, number>;
}

export interface UsageMessage extends UsageSample {
  type: 'usage';
  seq: number;
}

export interface UsageRequest {
  type: 'usage';
  seq: number;
  /** wait until the process is idle first, so deferred work (shadow compares, store writes) is counted */
  settle: boolean;
}

export type ParentMessage = UsageRequest | { type: 'stop' };
export type ChildMessage = ReadyMessage | UsageMessage;

function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Waits until the process used under 2% of a core over 100 ms (at most 5 s). */
async function settle(): Promise<void> {
  const deadline = performance.now() + 5000;
  let last = cpuNow();
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = cpuNow();
    if (now - last < 2000) return;
    last = now;
  }
}

let gcMicros = 0;

/** Sums the duration of every garbage collection from now on (perf_hooks 'gc' entries). */
function watchGc(): void {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMicros += e.duration * 1000;
  }).observe({ entryTypes: ['gc'] });
}

/**
 * Child side: announces `ready`, answers usage requests, and runs `close` on stop
 * (or when the parent goes away, so a crashed runner leaves no orphans).
 */
export function serveBenchChild(
  ready: Omit<ReadyMessage, 'type'>,
  close: () => Promise<void>,
  counters?: () => Record<string, number>,
): void {
  const send = (msg: ChildMessage): void => {
    process.send?.(msg);
  };
  let closing = false;
  const stop = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    await close().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', async (msg: ParentMessage) => {
    if (msg.type === 'stop') return stop();
    if (msg.type === 'usage') {
      if (msg.settle) await settle();
      send({ type: 'usage', seq: msg.seq, cpuMicros: cpuNow(), mainThreadCpuMicros: threadCpuMicros(process.pid), rssBytes: process.memoryUsage.rss(), gcMicros, counters: counters?.() });
    }
  });
  process.on('disconnect', () => void stop());
  watchGc();
  threadCpuMicros(process.pid); // the first read asks getconf for the clock tick: do it before any measurement
  send({ type: 'ready', ...ready });
}

/** Reads `--name value` flags given to a child. */
export function childArg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  throw new Error(`bench child: missing --${name}`);
}

// Parent side of a bench target: a process that serves HTTP and whose CPU time and memory the
// runner can read before and after each load run. Node targets are forked with IPC; others
// (nginx) are read through /proc.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage, ReadyMessage, UsageSample } from './ipc.ts';
import { peakRssBytes, rssBytes, treeCpuMicros } from './proc.ts';
import { servingV8Flags } from '../../proxy/runtime.ts';

export interface RunningTarget {
  name: string;
  url: string;
  urls: Record<string, string>;
  pid: number;
  /** CPU time (µs, whole process tree) and RSS now; `settle` waits for deferred work to finish first */
  usage(settle: boolean): Promise<UsageSample>;
  peakRssBytes(): number;
  close(): Promise<void>;
}

export interface NodeTargetOptions {
  args?: string[];
  env?: Record<string, string>;
  /** extra node flags, e.g. --cpu-prof */
  execArgv?: string[];
  /** pin to these CPUs with taskset (e.g. "1") */
  cpus?: string;
  /** run node under this command (e.g. valgrind and its options: bench/instructions.ts); the pid stays node's own */
  wrapper?: string[];
}

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const profileDir = join(benchDir, 'profiles');

export async function startNodeTarget(name: string, script: string, options: NodeTargetOptions = {}): Promise<RunningTarget> {
  // Every Node process of the bench (each target, the origins) starts with the V8 flags strangler's serving processes
  // are started with (proxy/runtime.ts: the memory reducer off, 32 MB semi-spaces; V8 reads them at start-up only).
  // Without them a process could land, at random, in a state 15-40% slower for the rest of the run, the peer as well
  // as strangler, so the ratios would compare luck rather than code. STRANGLER_V8_DEFAULTS=on runs V8's defaults.
  const execArgv = ['--import', 'tsx', ...servingV8Flags(), ...(options.execArgv ?? [])];
  // a target run with extra node flags (--cpu-prof, --trace-gc…) keeps its stdout, where V8's traces go
  let stdout: 'ignore' | number = 'ignore';
  if (options.execArgv?.length) {
    await mkdir(profileDir, { recursive: true });
    stdout = openSync(join(profileDir, `${name}.stdout.log`), 'w');
  }
  const wrapper = options.wrapper ?? [];
  const child: ChildProcess = fork(`${benchDir}${script}`, options.args ?? [], {
    ...(wrapper.length > 0 ? { execPath: wrapper[0], execArgv: [...wrapper.slice(1), process.execPath, ...execArgv] } : { execArgv }),
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'silent', ...options.env },
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
  });
  if (typeof stdout === 'number') closeSync(stdout); // the child has its own copy
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`bench target ${name} exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.on('message', (msg: ChildMessage) => {
      if (msg.type === 'ready') {
        child.off('exit', onExit);
        resolve(msg);
      }
    });
  });
  const pid = child.pid ?? 0;
  if (options.cpus) pin(pid, options.cpus);
  let seq = 0;
  return {
    name,
    url: ready.url,
    urls: ready.urls ?? {},
    pid,
    usage(settle) {
      const mine = ++seq;
      return new Promise((resolve) => {
        const onMessage = (msg: ChildMessage): void => {
          if (msg.type === 'usage' && msg.seq === mine) {
            child.off('message', onMessage);
            resolve({ cpuMicros: msg.cpuMicros, mainThreadCpuMicros: msg.mainThreadCpuMicros, rssBytes: msg.rssBytes, gcMicros: msg.gcMicros, counters: msg.counters });
          }
        };
        child.on('message', onMessage);
        child.send({ type: 'usage', seq: mine, settle } satisfies ParentMessage);
      });
    },
    peakRssBytes: () => peakRssBytes(pid),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ type: 'stop' } satisfies ParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Wraps a process the runner started by other means (nginx) into a target read through /proc. */
export function procTarget(name: string, url: string, child: ChildProcess, stop: () => Promise<void>): RunningTarget {
  const pid = child.pid ?? 0;
  return {
    name,
    url,
    urls: {},
    pid,
    async usage(settle) {
      if (settle) await new Promise((r) => setTimeout(r, 300));
      return { cpuMicros: treeCpuMicros(pid), rssBytes: rssBytes(pid) };
    },
    peakRssBytes: () => peakRssBytes(pid),
    close: stop,
  };
}

export function pin(pid: number, cpus: string): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  } catch {
    // taskset missing: run unpinned
  }
}

// The targets the proxy bench puts side by side, each started in its own process so that its CPU
// time per request can be read. A target that cannot run here (no nginx, no strangler proxy yet)
// is skipped with the reason, never failing the run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startNginx } from './nginx.ts';
import { SECOND_SERVICE, type LoadMix } from './load.ts';
import { startNodeTarget, type RunningTarget } from './target.ts';

export interface TargetContext {
  origins: RunningTarget;
  nginx?: string;
  storeDir: string;
  /** pin proxies to these CPUs */
  cpus?: string;
  /** extra node flags for strangler targets, e.g. --cpu-prof */
  execArgv?: (name: string) => string[];
  /** strangler's log level; info (one line per request, to /dev/null) is what an operator runs */
  logLevel: string;
}

export interface TargetSpec {
  name: string;
  what: string;
  /** undefined with a reason when this target cannot run on this machine */
  start(ctx: TargetContext): Promise<RunningTarget | string>;
  /** the target's load sends some requests elsewhere (a route migrated to a second service) */
  mix?: LoadMix;
}


const serverTs = fileURLToPath(new URL('../../proxy/server.ts', import.meta.url));

/** How a strangler target differs from the defaults (comparison on, `shadowThread: "slow"`, one service, the config's cap, adaptive). */
interface StranglerOptions {
  compare?: boolean;
  /** shadowThread: true (every copy in a thread), 'slow' (the config's default: a slow candidate's), false (none) */
  thread?: boolean | 'slow';
  /** a route migrated to a second service */
  second?: boolean;
  concurrency?: number;
  adaptive?: boolean;
  /** shadow.sample */
  sample?: number;
  /** legacy mode with the comparison pipeline and its store running, as `strangler proxy` runs */
  pipeline?: boolean;
}

function strangler(name: string, mode: 'legacy' | 'shadow', candidate: 'candidate' | 'slowCandidate', options: StranglerOptions = {}): TargetSpec['start'] {
  const { compare = true, thread = 'slow', second = false, concurrency, adaptive = true, sample, pipeline = false } = options;
  return async (ctx) => {
    if (!existsSync(serverTs)) return 'proxy/server.ts not present yet';
    return startNodeTarget(name, 'peers/strangler.ts', {
      args: [
        '--mode', mode,
        '--upstream', ctx.origins.urls.origin,
        '--candidate', ctx.origins.urls[candidate],
        '--store', `${ctx.storeDir}/${name}.sqlite`,
        '--compare', compare ? 'on' : 'off',
        '--thread', thread === 'slow' ? 'slow' : thread ? 'on' : 'off',
        ...(second ? ['--second', ctx.origins.urls.second] : []),
        ...(concurrency !== undefined ? ['--concurrency', String(concurrency)] : []),
        ...(adaptive ? [] : ['--adaptive', 'off']),
        ...(sample !== undefined ? ['--sample', String(sample)] : []),
        ...(pipeline ? ['--pipeline', 'on'] : []),
      ],
      cpus: ctx.cpus,
      execArgv: ctx.execArgv?.(name),
      env: { LOG_LEVEL: ctx.logLevel },
    });
  };
}

export const TARGETS: TargetSpec[] = [
  {
    name: 'direct',
    what: 'straight to the origin, no proxy (CPU column: the origin process)',
    start: async (ctx) => ({ ...ctx.origins, name: 'direct', url: ctx.origins.urls.origin, close: async () => undefined }),
  },
  {
    name: 'http-proxy-3',
    what: 'raw http-proxy-3 with the keep-alive agent strangler uses (the peer)',
    start: (ctx) =>
      startNodeTarget('http-proxy-3', 'peers/http-proxy-3.ts', { args: ['--upstream', ctx.origins.urls.origin], cpus: ctx.cpus, execArgv: ctx.execArgv?.('http-proxy-3') }),
  },
  {
    name: 'undici-forwarder',
    what: 'minimal undici Pool.stream forwarder (the floor for a Node proxy)',
    start: (ctx) =>
      startNodeTarget('undici-forwarder', 'peers/undici-forwarder.ts', { args: ['--upstream', ctx.origins.urls.origin], cpus: ctx.cpus, execArgv: ctx.execArgv?.('undici-forwarder') }),
  },
  { name: 'strangler-legacy', what: 'strangler, route in legacy mode', start: strangler('strangler-legacy', 'legacy', 'candidate') },
  {
    name: 'strangler-shadow',
    what: 'strangler, route in shadow mode: copy to a second origin, capture both, compare, store diffs',
    start: strangler('strangler-shadow', 'shadow', 'candidate'),
  },
  {
    name: 'strangler-shadow-thread',
    what: 'strangler, shadow mode with `shadowThread`: copies, comparison and store in a worker thread',
    start: strangler('strangler-shadow-thread', 'shadow', 'candidate', { thread: true }),
  },
  {
    name: 'nginx',
    what: 'nginx reverse proxy, 1 worker, upstream keepalive, HTTP/1.1 upstream',
    start: async (ctx) => (ctx.nginx ? startNginx('nginx', ctx.nginx, { origin: ctx.origins.urls.origin, cpus: ctx.cpus }) : 'nginx not installed'),
  },
  {
    name: 'nginx-mirror',
    what: 'nginx with `mirror` to the second origin (shadow copies, no comparison)',
    start: async (ctx) =>
      ctx.nginx
        ? startNginx('nginx-mirror', ctx.nginx, { origin: ctx.origins.urls.origin, mirrorTo: ctx.origins.urls.candidate, cpus: ctx.cpus })
        : 'nginx not installed',
  },
  {
    // the same peer twice: the spread between the two is the measurement's own noise on this machine (A/A)
    name: 'http-proxy-3-again',
    what: 'raw http-proxy-3 a second time (diagnostic: A/A, the noise of the measurement)',
    start: (ctx) =>
      startNodeTarget('http-proxy-3-again', 'peers/http-proxy-3.ts', { args: ['--upstream', ctx.origins.urls.origin], cpus: ctx.cpus, execArgv: ctx.execArgv?.('http-proxy-3-again') }),
  },
];

const ladderSteps = ['', 'timeout', 'timeout,proxyres', 'timeout,proxyres,reqid', 'timeout,proxyres,reqid,close', 'timeout,proxyres,reqid,close,log', 'timeout,proxyres,reqid,close,alog', 'serveropts', 'stringtarget'];

/** Diagnostic targets, run only when named with --only (not part of the results table by default). */
export const EXTRA_TARGETS: TargetSpec[] = [
  ...ladderSteps.map((features, i) => ({
    name: `ladder-${i}`,
    what: `http-proxy-3 + ${features || 'nothing'} (diagnostic: prices each step of the legacy hot path)`,
    start: (ctx: TargetContext) =>
      startNodeTarget(`ladder-${i}`, 'peers/ladder.ts', {
        args: ['--upstream', ctx.origins.urls.origin, '--features', features || ','],
        cpus: ctx.cpus,
        env: { LOG_LEVEL: ctx.logLevel },
        execArgv: ctx.execArgv?.(`ladder-${i}`),
      }),
  })),
  {
    name: 'strangler-shadow-nocompare',
    what: 'strangler, shadow mode with capture but no comparison (diagnostic)',
    start: strangler('strangler-shadow-nocompare', 'shadow', 'candidate', { compare: false }),
  },
  // the copy cap lowered (shadow.concurrency, 64 by default) with a fast candidate under full load: how many copies
  // the cap then drops, and what the fewer copies save (the slow pair's c32/c16 show what they save a slow candidate)
  ...[32, 16].map((cap) => ({
    name: `strangler-shadow-c${cap}`,
    what: `strangler, shadow mode, copy cap fixed at ${cap} (\`shadow.concurrency\`, \`adaptive: false\`)`,
    start: strangler(`strangler-shadow-c${cap}`, 'shadow', 'candidate', { concurrency: cap, adaptive: false }),
  })),
];

/** The slow-candidate pair: legacy vs shadow with a candidate answering 300 ms late. */
export const SLOW_TARGETS: TargetSpec[] = [
  { name: 'strangler-legacy', what: 'strangler, legacy mode', start: strangler('strangler-legacy', 'legacy', 'slowCandidate') },
  {
    name: 'strangler-shadow-slow',
    what: 'strangler, shadow mode, candidate 300 ms late',
    start: strangler('strangler-shadow-slow', 'shadow', 'slowCandidate'),
  },
  {
    name: 'strangler-shadow-slow-thread',
    what: 'strangler, shadow mode with `shadowThread: true`, candidate 300 ms late',
    start: strangler('strangler-shadow-slow-thread', 'shadow', 'slowCandidate', { thread: true }),
  },
  {
    name: 'strangler-shadow-slow-local',
    what: 'strangler, shadow mode with `shadowThread: false` (every copy on the request thread, the default before session 20), candidate 300 ms late',
    start: strangler('strangler-shadow-slow-local', 'shadow', 'slowCandidate', { thread: false }),
  },
];

/** Diagnostic slow-candidate targets, run only when named with --only. */
export const EXTRA_SLOW_TARGETS: TargetSpec[] = [
  {
    name: 'strangler-shadow-slow-nocompare',
    what: 'strangler, shadow mode, candidate 300 ms late, capture without comparison (diagnostic)',
    start: strangler('strangler-shadow-slow-nocompare', 'shadow', 'slowCandidate', { compare: false }),
  },
  // the pair a second time, to try a change side by side in the same run (--node-flags "strangler-legacy-b=…"),
  // or, unchanged, as the slow pair's A/A: how far two runs of the same code land apart at the p99
  { name: 'strangler-legacy-b', what: 'strangler, legacy mode, second process (A/A, or A/B with --node-flags)', start: strangler('strangler-legacy-b', 'legacy', 'slowCandidate') },
  {
    name: 'strangler-shadow-slow-b',
    what: 'strangler, shadow mode, candidate 300 ms late, second process (A/A, or A/B with --node-flags)',
    start: strangler('strangler-shadow-slow-b', 'shadow', 'slowCandidate'),
  },
  // the pair in a proxy that also serves a route migrated to a second service, as one in the middle of a migration
  // does: the baseline then talks to two upstreams too (the pair above only ever talks to the monolith in legacy mode)
  {
    name: 'strangler-legacy-2up',
    what: 'strangler, legacy mode, 1 request in 59 to a route migrated to a second service',
    start: strangler('strangler-legacy-2up', 'legacy', 'slowCandidate', { second: true }),
    mix: SECOND_SERVICE,
  },
  {
    name: 'strangler-shadow-slow-2up',
    what: 'strangler, shadow mode, candidate 300 ms late, 1 request in 59 to a route migrated to a second service',
    start: strangler('strangler-shadow-slow-2up', 'shadow', 'slowCandidate', { second: true }),
    mix: SECOND_SERVICE,
  },
  // legacy mode with the comparison pipeline and its store open, as `strangler proxy` runs whatever the modes
  {
    name: 'strangler-legacy-pipeline',
    what: 'strangler, legacy mode, comparison pipeline and store running (diagnostic)',
    start: strangler('strangler-legacy-pipeline', 'legacy', 'slowCandidate', { pipeline: true }),
  },
  // shadow mode that never copies (shadow.sample 0): the route is shadowed and the comparison pipeline runs, but no
  // request is admitted; against strangler-legacy, what shadow mode costs before any copy is made
  {
    name: 'strangler-shadow-slow-s0',
    what: 'strangler, shadow mode, candidate 300 ms late, no request copied (`shadow.sample: 0`; diagnostic)',
    start: strangler('strangler-shadow-slow-s0', 'shadow', 'slowCandidate', { sample: 0 }),
  },
  // about as many copies as the slow candidate's lowered limit lets through, chosen by the sample instead: nearly every
  // request then leaves admission at the sample check, not at the full limit (diagnostic: what the refusals cost)
  {
    name: 'strangler-shadow-slow-s003',
    what: 'strangler, shadow mode, candidate 300 ms late, 0.3% of requests copied (`shadow.sample: 0.003`; diagnostic)',
    start: strangler('strangler-shadow-slow-s003', 'shadow', 'slowCandidate', { sample: 0.003 }),
  },
  // the copy cap fixed at 64 (shadow.adaptive off): the slow candidate keeps every slot busy, as before the limit
  {
    name: 'strangler-shadow-slow-fixed',
    what: 'strangler, shadow mode, candidate 300 ms late, copy cap fixed at 64 (`shadow.adaptive: false`)',
    start: strangler('strangler-shadow-slow-fixed', 'shadow', 'slowCandidate', { adaptive: false }),
  },
  // the copy cap lowered (shadow.concurrency, 64 by default): what a slow candidate then costs the client's p99,
  // against how many copies it still gets
  ...[32, 16, 8, 4].map((cap) => ({
    name: `strangler-shadow-slow-c${cap}`,
    what: `strangler, shadow mode, candidate 300 ms late, copy cap fixed at ${cap} (\`shadow.concurrency\`, \`adaptive: false\`)`,
    start: strangler(`strangler-shadow-slow-c${cap}`, 'shadow', 'slowCandidate', { concurrency: cap, adaptive: false }),
  })),
];

/** The memory run: a fresh process so that its peak RSS covers only this run. */
export const MEMORY_TARGETS: TargetSpec[] = [
  {
    name: 'strangler-shadow-nocompare',
    what: 'strangler, shadow mode, capture only (diagnostic)',
    start: strangler('strangler-shadow-nocompare-mem', 'shadow', 'candidate', { compare: false }),
  },
  { name: 'strangler-shadow', what: 'strangler, shadow mode, 1 MB responses', start: strangler('strangler-shadow-mem', 'shadow', 'candidate') },
  {
    name: 'strangler-shadow-local',
    what: 'strangler, shadow mode with `shadowThread: false` (every copy on the request thread), 1 MB responses',
    start: strangler('strangler-shadow-local-mem', 'shadow', 'candidate', { thread: false }),
  },
  {
    name: 'strangler-shadow-thread',
    what: 'strangler, shadow mode with `shadowThread`, 1 MB responses',
    start: strangler('strangler-shadow-thread-mem', 'shadow', 'candidate', { thread: true }),
  },
  { name: 'strangler-legacy', what: 'strangler, legacy mode (what shadow mode adds to)', start: strangler('strangler-legacy-mem', 'legacy', 'candidate') },
  {
    name: 'http-proxy-3',
    what: 'raw http-proxy-3 (reference)',
    start: (ctx) => startNodeTarget('http-proxy-3', 'peers/http-proxy-3.ts', { args: ['--upstream', ctx.origins.urls.origin], cpus: ctx.cpus }),
  },
];

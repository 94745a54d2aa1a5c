// V8 settings for a process that serves proxy traffic. V8 reads them when it sets up the heap, so they belong on
// node's command line: the shebangs of bin/strangler.mjs and bin/strangler.ts and the npm scripts that serve
// (`npm start`, `npm run demo`, `npm run proxy`) carry them, the bench starts every Node process with them, and `--workers` children inherit them
// (node:cluster forks with the parent's execArgv). Set later with v8.setFlagsFromString they change nothing: a
// process that did so still ran the memory reducer's collections ~8 s after start (--trace-gc). startProxy, a
// library call, does not touch its host's engine; `strangler proxy` and `strangler demo --serve` warn when a flag is
// missing. Measurements: docs/benchmarks.md (the findings listed with the 07:10 run of 5 Dec 2026).
//
// --no-memory-reducer: the memory reducer is V8's idle-time collector; once a process has allocated little for a
// few seconds it runs memory-reducing full collections to hand memory back. Processes that went through them often
// served every later request 12-25% slower for as long as they ran (in one run, two of three at 73-81 µs of CPU per
// request against 62-66; with the flag on the command line six of six at 65-71). A heap that keeps what it grew to
// under load is the better trade for a server in front of production traffic.
//
// --max-semi-space-size=32: with V8's default 16 MB semi-spaces a process could fall, at random and for good, into a
// state where ~2.5 MB of request objects survived every scavenge and were promoted (healthy: ~5 KB), costing 15-40%
// more CPU per request; 5 of 9 processes that had used undici (as shadow copies do). With 32 MB (or 64) 0 of 9.
// Price: ~3 µs per request in a healthy process and up to 32 MB more young generation.

/** The flags a serving process should be started with. */
export const SERVING_V8_FLAGS: readonly string[] = ['--no-memory-reducer', '--max-semi-space-size=32'];

/** Set to "on" to run on V8's defaults: the bench starts its processes without the serving flags, and the proxy
 * does not warn when it was started without them. */
export const V8_DEFAULTS_ENV = 'STRANGLER_V8_DEFAULTS';
/** The same switch under its first name, which named only one of the two flags; still honoured. */
export const MEMORY_REDUCER_ENV = 'STRANGLER_V8_MEMORY_REDUCER';

/** The flags serving processes are started with under this environment: SERVING_V8_FLAGS, or none when it opts out. */
export function servingV8Flags(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  return env[V8_DEFAULTS_ENV] === 'on' || env[MEMORY_REDUCER_ENV] === 'on' ? [] : SERVING_V8_FLAGS;
}

/** A flag's name in one spelling: V8 takes `--no_memory_reducer` for `--no-memory-reducer`; a value is the operator's. */
const flagName = (flag: string): string => `--${flag.replace(/^--/, '').split('=')[0].replaceAll('_', '-')}`;

/** The serving flags missing from node's command line (`process.execArgv`); one given with another value counts. */
export function missingServingFlags(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): string[] {
  const given = new Set(execArgv.map(flagName));
  return servingV8Flags(env).filter((flag) => !given.has(flagName(flag)));
}

/** One line for a serving process's start-up log: which flags it runs with, or which it lacks and how to fix it. */
export function servingFlagsNotice(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): { level: 'info' | 'warn'; msg: string; v8Flags: readonly string[] } | undefined {
  const wanted = servingV8Flags(env);
  if (wanted.length === 0) return undefined;
  const missing = missingServingFlags(execArgv, env);
  if (missing.length === 0) return { level: 'info', msg: `V8 tuned for serving (${V8_DEFAULTS_ENV}=on runs without it)`, v8Flags: wanted };
  return {
    level: 'warn',
    msg:
      `node was started without ${missing.join(' ')}: V8 reads them at start-up only, and without them the proxy can fall, ` +
      `at random and for as long as it runs, into a state 15-40% slower (docs/proxy.md). Start it as the strangler bin does ` +
      `(node ${missing.join(' ')} --import tsx bin/strangler.ts …, or npm run proxy), ` +
      `or set ${V8_DEFAULTS_ENV}=on to keep V8's defaults and silence this`,
    v8Flags: missing,
  };
}

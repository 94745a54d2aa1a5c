// V8 settings for a process that serves proxy traffic. V8 reads them when it sets up the heap, so they belong on
// node's command line: the strangler bin's shebang and the npm scripts that serve (`npm start`, `npm run demo`)
// carry them, the bench starts every Node process with them, and `--workers` children inherit them (node:cluster
// forks with the parent's execArgv). Set later with v8.setFlagsFromString they change nothing: a process that did
// so still ran the memory reducer's collections ~8 s after start (--trace-gc). startProxy, a library call, does
// not touch its host's engine; `strangler proxy` and `strangler demo --serve` say so when a flag is missing.
//
// The memory reducer is off. It is V8's idle-time collector: once a process has allocated little for a few seconds
// it runs memory-reducing full collections to hand memory back. A proxy that went through them served every later
// request ~15% slower for as long as it ran: the same legacy-mode config in six processes side by side, 65-71 µs
// of CPU per request with the flag on the command line, 75-84 µs in five of six without it (docs/benchmarks.md).
// A heap that keeps what it grew to under load is the better trade for a server in front of production traffic.

/** The flags a serving process should be started with. */
export const SERVING_V8_FLAGS: readonly string[] = ['--no-memory-reducer', '--max-semi-space-size=32'];

/** Set to "on" to run with V8's memory reducer: the bench starts its processes without the flag, and the proxy
 * does not warn when it was started without it. */
export const MEMORY_REDUCER_ENV = 'STRANGLER_V8_MEMORY_REDUCER';

/** The flags serving processes are started with under this environment: SERVING_V8_FLAGS, or none when it opts out. */
export function servingV8Flags(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  return env[MEMORY_REDUCER_ENV] === 'on' ? [] : SERVING_V8_FLAGS;
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
  if (missing.length === 0) return { level: 'info', msg: `V8 tuned for serving (${MEMORY_REDUCER_ENV}=on runs without it)`, v8Flags: wanted };
  return {
    level: 'warn',
    msg:
      `node was started without ${missing.join(' ')}: after an idle spell V8's memory reducer can leave the proxy ~15% slower ` +
      `for as long as it runs. Start it as the strangler bin does (node ${missing.join(' ')} --import tsx bin/strangler.ts …), ` +
      `or set ${MEMORY_REDUCER_ENV}=on to keep V8's default and silence this`,
    v8Flags: missing,
  };
}

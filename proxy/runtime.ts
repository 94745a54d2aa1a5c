// V8 settings for a process that serves proxy traffic, applied by the processes strangler starts itself
// (`strangler proxy`, each of its --workers, the demo), not by startProxy: a library call should not change the
// engine under its host.
//
// The memory reducer is off. It is V8's idle-time collector: once a process has allocated little for a few seconds
// it runs memory-reducing full collections to hand memory back. A proxy that had gone through one such quiet spell
// then served every later request ~15% slower for as long as it ran (legacy mode, bench/proxy.ts processes measured
// side by side: 64-69 µs of CPU per request before the first idle minute, 75-82 µs after it, and still 75-80 µs
// after minutes of steady load; the same process with the reducer off: 64-70 µs throughout). A heap that keeps
// what it grew to under load is the better trade for a server in front of production traffic.
import v8 from 'node:v8';

/** The flags applied, in order. */
export const SERVING_V8_FLAGS: readonly string[] = ['--no-memory-reducer'];

/** Set to "on" to keep V8's memory reducer (idle memory handed back; the slower state after idling comes back too). */
export const MEMORY_REDUCER_ENV = 'STRANGLER_V8_MEMORY_REDUCER';

/** The flags tuneForServing applies under this environment: SERVING_V8_FLAGS, or none when it opts out. */
export function servingV8Flags(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  return env[MEMORY_REDUCER_ENV] === 'on' ? [] : SERVING_V8_FLAGS;
}

/** Applies servingV8Flags(env) to this process; returns the flags it applied. */
export function tuneForServing(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const flags = servingV8Flags(env);
  for (const flag of flags) v8.setFlagsFromString(flag);
  return flags;
}

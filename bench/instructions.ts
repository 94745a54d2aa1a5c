// `npm run bench:instructions`: machine instructions per request of each proxy process, counted by valgrind's
// callgrind, side by side. Unlike CPU time, an instruction count does not move with what else the two shared cores
// are doing, so an A/B of a few percent reads the same on every run (not what the clients see: cache misses, the
// scheduler and the load generator are left out; bench/proxy.ts measures those). Each target is started under
// callgrind with instrumentation off, warmed up at full speed, then counted over a fixed number of requests
// (instrumentation switched on and off with callgrind_control), with the work left after the last answer (shadow
// comparisons, store writes) counted too. Writes bench/results/instructions.md.
//
// Shadow mode with a rare copy stands in for the slow-candidate run: under valgrind the proxy answers ~50× slower,
// so a 300 ms candidate would get a copy of nearly every request; `shadow.sample` gives the share the copy cap lets
// through at full speed (1.7% in the bench's slow-candidate run) whatever the speed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { mixedRequests, SECOND_SERVICE } from './lib/load.ts';
import { machineInfo, machineLines } from './lib/machine.ts';
import { startNodeTarget, type RunningTarget } from './lib/target.ts';

const { values: flags } = parseArgs({
  options: {
    warm: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '20000' },
    only: { type: 'string' },
    'cache-sim': { type: 'boolean', default: false },
    // keep callgrind's files (for callgrind_annotate by function) in this directory instead of a scratch one
    keep: { type: 'string' },
    out: { type: 'string' },
    // how late the slow candidate answers here: under valgrind a process serves ~50 times fewer requests a second, so
    // 15 s holds a copy for about as many requests as the proxy bench's 300 ms does at full speed
    'held-ms': { type: 'string', default: '15000' },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const OUT = flags.out ?? join(here, 'results', 'instructions.md');
const WARM = Number(flags.warm);
const REQUESTS = Number(flags.requests);
const CONNECTIONS = 10;
const IDLE_MS = 5_000;

interface Variant {
  name: string;
  /** extra node flags (`--only name@flags`): the same target with a V8 setting changed, side by side */
  nodeFlags?: string[];
  what: string;
  script: string;
  args: (origins: RunningTarget, store: string) => string[];
  /** one request in SECOND_SERVICE.every goes to the route migrated to the second service (the rest to /books/1) */
  mixed?: boolean;
}

const MIXED_EVERY = SECOND_SERVICE.every;

const strangler = (mode: 'legacy' | 'shadow', sample: number, thread = false, candidate: 'candidate' | 'slowCandidate' = 'candidate') => (origins: RunningTarget, store: string) => [
  '--mode', mode, '--upstream', origins.urls.origin, '--candidate', origins.urls[candidate], '--store', store, '--sample', String(sample), '--thread', thread ? 'on' : 'off',
];

const withSecond = (args: Variant['args']): Variant['args'] => (origins, store) => [...args(origins, store), '--second', origins.urls.second];

const VARIANTS: Variant[] = [
  { name: 'http-proxy-3', what: 'raw http-proxy-3 with a keep-alive agent (the peer)', script: 'peers/http-proxy-3.ts', args: (o) => ['--upstream', o.urls.origin] },
  { name: 'strangler-legacy', what: 'strangler, route in legacy mode', script: 'peers/strangler.ts', args: strangler('legacy', 1) },
  {
    name: 'strangler-shadow-rare',
    what: 'strangler, shadow mode, 1.7% of requests copied (`shadow.sample` 0.017: the share of the slow-candidate run)',
    script: 'peers/strangler.ts',
    args: strangler('shadow', 0.017),
  },
  { name: 'strangler-shadow', what: 'strangler, shadow mode, every request copied, compared and stored', script: 'peers/strangler.ts', args: strangler('shadow', 1) },
  {
    name: 'strangler-shadow-rare-thread',
    what: 'the rare copies with `shadowThread` (both threads counted)',
    script: 'peers/strangler.ts',
    args: strangler('shadow', 0.017, true),
  },
  {
    name: 'strangler-shadow-rare-held',
    what: 'the rare copies held by a slow candidate (`--held-ms`, 15 s: under valgrind about as many requests as 300 ms at full speed), as in the slow-candidate run',
    script: 'peers/strangler.ts',
    args: (origins, store) => [...strangler('shadow', 0.017, false, 'slowCandidate')(origins, store), '--shadow-timeout', String(Number(flags['held-ms']) * 4)],
  },
  {
    name: 'strangler-legacy-2up',
    what: `strangler, legacy mode, with 1 request in ${MIXED_EVERY} to a route migrated to a second service (the process talks to two upstreams)`,
    script: 'peers/strangler.ts',
    args: withSecond(strangler('legacy', 1)),
    mixed: true,
  },
  {
    name: 'strangler-shadow-rare-2up',
    what: `the rare copies, with 1 request in ${MIXED_EVERY} to a route migrated to a second service (as strangler-legacy-2up)`,
    script: 'peers/strangler.ts',
    args: withSecond(strangler('shadow', 0.017)),
    mixed: true,
  },
];
const DEFAULT = ['http-proxy-3', 'strangler-legacy', 'strangler-shadow-rare', 'strangler-shadow'];

/** Where the instructions went, by kind of code (callgrind_annotate's per-function totals, grouped). */
const KINDS: [string, RegExp][] = [
  ['JIT-compiled JavaScript', /^\?\?\?:0x/],
  ['inline-cache builtins', /Builtins_\w*IC/],
  ['other V8 builtins (interpreter, baseline, runtime stubs)', /Builtins_/],
  ['TurboFan compiling', /v8::internal::compiler::|v8::internal::Turbofan|OptimizedCompilationJob|Pipeline/],
  ['garbage collection', /Scaveng|MarkCompact|MarkingVisitor|Sweeper|Evacuat|ConcurrentMarking|heap::base|v8::internal::Heap::/],
  ['rest of V8 (runtime, lookups, parsing)', /v8::/],
  ['libc (memory, strings)', /libc\.so|libc-/],
  ['SQLite (better-sqlite3)', /better_sqlite3|sqlite3/],
  ['node, libuv, llhttp, OpenSSL and the kernel interface', /./],
];

interface Count {
  variant: Variant;
  requests: number;
  /** instructions while loaded, less what the process does at rest over the same time (its timers) */
  total: number;
  /** instructions while loaded, all of them */
  raw: number;
  /** instructions per second at rest, under valgrind */
  idlePerSecond: number;
  /** length of the counted load, seconds */
  seconds: number;
  kinds: Map<string, number>;
  /** cache simulation totals (Ir, I1mr, D1mr, D1mw, ILmr, DLmr, DLmw, Bc, Bcm, ...) when --cache-sim */
  events?: Map<string, number>;
  copies?: number;
}

function requireValgrind(): void {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('which', ['callgrind_control'], { stdio: 'ignore' });
  } catch {
    console.error('bench:instructions needs valgrind (apt-get install valgrind): not found');
    process.exit(2);
  }
}

async function load(url: string, amount: number, mixed = false): Promise<number> {
  const requests = mixed ? mixedRequests({ path: '/books/1', mix: SECOND_SERVICE }) : undefined;
  const result = await autocannon({ url, connections: CONNECTIONS, amount, pipelining: 1, timeout: 60, requests });
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return result.requests.total;
}

function annotate(file: string): { totals: Map<string, number>; byFunction: Map<string, number> } {
  const text = execFileSync('callgrind_annotate', ['--threshold=100', file], { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
  const names = /^Events shown:\s+(.*)$/m.exec(text)?.[1].trim().split(/\s+/) ?? ['Ir'];
  const totals = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const line of text.split('\n')) {
    // "1,234 (12.3%)  5,678 (1.0%)  ...  file:function [object]"; an event with no count prints as "."
    const cells = [...line.matchAll(/([\d,]+) \(\s*[\d.]+%\)|(?<=\s|^)\.(?=\s)/g)];
    if (cells.length === 0 || !/^\s*[\d,]+ \(/.test(line)) continue;
    const last = cells[cells.length - 1];
    const name = line.slice((last.index ?? 0) + last[0].length).trim();
    const ir = Number(cells[0][1].replace(/,/g, ''));
    if (name === 'PROGRAM TOTALS') {
      cells.forEach((c, i) => totals.set(names[i], c[1] ? Number(c[1].replace(/,/g, '')) : 0));
    } else byFunction.set(name, (byFunction.get(name) ?? 0) + ir);
  }
  return { totals, byFunction };
}

/** Instructions by kind of code, from one callgrind file. */
function kindsOf(file: string): { total: number; kinds: Map<string, number>; totals: Map<string, number> } {
  const { totals, byFunction } = annotate(file);
  const kinds = new Map<string, number>();
  for (const [fn, n] of byFunction) {
    const kind = KINDS.find(([, re]) => re.test(fn))![0];
    kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  }
  return { total: totals.get('Ir') ?? 0, kinds, totals };
}

/** Writes what callgrind counted since the last dump to a new file and returns its path. */
function dump(pid: number, out: string): string {
  const before = new Set(readdirSync(dirname(out)));
  execFileSync('callgrind_control', ['--dump', String(pid)], { stdio: 'ignore' });
  const added = readdirSync(dirname(out)).filter((f) => !before.has(f) && f.startsWith(basename(out)));
  if (added.length !== 1) throw new Error(`callgrind_control --dump: expected one new file beside ${out}, found ${added.length}`);
  return join(dirname(out), added[0]);
}

/** What the process does over IDLE_MS with no requests (counting is on). */
async function atRest(pid: number, out: string): Promise<ReturnType<typeof kindsOf> & { seconds: number }> {
  const start = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const counted = kindsOf(dump(pid, out));
  return { ...counted, seconds: (performance.now() - start) / 1000 };
}

async function count(variant: Variant, origins: RunningTarget, dir: string): Promise<Count> {
  const id = `${variant.name.replace(/[^\w.-]+/g, '_')}-${Date.now()}`;
  const out = join(dir, `${id}.callgrind`);
  const valgrind = ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, ...(flags['cache-sim'] ? ['--cache-sim=yes', '--branch-sim=yes'] : [])];
  const target = await startNodeTarget(id, variant.script, {
    args: variant.args(origins, join(dir, `${id}.sqlite`)),
    wrapper: valgrind,
    execArgv: variant.nodeFlags,
    env: { LOG_LEVEL: 'info' },
  });
  try {
    const url = `${target.url}/books/1`;
    process.stderr.write(`${variant.name}: warming up (${WARM.toLocaleString('en-US')} requests, not counted)…\n`);
    await load(url, WARM, variant.mixed);
    await target.usage(true);
    // the held copies go to the slow candidate
    const copiesAt = variant.name.includes('-held') ? 'slowCandidate' : 'candidate';
    const before = await originCopies(origins, copiesAt);
    const secondBefore = await originCopies(origins, 'second');
    execFileSync('callgrind_control', ['--instr=on', String(target.pid)], { stdio: 'ignore' });
    // the process at rest, before and after the load: what its timers do per second (the forwarder's sweep, the
    // store's flush, the guard), which under valgrind's slowdown would otherwise be charged to ~50 times fewer
    // requests a second. The quieter of the two windows is taken: a collection or a compile that falls into one
    // is not the timers' work.
    const idleBefore = await atRest(target.pid, out);
    process.stderr.write(`${variant.name}: counting ${REQUESTS.toLocaleString('en-US')} requests…\n`);
    const start = performance.now();
    const done = await load(url, REQUESTS, variant.mixed);
    await target.usage(true); // idle again: deferred shadow work is inside the count
    const seconds = (performance.now() - start) / 1000;
    const loaded = kindsOf(dump(target.pid, out));
    const idleAfter = await atRest(target.pid, out);
    execFileSync('callgrind_control', ['--instr=off', String(target.pid)], { stdio: 'ignore' });
    const idle = idleBefore.total / idleBefore.seconds <= idleAfter.total / idleAfter.seconds ? idleBefore : idleAfter;
    const copies = (await originCopies(origins, copiesAt)) - before;
    if (variant.mixed) {
      const second = (await originCopies(origins, 'second')) - secondBefore;
      // the mix is what the variant is about: a route that did not reach the second service would count nothing
      if (second < done / MIXED_EVERY / 2) throw new Error(`${variant.name}: the second service answered ${second} of ${done} requests`);
      process.stderr.write(`${variant.name}: ${second.toLocaleString('en-US')} requests to the second service\n`);
    }
    const timers = (n: number) => (n * seconds) / idle.seconds;
    const kinds = new Map([...loaded.kinds].map(([k, n]) => [k, n - timers(idle.kinds.get(k) ?? 0)]));
    return {
      variant,
      requests: done,
      total: loaded.total - timers(idle.total),
      raw: loaded.total,
      idlePerSecond: idle.total / idle.seconds,
      seconds,
      kinds,
      events: flags['cache-sim'] ? loaded.totals : undefined,
      copies: variant.name.includes('shadow') ? copies : undefined,
    };
  } finally {
    await target.close();
  }
}

/** Requests the candidate (or the second service) has answered so far (the origins process counts them). */
async function originCopies(origins: RunningTarget, name: 'candidate' | 'slowCandidate' | 'second' = 'candidate'): Promise<number> {
  const usage = await origins.usage(false);
  return usage.counters?.[`${name}.requests`] ?? 0;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function report(counts: Count[], machine: string[]): string {
  const perRequest = (c: Count, n: number) => n / c.requests;
  // a target counted more than once (A/A) is compared by the mean of its counts
  const mean = (name: string): number | undefined => {
    const of = counts.filter((c) => c.variant.name === name);
    return of.length > 0 ? of.reduce((sum, c) => sum + perRequest(c, c.total), 0) / of.length : undefined;
  };
  const legacy = mean('strangler-legacy');
  const peer = mean('http-proxy-3');
  const lines = [
    '# Instructions per request',
    '',
    `Written by \`npm run bench:instructions\` at ${new Date().toISOString()}.`,
    '',
    ...machine,
    '',
    '## Settings',
    '',
    `- Counted by valgrind's callgrind (every thread of the process): ${fmt(REQUESTS)} requests of ~2 KB JSON at ${CONNECTIONS} connections, after ${fmt(WARM)} uncounted ones; the work left after the last answer is counted too.`,
    '- An instruction count is the same from run to run whatever else the machine does (it leaves out cache misses, the scheduler and the load generator: `bench/results/proxy.md` has the time).',
    '',
    '| target | instructions per request | vs http-proxy-3 | vs strangler legacy | copies counted | with the timers\' work (at rest, per second) |',
    '|---|---:|---:|---:|---:|---:|',
    ...counts.map((c) => {
      const ir = perRequest(c, c.total);
      return `| ${c.variant.name} | ${fmt(ir)} | ${peer ? `${fmt(ir / peer, 3)}×` : '–'} | ${legacy ? `${fmt(ir / legacy, 3)}×` : '–'} | ${c.copies === undefined ? '–' : fmt(c.copies)} | ${fmt(perRequest(c, c.raw))} (${fmt(c.idlePerSecond / 1e6, 1)} M/s over ${fmt(c.seconds)} s) |`;
    }),
    '',
    ...[...new Map(counts.map((c) => [c.variant.name, c.variant.what]))].map(([name, what]) => `- ${name}: ${what}`),
    '',
    'Under valgrind a process answers ~50 times fewer requests a second, but its timers (the forwarder\'s sweep every 25 ms, the store\'s flush, the canary guard, pino\'s flush) still fire by the clock: each target is also counted at rest for 5 s before and after the load, and the quieter rate of the two times the length of the load is taken out of the first column (all of it is in the last).',
    '',
    '## By kind of code (instructions per request)',
    '',
    `| kind | ${counts.map((c) => c.variant.name).join(' | ')} |`,
    `|---|${counts.map(() => '---:').join('|')}|`,
    ...KINDS.map(([kind]) => `| ${kind} | ${counts.map((c) => fmt(perRequest(c, c.kinds.get(kind) ?? 0))).join(' | ')} |`),
  ];
  if (legacy) {
    const extra = counts.filter((c) => c.copies);
    if (extra.length > 0) {
      lines.push('', 'What one copy costs: the instructions a shadow target adds to legacy mode, divided by the copies it made.', '');
      for (const c of extra) {
        const added = perRequest(c, c.total) - legacy;
        lines.push(`- ${c.variant.name}: ${fmt((added * c.requests) / c.copies!)} instructions per copy (${fmt(c.copies!)} copies, ${fmt((100 * c.copies!) / c.requests, 1)}% of the requests)`);
      }
    }
  }
  if (counts.some((c) => c.events)) {
    const names = [...counts.find((c) => c.events)!.events!.keys()].filter((n) => n !== 'Ir');
    lines.push('', '## Simulated caches and branches (per request, the timers\' work included; `--cache-sim`)', '', `| target | ${names.join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`);
    for (const c of counts) if (c.events) lines.push(`| ${c.variant.name} | ${names.map((n) => fmt(perRequest(c, c.events!.get(n) ?? 0), 1)).join(' | ')} |`);
    lines.push('', 'Dr/Dw: data reads and writes; I1mr/D1mr/D1mw: first-level instruction/data read/write misses; ILmr/DLmr/DLmw: last-level; Bc/Bcm: conditional branches and their mispredictions; Bi/Bim: indirect branches (valgrind\'s model of the caches, not this processor\'s).');
  }
  return lines.join('\n') + '\n';
}

requireValgrind();
// `--only a,b@--some-v8-flag --another,a`: targets in this order, a name given more than once is counted again (A/A)
const names = flags.only ? flags.only.split(',') : DEFAULT;
const unknown = names.map((n) => n.split('@')[0]).filter((n) => !VARIANTS.some((v) => v.name === n));
if (unknown.length > 0) {
  console.error(`unknown target(s): ${unknown.join(', ')}; known: ${VARIANTS.map((v) => v.name).join(', ')}`);
  process.exit(2);
}
const dir = flags.keep ?? join(tmpdir(), `strangler-instructions-${process.pid}`);
mkdirSync(dir, { recursive: true });
const origins = await startNodeTarget('origins', 'peers/origins.ts', { args: ['--slow-ms', flags['held-ms']] });
const counts: Count[] = [];
try {
  for (const name of names) {
    const [base, extra] = name.split('@');
    const variant = VARIANTS.find((v) => v.name === base)!;
    const c = await count(extra ? { ...variant, name, nodeFlags: extra.split(' ').filter(Boolean) } : variant, origins, dir);
    process.stderr.write(`${name}: ${fmt(c.total / c.requests)} instructions per request\n`);
    counts.push(c);
  }
} finally {
  await origins.close();
  if (flags.keep) process.stderr.write(`callgrind files kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}
const m = machineInfo({ valgrind: execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim().replace(/^valgrind-/, '') });
const machine = [
  '## Machine',
  '',
  ...machineLines(m),
];
const text = report(counts, machine);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, text);
process.stdout.write(text);

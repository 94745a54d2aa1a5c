// The proxy bench's results as data and as the Markdown table committed in bench/results/proxy.md.
// Pure functions of the results, so the format can change without rerunning anything.
import type { LoadResult } from './load.ts';
import { machineLines, type LoadReport, type MachineInfo } from './machine.ts';

export interface Medians {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMicrosPerRequest: number;
  gcMicrosPerRequest?: number;
  originCpuMicrosPerRequest?: number;
  errors: number;
  non2xx: number;
}

export interface RowResult {
  name: string;
  what: string;
  skipped?: string;
  rounds: LoadResult[];
  median?: Medians;
  /** shadow targets: copies the candidate received and the new connections it accepted (all rounds) */
  copies?: { requests: number; connections: number };
}

export interface MemoryResult {
  name: string;
  what: string;
  skipped?: string;
  peakRssMiB?: number;
  result?: LoadResult;
}

export interface Check {
  name: string;
  measured: string;
  limit: string;
  met: boolean | undefined;
}

export interface BenchResults {
  finishedAt: string;
  quick: boolean;
  settings: { connections: number; durationSeconds: number; warmupSeconds: number; rounds: number; slowRounds: number; pinned?: string; logLevel: string; v8Flags: readonly string[] };
  machine: MachineInfo;
  load: LoadReport;
  rows: RowResult[];
  slow: RowResult[];
  /** the slow-candidate pair again at a fixed offered load (bench/lib/paced.ts) */
  slowPaced?: { rate: number; rows: RowResult[] };
  memory: MemoryResult[];
  memorySettings: { connections: number; durationSeconds: number; bodyBytes: number };
  checks: Check[];
  notes: string[];
}

// a figure not measured is undefined, or NaN, which the results' JSON keeps as null
const missing = (n: number | null | undefined): n is null | undefined => n === undefined || n === null || Number.isNaN(n);
const f0 = (n: number | undefined): string => (missing(n) ? '–' : Math.round(n).toLocaleString('en-US'));
const f1 = (n: number | undefined): string => (missing(n) ? '–' : n.toFixed(1));
const f2 = (n: number | undefined): string => (missing(n) ? '–' : n.toFixed(2));

export function row(rows: RowResult[], name: string): Medians | undefined {
  return rows.find((r) => r.name === name)?.median;
}

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

/** The slow pair's targets with the other `shadowThread` settings, judged by the default's limit beside it. */
const SLOW_VARIANTS = [
  { name: 'strangler-shadow-slow-thread', setting: 'true', what: 'every copy in a thread' },
  { name: 'strangler-shadow-slow-local', setting: 'false', what: 'every copy on the request thread' },
];

/** The targets from issue 8, judged on the medians. */
export function checks(results: Pick<BenchResults, 'rows' | 'slow' | 'memory'>): Check[] {
  const cpu = (rows: RowResult[], n: string): number | undefined => row(rows, n)?.cpuMicrosPerRequest;
  const out: Check[] = [];
  const legacyVsPeer = ratio(cpu(results.rows, 'strangler-legacy'), cpu(results.rows, 'http-proxy-3'));
  out.push({ name: 'legacy mode CPU/request vs raw http-proxy-3', measured: `${f2(legacyVsPeer)}×`, limit: '≤ 1.05×', met: legacyVsPeer === undefined ? undefined : legacyVsPeer <= 1.05 });
  const shadowVsLegacy = ratio(cpu(results.rows, 'strangler-shadow'), cpu(results.rows, 'strangler-legacy'));
  out.push({ name: 'shadow mode CPU/request vs strangler legacy', measured: `${f2(shadowVsLegacy)}×`, limit: '≤ 2×', met: shadowVsLegacy === undefined ? undefined : shadowVsLegacy <= 2 });
  // reuse: the candidate pool may open up to the shadow concurrency cap (64) connections; past that,
  // every copy must ride an existing one (nginx's mirror opens one per copy)
  const copies = results.rows.find((r) => r.name === 'strangler-shadow')?.copies;
  const reuseLimit = 'new connections ≤ 64 (the copy cap) or ≥ 100 copies per connection';
  if (copies) {
    const perConn = copies.connections > 0 ? copies.requests / copies.connections : copies.requests;
    out.push({
      name: 'shadow copies reuse keep-alive connections',
      measured: `${f0(copies.requests)} copies over ${f0(copies.connections)} new connections`,
      limit: reuseLimit,
      met: copies.connections <= 64 || perConn >= 100,
    });
  } else {
    out.push({ name: 'shadow copies reuse keep-alive connections', measured: '–', limit: reuseLimit, met: undefined });
  }
  const slowRatio = ratio(row(results.slow, 'strangler-shadow-slow')?.p99Ms, row(results.slow, 'strangler-legacy')?.p99Ms);
  out.push({ name: 'slow candidate (+300 ms): client p99 shadow vs legacy', measured: `${f2(slowRatio)}×`, limit: '≤ 1.10×', met: slowRatio === undefined ? undefined : slowRatio <= 1.1 });
  for (const v of SLOW_VARIANTS) {
    const r = ratio(row(results.slow, v.name)?.p99Ms, row(results.slow, 'strangler-legacy')?.p99Ms);
    if (r !== undefined) out.push({ name: `the same with \`shadowThread: ${v.setting}\` (${v.what})`, measured: `${f2(r)}×`, limit: '≤ 1.10×', met: r <= 1.1 });
  }
  const mem = results.memory.find((m) => m.name === 'strangler-shadow')?.peakRssMiB;
  out.push({ name: 'memory run: peak RSS of the proxy (shadow)', measured: mem === undefined ? '–' : `${f0(mem)} MiB`, limit: '< 300 MB', met: mem === undefined ? undefined : mem * 1.048576 < 300 });
  return out;
}

/** One line: a ratio of two targets in each round (they ran back to back), to show its spread. */
function perRound(rows: RowResult[], a: string, b: string, field: 'cpuMicrosPerRequest' | 'p99Ms' = 'cpuMicrosPerRequest', what = 'CPU/request'): string[] {
  const ra = rows.find((x) => x.name === a)?.rounds ?? [];
  const rb = rows.find((x) => x.name === b)?.rounds ?? [];
  const n = Math.min(ra.length, rb.length);
  if (n < 2) return [];
  const each = Array.from({ length: n }, (_, i) => ratio(ra[i][field], rb[i][field]));
  return [`- ${a} vs ${b}, ${what} round by round: ${each.map((x) => `${f2(x)}×`).join(', ')}`];
}

function table(rows: RowResult[], withOrigin: boolean): string[] {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'of which GC', ...(withOrigin ? ['upstreams CPU µs/req'] : []), 'errors + non-2xx'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    if (!r.median) {
      lines.push(`| ${r.name} | skipped: ${r.skipped ?? 'no result'} |${' |'.repeat(head.length - 2)}`);
      continue;
    }
    const m = r.median;
    lines.push(
      `| ${r.name} | ${f0(m.requestsPerSecond)} | ${f1(m.p50Ms)} | ${f1(m.p99Ms)} | ${f1(m.cpuMicrosPerRequest)} | ${f1(m.gcMicrosPerRequest)} | ${withOrigin ? `${f1(m.originCpuMicrosPerRequest)} | ` : ''}${f0(m.errors + m.non2xx)} |`,
    );
  }
  return lines;
}

export function renderMarkdown(r: BenchResults): string {
  const s = r.settings;
  const cpu = (n: string): number | undefined => row(r.rows, n)?.cpuMicrosPerRequest;
  const ratioLine = (name: string, base: string): string =>
    `| ${name} | ${f2(ratio(cpu(name), cpu('http-proxy-3')))}× | ${f2(ratio(cpu(name), cpu('strangler-legacy')))}× | ${f2(ratio(cpu(name), cpu(base)))}× |`;
  const out: string[] = [
    '# Proxy benchmark results',
    '',
    `Written by \`npm run bench${r.quick ? ' -- --quick' : ''}\` at ${r.finishedAt}.${r.quick ? ' **Quick run (dev only): short runs, one round; do not quote these numbers.**' : ''}`,
    '',
    '## Machine',
    '',
    ...machineLines(r.machine),
    `- Load: 1-min load average ${f2(r.load.load1Start)} at start, ${f2(r.load.load1End)} at the end; over the ${r.load.wallSeconds} s run the bench used ${f1(r.load.benchPercent)}% of all cores and other processes on the machine ${f1(r.load.othersPercent)}% (hypervisor steal: ${f1(r.load.stealPercent)}%).`,
    `- Settings: autocannon ${s.connections} connections, ${s.durationSeconds} s per target after a ${s.warmupSeconds} s warm-up, ${s.rounds} round${s.rounds > 1 ? 's' : ''} interleaved; figures are medians over rounds. Origin answers ~2 KB JSON. Each target runs in its own process; its CPU time is read before and after each run (after it went idle, so deferred shadow work counts). strangler logs at \`${s.logLevel}\` (one JSON line per request at info, to /dev/null). ${s.v8Flags.length ? `Every Node process of the bench (targets and origins) runs with the V8 flags strangler serves with: \`${s.v8Flags.join(' ')}\` (proxy/runtime.ts).` : 'Node processes on V8 defaults (STRANGLER_V8_DEFAULTS=on).'}${s.pinned ? ` Proxies pinned to CPU ${s.pinned}; the load generator and the origins to the other CPUs (\`--pin\`), so a proxy never shares its core with the load it is measured under.` : ''}`,
    '',
  ];
  // --skip-main: the slow-candidate and memory runs alone
  if (r.rows.length) out.push(
    '## Side by side',
    '',
    ...table(r.rows, true),
    '',
    '"CPU µs/req" is the measured process only (the load generator and the origins share the same cores, so req/s and latency depend on them; CPU per request depends least on them). "upstreams CPU" is the origins process (origin + candidate): it grows in shadow modes because the candidate answers too.',
    '',
    '## Ratios (CPU µs per request)',
    '',
    '| target | vs http-proxy-3 | vs strangler legacy | vs own base |',
    '|---|---:|---:|---:|',
    ratioLine('http-proxy-3-again', 'http-proxy-3'),
    ratioLine('undici-forwarder', 'http-proxy-3'),
    ratioLine('strangler-legacy', 'http-proxy-3'),
    ratioLine('strangler-shadow', 'strangler-legacy'),
    ratioLine('nginx', 'nginx'),
    ratioLine('nginx-mirror', 'nginx'),
    '',
    '"own base": strangler-shadow vs strangler-legacy, nginx-mirror vs nginx (what shadow copies cost on top of plain proxying). http-proxy-3-again is the peer measured a second time (A/A): how far apart two runs of the same code land here, i.e. the noise in every ratio above.',
    '',
    ...perRound(r.rows, 'strangler-legacy', 'http-proxy-3'),
    ...perRound(r.rows, 'http-proxy-3-again', 'http-proxy-3'),
    '',
  );
  const copyRows = r.rows.filter((x) => x.copies);
  if (copyRows.length) {
    out.push('Shadow copies seen by the candidate during the measured runs:', '');
    for (const x of copyRows) out.push(`- ${x.name}: ${copiesLine(x)}`);
    out.push('');
  }
  // --skip-slow, --skip-memory: their sections are left out, not printed as empty tables
  if (r.slow.length) out.push(`## Slow candidate (candidate answers 300 ms late; ${r.settings.slowRounds} rounds, medians)`, '', 'autocannon, as fast as the proxy answers (the issue\'s settings; the target is judged on this table). p50/p99 are taken from the latency autocannon measures for each response, unrounded: its own histogram keeps whole milliseconds, too coarse for a 10% limit on a p99 of a few ms.', '', ...table(r.slow, false), '', ...perRound(r.slow, 'strangler-shadow-slow', 'strangler-legacy', 'p99Ms', 'client p99'), '');
  for (const v of SLOW_VARIANTS) {
    if (r.slow.some((row) => row.name === v.name && row.rounds.length)) {
      out.push(...perRound(r.slow, v.name, 'strangler-legacy', 'p99Ms', `client p99 (shadowThread: ${v.setting})`), '');
    }
  }
  // the diagnostic second pair (--only …-b): the A/A of the legacy side, and the pair again (A/B with --node-flags)
  // and the pair in a proxy that also serves a route migrated to a second service (--only …-2up)
  const second = [
    ...perRound(r.slow, 'strangler-legacy-b', 'strangler-legacy', 'p99Ms', 'client p99'),
    ...perRound(r.slow, 'strangler-shadow-slow-b', 'strangler-legacy-b', 'p99Ms', 'client p99'),
    ...perRound(r.slow, 'strangler-legacy-2up', 'strangler-legacy', 'p99Ms', 'client p99'),
    ...perRound(r.slow, 'strangler-shadow-slow-2up', 'strangler-legacy-2up', 'p99Ms', 'client p99'),
    ...perRound(r.slow, 'strangler-shadow-slow-fixed', 'strangler-legacy', 'p99Ms', 'client p99'),
  ];
  if (second.length) out.push(...second, '');
  const slowCopyRows = r.slow.filter((row) => row.copies);
  if (slowCopyRows.length) {
    out.push('Copies the slow candidate received over the measured runs:', '');
    for (const x of slowCopyRows) out.push(`- ${x.name}: ${copiesLine(x)}`);
    out.push('');
  }
  if (r.slowPaced) {
    out.push(
      `The same pair at a fixed ${f0(r.slowPaced.rate)} req/s (open loop, \`bench/lib/paced.ts\`: latency from when each request was due, microsecond resolution; no target, shown because a saturated run mostly measures throughput):`,
      '',
      ...table(r.slowPaced.rows, false),
      '',
      ...perRound(r.slowPaced.rows, 'strangler-shadow-slow', 'strangler-legacy', 'p99Ms', 'client p99'),
      '',
    );
  }
  if (r.memory.length) out.push(
    `## Memory (${r.memorySettings.connections} connections, ${f0(r.memorySettings.bodyBytes / 1000)} KB responses, ${r.memorySettings.durationSeconds} s, fresh process)`,
    '',
    '| target | peak RSS MiB | req/s | p99 ms | errors + non-2xx | copies to the candidate |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const m of r.memory) {
    if (m.skipped || !m.result) out.push(`| ${m.name} | skipped: ${m.skipped ?? 'no result'} | | | | |`);
    else {
      const copies = m.name.includes('shadow') ? f0(m.result.upstreamCounters?.['candidate.requests']) : '–';
      out.push(`| ${m.name} | ${f0(m.peakRssMiB)} | ${f0(m.result.requestsPerSecond)} | ${f1(m.result.p99Ms)} | ${f0(m.result.errors + m.result.non2xx)} | ${copies} |`);
    }
  }
  if (r.memory.length) out.push('');
  out.push('## Targets (issue 8)', '', '| target | measured | limit | met |', '|---|---|---|---|');
  for (const c of r.checks) out.push(`| ${c.name} | ${c.measured} | ${c.limit} | ${c.met === undefined ? 'not measured' : c.met ? 'yes' : '**no**'} |`);
  if (r.notes.length) out.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  out.push('', '## Targets measured', '', ...r.rows.map((x) => `- **${x.name}**: ${x.what}`), '');
  return out.join('\n');
}

/** "N copies for M requests (share) over C new connections": the share below 100% is what the cap dropped. */
function copiesLine(row: RowResult): string {
  const requests = row.rounds.reduce((n, x) => n + x.requests, 0);
  const share = requests > 0 && row.copies ? ` (${((100 * row.copies.requests) / requests).toFixed(1)}% of the ${f0(requests)} requests)` : '';
  return `${f0(row.copies?.requests)} copies${share} over ${f0(row.copies?.connections)} new connections`;
}

// Summarizes a V8 .cpuprofile (from `npm run bench -- --profile <target>`): self time by function
// and by package/file, so a hot path can be read without opening DevTools.
// usage: tsx bench/profile-summary.ts <file.cpuprofile> [--top 25] [--callers <functionName>]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, callers: { type: 'string' } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--callers <functionName>]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile;
const top = Number(values.top);

const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

function where(url: string): string {
  if (!url) return '(native/V8)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const repo = url.indexOf('/main/');
  return repo >= 0 ? url.slice(repo + 6) : url;
}

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const node of profile.nodes) {
  const t = selfMicros.get(node.id) ?? 0;
  if (!t) continue;
  const f = node.callFrame;
  const place = where(f.url);
  const file = f.url.includes('/node_modules/') ? f.url.slice(f.url.lastIndexOf('/node_modules/') + 14) : place;
  const key = `${f.functionName || '(anonymous)'}  ${file}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + t);
  byPlace.set(place, (byPlace.get(place) ?? 0) + t);
}

// idle time is the process waiting for I/O, not work: percentages are of the busy time
const idle = [...byFunction].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, t]) => a + t, 0);
const busy = total - idle;

const pct = (t: number): string => `${((t / busy) * 100).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>): void => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(t)}  ${k}\n`);
};
byFunction.delete([...byFunction.keys()].find((k) => k.startsWith('(idle)')) ?? '');
byPlace.set('(native/V8)', (byPlace.get('(native/V8)') ?? 0) - idle);
process.stdout.write(`sampled ${(total / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s; percentages are of busy time\n`);
print('self time by package / file', byPlace);
print('self time by function', byFunction);

if (values.callers) {
  // who calls a hot function: its self time attributed to each chain of its 4 nearest callers
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node);
  const chains = new Map<string, number>();
  for (const node of profile.nodes) {
    if (node.callFrame.functionName !== values.callers) continue;
    const t = selfMicros.get(node.id) ?? 0;
    if (!t) continue;
    const names: string[] = [];
    for (let p = parent.get(node.id); p && names.length < 4; p = parent.get(p.id)) {
      names.push(`${p.callFrame.functionName || '(anonymous)'}@${where(p.callFrame.url)}`);
    }
    const key = names.join(' < ');
    chains.set(key, (chains.get(key) ?? 0) + t);
  }
  print(`callers of ${values.callers}`, chains);
}

// Which inline-cache sites went megamorphic in one process and not in another: reads two V8 logs written with
// `--log-ic` (e.g. strangler in legacy mode and in shadow mode, started by the bench with
// `--node-flags "strangler-legacy=--log-ic --logfile=/tmp/legacy.log --no-logfile-per-isolate"` and the same for the
// other target) and lists the property loads and stores that reached V8's megamorphic state only in the second,
// with the function they are in (its code object) and the key. A site in node's own stream, socket or event code that
// turns megamorphic serves every request more slowly from then on, and never goes back (docs/benchmarks.md, session 14).
//
//   npx tsx bench/ic-sites.ts /tmp/legacy.log /tmp/shadow.log
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const IC_KINDS = new Set(['LoadIC', 'KeyedLoadIC', 'StoreIC', 'KeyedStoreIC']);

/** Code objects by start address, kept sorted, for finding the one an IC event's pc is in. */
class CodeMap {
  private starts: number[] = [];
  private readonly code = new Map<number, { size: number; name: string }>();

  add(start: number, size: number, name: string): void {
    if (!this.code.has(start)) this.starts.splice(this.upper(start), 0, start);
    this.code.set(start, { size, name });
  }

  move(from: number, to: number): void {
    const entry = this.code.get(from);
    if (!entry) return;
    this.code.delete(from);
    this.starts.splice(this.upper(from) - 1, 1);
    this.add(to, entry.size, entry.name);
  }

  nameAt(pc: number): string {
    const i = this.upper(pc) - 1;
    if (i < 0) return '?';
    const start = this.starts[i];
    const entry = this.code.get(start)!;
    return pc < start + entry.size + 64 ? entry.name : '?';
  }

  /** index of the first start above x */
  private upper(x: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

interface Site {
  kind: string;
  fn: string;
  position: string;
  keys: Set<string>;
}

/** Megamorphic sites of one log, by function, position and kind. */
async function megamorphicSites(file: string): Promise<Map<string, Site>> {
  const code = new CodeMap();
  const sites = new Map<string, Site>();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const f = line.split(',');
    if (f[0] === 'code-creation' && f.length > 6) {
      code.add(Number.parseInt(f[4], 16), Number(f[5]), f[6].trim());
    } else if (f[0] === 'code-move') {
      code.move(Number.parseInt(f[1], 16), Number.parseInt(f[2], 16));
    } else if (IC_KINDS.has(f[0]) && f.length > 8 && f[6] === 'N') {
      // kind, pc, time, line, column, old state, new state, map, key, …
      const fn = code.nameAt(Number.parseInt(f[1], 16));
      const id = `${f[0]} ${fn} ${f[3]}:${f[4]}`;
      const site = sites.get(id) ?? { kind: f[0], fn, position: `${f[3]}:${f[4]}`, keys: new Set<string>() };
      if (site.keys.size < 4) site.keys.add(f[8]);
      sites.set(id, site);
    }
  }
  return sites;
}

const [baseFile, otherFile] = process.argv.slice(2);
if (!baseFile || !otherFile) {
  console.error('usage: npx tsx bench/ic-sites.ts <base.log> <other.log>   (V8 logs written with --log-ic)');
  process.exit(2);
}
const [base, other] = await Promise.all([megamorphicSites(baseFile), megamorphicSites(otherFile)]);
const only = [...other].filter(([id]) => !base.has(id)).map(([, s]) => s);
const lines = [
  `megamorphic sites: ${base.size} in ${baseFile}, ${other.size} in ${otherFile}; ${only.length} only in the second, ${[...base.keys()].filter((id) => !other.has(id)).length} only in the first`,
  ...only
    .sort((a, b) => a.fn.localeCompare(b.fn) || a.position.localeCompare(b.position))
    .map((s) => `${s.kind.padEnd(12)} ${s.fn.slice(0, 80)}  at ${s.position}  keys: ${[...s.keys].join(', ')}`),
];
process.stdout.on('error', () => process.exit(0)); // a pager or head that stops reading early
process.stdout.write(lines.join('\n') + '\n');

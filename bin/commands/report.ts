// `strangler report`: render the diff store as HTML, Markdown, JSON or JUnit, gate CI on match
// rates (--fail-under) and turn learned noise into config rules (--suggest-rules).
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { integerFlag, pathFlag, percentFlag, ratioFlag } from './flags.ts';
import { sameFile } from '../../common/same-file.ts';
import { UserError } from '../../common/user-error.ts';
import type { DiffStore } from '../../proxy/store.ts';
import { mergeReaders, type DiffReader } from '../../proxy/store/merge.ts';
import type { ReportData } from '../../proxy/report/index.ts';

const FORMATS = ['html', 'md', 'json', 'junit'] as const;
type Format = (typeof FORMATS)[number];
const BY_EXTENSION: Record<string, Format> = { '.html': 'html', '.htm': 'html', '.md': 'md', '.json': 'json', '.xml': 'junit' };

interface ReportFlags {
  /** one per proxy instance (each keeps its own SQLite file): read as one */
  store?: string[];
  format?: Format;
  out?: string;
  minSamples: number;
  readyAt: number;
  maxP99Ratio?: number;
  service?: string[];
  owner?: string[];
  samples: number;
  failUnder?: number;
  suggestRules?: boolean;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Render the shadow diff store as a team report (HTML, Markdown, JSON, JUnit) and gate CI on it.')
    .option('--store <file>', 'diff store written by the proxy (default data/diffs.sqlite); repeat it for the stores of several proxy instances, reported as one', collect, undefined)
    .addOption(new Option('--format <format>', 'output format (default: from --out extension, else md)').choices(FORMATS))
    .option('--out <file>', 'write the report to this file instead of stdout', pathFlag('--out', 'a file'))
    .option('--min-samples <n>', 'compared requests a route needs before it can be READY', integerFlag('--min-samples', 1), 500)
    .option('--ready-at <pct>', 'match rate after noise a route needs to be READY', percentFlag('--ready-at'), 99.9)
    .option('--max-p99-ratio <x>', "a route whose candidate p99 is above x times the monolith's is NOT READY (off by default)", ratioFlag('--max-p99-ratio', 1))
    .option('--service <name>', "only this service's routes (repeat for several): a team's own gate", collect, undefined)
    .option('--owner <team>', "only this owner's routes (repeat for several; routes without one: '(no owner)')", collect, undefined)
    .option('--samples <n>', 'samples shown per mismatch group', integerFlag('--samples', 0), 3)
    .option('--fail-under <pct>', 'exit 1 when any route in shadow mode matches below this rate, or nothing was compared at all', percentFlag('--fail-under'))
    .option('--suggest-rules', 'print compare.ignore / unordered rules per route from the learned noise (JSON) instead of the report; the report still goes to --out')
    .action(async (flags: ReportFlags) => {
      if (flags.suggestRules && flags.format && !flags.out) {
        throw new UserError(`--suggest-rules prints the rules on stdout in place of the report, so --format ${flags.format} has nothing to format; add --out <file> for the report, or drop --format`);
      }
      if (flags.out) checkOutFile(flags.out);
      const paths = [...new Set(flags.store ?? [DEFAULT_STORE])];
      for (const path of paths) {
        if (!existsSync(path)) throw new UserError(`diff store ${path} not found; run the proxy with routes in shadow mode first, or pass --store <file>`);
        // `--out data/diffs.sqlite` (a slip of tab completion) would replace every comparison with a page
        if (flags.out && sameFile(flags.out, path)) throw new UserError(`--out ${flags.out} is the diff store ${path}; writing the report there would destroy it, pass another file`);
      }
      // an unknown extension (rep.txt) is Markdown, as without --out: text a person reads, not a page
      const format = flags.format ?? (flags.out ? BY_EXTENSION[extname(flags.out).toLowerCase()] ?? 'md' : 'md');
      // imported here, not at the top: the other verbs and --help do not load the store and the renderers
      const [{ openStore }, { formatPercent, queryReport, renderHtml, renderJson, renderJunit, renderMarkdown, suggestRules }] = await Promise.all([
        import('../../proxy/store.ts'),
        import('../../proxy/report/index.ts'),
      ]);
      const render: Record<Format, (data: ReportData) => string> = { html: renderHtml, md: renderMarkdown, json: renderJson, junit: renderJunit };
      const stores: DiffStore[] = [];
      let data: ReportData;
      try {
        for (const path of paths) stores.push(openStore(path, { readonly: true }));
        const store = stores.length === 1 ? stores[0] : merged(stores);
        data = queryReport(store, {
          minSamples: flags.minSamples,
          readyAt: flags.readyAt,
          maxP99Ratio: flags.maxP99Ratio,
          samplesPerGroup: flags.samples,
          services: flags.service,
          owners: flags.owner,
        });
        if ((flags.service || flags.owner) && data.totals.routes === 0) throw new UserError(noneSelected(store, paths, flags));
      } finally {
        for (const s of stores) s.close();
      }

      const rendered = render[format](data);
      if (flags.out) {
        mkdirSync(dirname(flags.out), { recursive: true });
        writeFileSync(flags.out, rendered);
        const t = data.totals;
        process.stderr.write(`strangler: wrote ${flags.out} (${format}; ${t.routes} routes: ${t.ready} ready, ${t.notReady} not ready, ${t.notEnoughData} not enough data)\n`);
      } else if (!flags.suggestRules) {
        process.stdout.write(rendered);
      }
      if (flags.suggestRules) {
        process.stdout.write(`${JSON.stringify({ routes: suggestRules(data) }, null, 2)}\n`);
      }

      if (flags.failUnder !== undefined) gate(data, flags.failUnder, formatPercent);
    });
}

const storePath = pathFlag('--store', 'a diff store');

/**
 * --out is checked before the stores are read: a folder, a path under a regular file or another option taken as its
 * value (`--out --suggest-rules`) would otherwise end in node's EISDIR / EEXIST, or a file named like an option.
 */
function checkOutFile(out: string): void {
  if (out.startsWith('--')) {
    throw new UserError(`--out ${out} looks like an option, not a file; give --out a file (write ./${out} if you mean a file of that name)`);
  }
  if (existsSync(out) && statSync(out).isDirectory()) throw new UserError(`--out ${out} is a folder; pass a file in it, e.g. ${join(out, 'diffs.html')}`);
  for (let dir = dirname(out); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new UserError(`--out ${out}: ${dir} is a file, not a folder; pass a path in a folder`);
      return;
    }
    if (dirname(dir) === dir) return;
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), storePath(value)];
}

const DEFAULT_STORE = 'data/diffs.sqlite';

/**
 * Several stores (one per proxy instance) read as one. A route started over on some instances only (or at different
 * times) mixes counts from before and after: said on stderr, since the report's "counted since" is then only partly true.
 */
function merged(stores: DiffStore[]): DiffReader {
  const reader = mergeReaders(stores);
  const when = (t: number | undefined) => (t === undefined ? 'never' : new Date(t).toISOString());
  for (const u of reader.uneven) {
    const each = u.startedOverAt.map((t, i) => `${stores[i]?.path ?? '?'}: ${when(t)}`).join(', ');
    process.stderr.write(`strangler: ${u.routeId} was not started over on every instance at the same time (${each}); its counts mix comparisons from before and after\n`);
  }
  return reader;
}

/** --service / --owner matching no route: what the store does hold, so a typo in a CI job is one line to fix. */
function noneSelected(store: DiffReader, paths: string[], flags: ReportFlags): string {
  const routes = store.readRoutes();
  const list = (values: Iterable<string>) => [...new Set(values)].sort().join(', ') || 'none';
  const asked = [flags.service && `--service ${flags.service.join(', ')}`, flags.owner && `--owner ${flags.owner.join(', ')}`].filter(Boolean).join(' and ');
  return `${asked} matches no route in ${paths.join(', ')} (services: ${list(routes.map((r) => r.service))}; owners: ${list(routes.map((r) => r.owner ?? '(no owner)'))})`;
}

/** Exit 1 (through UserError) naming every shadow route below the bar, or when nothing was compared at all. */
function gate(data: ReportData, failUnder: number, formatPercent: (rate: number | undefined) => string): void {
  // a store the proxy never compared into (wrong --store, no traffic shadowed, a candidate that only failed)
  // must not pass a CI gate
  if (data.totals.compared === 0) throw new UserError(`--fail-under ${failUnder}%: ${nothingCompared(data)}; check --store and that the proxy shadowed traffic`, 1);
  const routes = data.teams.flatMap((t) => t.services.flatMap((s) => s.routes)).filter((r) => r.mode === 'shadow');
  const below = routes.filter((r) => r.matchRate !== undefined && r.matchRate < failUnder);
  const unmeasured = routes.filter((r) => r.matchRate === undefined);
  for (const r of unmeasured) process.stderr.write(`strangler: ${r.routeId} is in shadow mode but nothing was compared yet (not gated)\n`);
  if (below.length > 0) {
    const list = below.map((r) => `${r.routeId} ${formatPercent(r.matchRate)}`).join(', ');
    throw new UserError(`--fail-under ${failUnder}%: ${below.length} shadow route${below.length === 1 ? '' : 's'} below: ${list}`, 1);
  }
}

function nothingCompared(data: ReportData): string {
  const routes = data.teams.flatMap((t) => t.services.flatMap((s) => s.routes));
  if (routes.length === 0) return 'nothing was compared (the diff store holds no routes)';
  const errors = routes.reduce((n, r) => n + r.errors.total, 0);
  const where = routes.length === 1 ? `its only route ${routes[0].routeId}` : `any of its ${routes.length} routes`;
  return `nothing was compared on ${where}${errors > 0 ? ` (${errors} candidate error${errors === 1 ? '' : 's'})` : ''}`;
}

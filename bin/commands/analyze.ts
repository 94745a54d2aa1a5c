// `strangler analyze <root>`: read a monolith's source, propose services, write the plan, the proxy config and
// the reports. All the work is in analyzer/; this file is flags, files and the terminal.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { integerFlag, pathFlag } from './flags.ts';
import { rootLabel } from './root-label.ts';
import { UserError } from '../../common/user-error.ts';
import { prepareOutDir, writeProxyConfig } from '../../analyzer/output.ts';
import { jsonVisible } from '../../analyzer/quote.ts';

// ts-morph and the Graphviz wasm are heavy: load them when `analyze` runs, not whenever the CLI starts.
const analyzer = () => import('../../analyzer/index.ts');
const extractor = () => import('../../analyzer/extract/index.ts');
const reports = async () => ({
  ...(await import('../../analyzer/report/markdown.ts')),
  ...(await import('../../analyzer/report/html.ts')),
  ...(await import('../../analyzer/report/summary.ts')),
});

interface AnalyzeFlags {
  out: string;
  services?: number;
  pin: string[];
  pins?: string;
  reference?: string;
  json?: boolean;
  factsOnly?: boolean;
  includeTests?: boolean;
  includeMinified?: boolean;
  migration: string[];
  notMigration: string[];
  maxFileBytes?: number;
  seed?: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A repeatable glob flag: an empty value (`--migration "$GLOB"` with GLOB unset) is refused, not taken for the root. */
const collectGlob = (flag: string) => {
  const glob = pathFlag(flag, 'a file or glob relative to the analysed root');
  return (value: string, previous: string[]): string[] => [...previous, glob(value)];
};

/** A one-line progress bar on stderr, only on a terminal (CI logs get no carriage-return noise). */
function progressBar(): { update: (done: number, total: number, phase?: string) => void; end: () => void } | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  let shown = false;
  return {
    update(done, total, phase) {
      shown = true;
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      const label = phase === 'analyze' ? 'analysing files' : 'reading files  ';
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}   `);
    },
    end() {
      if (shown) process.stderr.write('\n');
      shown = false;
    },
  };
}

/** JSON as written to files and to the terminal with --json: names from the analysed code may hold bidi or C1 controls. */
const toJson = (value: unknown): string => `${jsonVisible(JSON.stringify(value, null, 2))}\n`;

export function register(program: Command): void {
  program
    .command('analyze')
    .description('Propose candidate services for a monolith and write plan.json, strangler.config.json, report.md, report.html and facts.json.')
    .argument('<root>', 'folder holding the monolith source (TypeScript or JavaScript)', pathFlag('<root>', 'the folder that holds the monolith\'s source'))
    .option('--out <dir>', 'where to write the plan, config and reports', pathFlag('--out', 'a folder'), 'out')
    .option('--services <n>', 'wanted number of services (searches the clustering resolution)', integerFlag('--services', 1))
    .option('--pin <glob=service>', 'fix files to a service before clustering; repeatable', collect, [])
    .option('--pins <file>', 'pins file (default <root>/strangler.pins.json when present)', pathFlag('--pins', 'a pins file'))
    .option('--reference <file>', 'reference decomposition (JSON file → context) to score with MoJoFM', pathFlag('--reference', 'a JSON file'))
    .option('--json', 'print the plan (or, with --facts-only, the facts) as JSON instead of the summary')
    .option('--facts-only', 'only extract the facts (writes facts.json alone)')
    .option('--include-tests', 'also analyse test files')
    .option('--include-minified', 'also analyse JavaScript files that look minified or bundled (skipped by default)')
    .option('--migration <glob>', 'files that are database migrations or seeds whatever the detector says: set aside from the services; repeatable', collectGlob('--migration'), [])
    .option('--not-migration <glob>', 'files the detector takes for migrations or seeds that are app code: kept in the services; repeatable, wins over --migration', collectGlob('--not-migration'), [])
    .option('--max-file-bytes <n>', 'skip files larger than this (default 1 MB)', integerFlag('--max-file-bytes', 1))
    .option('--seed <n>', 'seed of the clustering (default 42)', integerFlag('--seed', 0))
    .action(async (root: string, flags: AnalyzeFlags) => {
      if (!existsSync(root) || !statSync(root).isDirectory()) {
        throw new UserError(`${root} is not a folder; pass the folder that holds the monolith's source`);
      }
      // before the long work: a bad --out is one line now, not an ENOTDIR after minutes of analysis
      const undoOut = prepareOutDir(flags.out);
      try {
        await run(root, flags);
      } catch (err) {
        undoOut(); // a failed run leaves no empty folder it made behind
        throw err;
      }
    });
}

async function run(root: string, flags: AnalyzeFlags): Promise<void> {
  const { parsePinFlags } = await import('../../analyzer/pins.ts'); // zod: not loaded by the other verbs
  const pins = parsePinFlags(flags.pin);
  const bar = progressBar();
  const extractOptions = { includeTests: flags.includeTests, includeMinified: flags.includeMinified, migrations: flags.migration, notMigrations: flags.notMigration, maxFileBytes: flags.maxFileBytes, onProgress: bar?.update };

  if (flags.factsOnly) {
    const { extractFacts } = await extractor();
    const { formatFactsSummary } = await reports();
    const facts = await extractFacts(root, extractOptions).finally(() => bar?.end());
    const path = join(flags.out, 'facts.json');
    writeFileSync(path, toJson(facts));
    process.stdout.write(flags.json ? toJson(facts) : `${formatFactsSummary(rootLabel(root), facts, path)}\n`);
    return;
  }

  const { analyze, toProxyConfig } = await analyzer();
  const { renderMarkdown, renderHtmlReport, formatSummary } = await reports();
  const { facts, plan } = await analyze(root, {
    ...extractOptions,
    services: flags.services,
    seed: flags.seed,
    pins,
    pinsFile: flags.pins,
    reference: flags.reference,
    rootLabel: rootLabel(root),
  }).finally(() => bar?.end());

  const write = (name: string, content: string): string => {
    const path = join(flags.out, name);
    writeFileSync(path, content);
    return path;
  };
  const planPath = write('plan.json', toJson(plan));
  // a strangler.config.json edited by hand is kept; this run's then goes to strangler.config.new.json
  const config = writeProxyConfig(flags.out, toJson(toProxyConfig(plan)));
  if (config.notice) process.stderr.write(`strangler: ${config.notice}\n`);
  const written = [
    planPath,
    config.path,
    write('report.md', renderMarkdown(plan)),
    write('report.html', await renderHtmlReport(plan)),
    write('facts.json', toJson(facts)),
  ];
  process.stdout.write(flags.json ? toJson(plan) : `${formatSummary(plan, written, flags.reference)}\n`);
}

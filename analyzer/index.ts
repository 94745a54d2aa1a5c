// The analyzer's library API: facts → graph → cut → metrics → plan. The CLI (`strangler analyze`) is a thin shell
// around `analyze`; `planFromFacts` (analyzer/pipeline.ts) is the pure part, usable on facts from anywhere.
import { extractFacts } from './extract/index.ts';
import type { ExtractOptions, Facts } from './extract/types.ts';
import { defaultPinsPath, readPinsFile, type Pin } from './pins.ts';
import { loadReference, planFromFacts, type PlanOptions } from './pipeline.ts';
import type { Plan } from './plan.ts';

export type { Plan } from './plan.ts';
export type { Facts } from './extract/types.ts';
export { planFromFacts, loadReference, type PlanOptions } from './pipeline.ts';
export { toProxyConfig } from './plan.ts';

export interface AnalyzeOptions extends ExtractOptions, Omit<PlanOptions, 'pins' | 'reference' | 'rootLabel'> {
  /** pins from flags; they win over the pins file (the first pin matching a file wins) */
  pins?: Pin[];
  /** a pins file; default `<root>/strangler.pins.json` when it exists. `false` ignores pins files. */
  pinsFile?: string | false;
  /** reference decomposition: path of a JSON file `{ "<file>": "<context>" }`, or the mapping itself */
  reference?: string | Record<string, string>;
  /** how the plan names the analysed root (default: the absolute path the extractor reports) */
  rootLabel?: string;
}

export interface AnalyzeResult {
  facts: Facts;
  plan: Plan;
}

export async function analyze(root: string, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  // read the small user inputs first: a typo in a flag should fail before a long extraction
  const reference = options.reference === undefined ? undefined : loadReference(options.reference);
  const filePins = options.pinsFile === false ? [] : readPinsFile(options.pinsFile ?? defaultPinsPath(root), options.pinsFile !== undefined);
  const facts = await extractFacts(root, {
    includeTests: options.includeTests,
    maxFileBytes: options.maxFileBytes,
    includeMinified: options.includeMinified,
    migrations: options.migrations,
    notMigrations: options.notMigrations,
    onProgress: options.onProgress,
  });
  const { includeTests: _i, maxFileBytes: _m, includeMinified: _n, migrations: _g, notMigrations: _ng, onProgress: _p, pinsFile: _f, ...planOptions } = options;
  const referenceLabel = options.referenceLabel ?? (typeof options.reference === 'string' ? options.reference : undefined);
  const plan = planFromFacts(facts, { ...planOptions, pins: [...(options.pins ?? []), ...filePins], reference, referenceLabel });
  return { facts, plan };
}

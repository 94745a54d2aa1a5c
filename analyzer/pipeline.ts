// The pure half of the analyzer: facts → graph → cut → metrics → plan. No I/O except reading a reference file.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseJsonText } from '../common/json-text.ts';
import { UserError } from '../common/user-error.ts';
import type { Facts } from './extract/types.ts';
import { decompose, DEFAULT_DECOMPOSE, KERNEL, type Decomposition } from './decompose.ts';
import { buildFileGraph, DEFAULT_WEIGHTS, type FileGraph, type GraphWeights } from './graph.ts';
import { measure, mojoFM, type MetricSet, type MoJoResult } from './metrics.ts';
import { withoutMigrations } from './migrations.ts';
import { resolvePins, type Pin } from './pins.ts';
import { buildPlan, type Plan } from './plan.ts';

export interface PlanOptions {
  services?: number;
  seed?: number;
  resolution?: number;
  minServiceFiles?: number;
  kernelMinServices?: number;
  weights?: Partial<GraphWeights>;
  pins?: Pin[];
  /** reference decomposition, file → context, scored with MoJoFM */
  reference?: Record<string, string>;
  /** how the plan names the analysed root (default: facts.root); the CLI passes its path from the working directory, or the absolute path for a root outside it (bin/commands/root-label.ts) */
  rootLabel?: string;
  /** how errors name the reference (the CLI passes the file it was read from) */
  referenceLabel?: string;
}

/**
 * Pure: the same facts and options give a byte-identical plan. Migrations and seeds are set aside first
 * (migrations.ts): the graph, the cut and the metrics see the code without them.
 */
export function planFromFacts(facts: Facts, options: PlanOptions = {}): Plan {
  const weights: GraphWeights = { ...DEFAULT_WEIGHTS, ...options.weights };
  const code = withoutMigrations(facts);
  const aside = setAside(facts);
  const fileGraph = buildFileGraph(code, weights);
  const pins = options.pins ?? [];
  const settings = {
    seed: options.seed ?? DEFAULT_DECOMPOSE.seed,
    resolution: options.resolution ?? DEFAULT_DECOMPOSE.resolution,
    minServiceFiles: options.minServiceFiles ?? DEFAULT_DECOMPOSE.minServiceFiles,
    kernelMinServices: options.kernelMinServices ?? DEFAULT_DECOMPOSE.kernelMinServices,
    ...(options.services !== undefined ? { services: options.services } : {}),
  };
  const pinned = resolvePins(pins, fileGraph.files, aside);
  if (options.reference) checkReferenceOverlap(options.reference, fileGraph.files, options.referenceLabel ?? 'the reference decomposition', options.rootLabel ?? facts.root);
  const cut = decompose(code, fileGraph, { ...settings, pins: pinned });
  const reference = options.reference ? scoredReference(options.reference, aside) : undefined;
  const metrics: { proposed: MetricSet; unpinned?: MetricSet; reference?: MoJoResult; unpinnedReference?: MoJoResult } = {
    proposed: measureCut(code, fileGraph, cut),
    ...(reference ? { reference: mojoFM(withKernel(cut), reference) } : {}),
  };
  if (pinned.size > 0) {
    const unpinned = decompose(code, fileGraph, settings);
    metrics.unpinned = measureCut(code, fileGraph, unpinned);
    if (reference) metrics.unpinnedReference = mojoFM(withKernel(unpinned), reference);
  }
  return buildPlan({
    root: options.rootLabel ?? facts.root,
    facts,
    fileGraph,
    decomposition: cut,
    metrics,
    options: { ...settings, resolution: cut.resolution, weights: { ...weights }, pins },
  });
}

function setAside(facts: Facts): string[] {
  return (facts.migrations ?? []).map((m) => m.file);
}

/** The reference's migration files are left out of the score: the cut places none, and they were analysed. */
function scoredReference(reference: Record<string, string>, aside: readonly string[]): Map<string, string> {
  const out = new Map(Object.entries(reference));
  for (const file of aside) out.delete(file);
  return out;
}

function measureCut(facts: Facts, fileGraph: FileGraph, cut: Decomposition): MetricSet {
  return measure({
    dependencies: fileGraph.dependencies,
    clustering: fileGraph.clusteringEdges,
    partition: cut.assignment,
    writes: facts.tables.filter((t) => t.access === 'write'),
  });
}

/** For MoJoFM the shared kernel is one more cluster: a reference usually has a "shared" context for the same files. */
function withKernel(cut: Decomposition): Map<string, string> {
  const out = new Map(cut.assignment);
  for (const k of cut.kernel) out.set(k.file, KERNEL);
  return out;
}

/**
 * A reference none of whose paths is an analysed file would score a meaningless "100.0 (0 files)": refuse it,
 * showing a path it holds beside the analysed path it most likely meant (the usual mistake is a prefix).
 */
export function checkReferenceOverlap(reference: Record<string, string>, files: readonly string[], label: string, root: string): void {
  const keys = Object.keys(reference);
  const known = new Set(files);
  if (keys.length === 0 || files.length === 0 || keys.some((k) => known.has(k))) return;
  const got = keys.find((k) => files.some((f) => k.endsWith(`/${f}`))) ?? keys[0];
  const expected = files.find((f) => got.endsWith(`/${f}`)) ?? files[0];
  throw new UserError(
    `reference file ${label} names none of the ${files.length} analysed files: its paths must be relative to ${root} (expected keys like "${expected}", got "${got}")`,
  );
}

const referenceSchema = z.record(z.string(), z.string());

export function loadReference(reference: string | Record<string, string>): Record<string, string> {
  if (typeof reference !== 'string') return reference;
  if (!existsSync(reference)) throw new UserError(`reference file ${reference} does not exist; pass a JSON file mapping file → context`);
  let raw: unknown;
  try {
    raw = parseJsonText(readFileSync(reference, 'utf8'));
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw new UserError(`reference file ${reference} cannot be read (${(err as Error).message}); pass a JSON file mapping file → context`);
    throw new UserError(`reference file ${reference} is not valid JSON (${err.message})`);
  }
  // accept { "files": { ... } } as well as the bare mapping
  const candidate = raw !== null && typeof raw === 'object' && 'files' in raw ? (raw as { files: unknown }).files : raw;
  const parsed = referenceSchema.safeParse(candidate);
  if (!parsed.success) throw new UserError(`reference file ${reference} must map each file path to a context name, e.g. { "catalog/routes.ts": "catalog" }`);
  return parsed.data;
}

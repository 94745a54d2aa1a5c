// Shared by the extract tests: the path of a fixture mini-project and its facts (extracted once per file).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import type { ExtractOptions, Facts } from '../../../analyzer/extract/types.ts';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export function factsOf(name: string, options?: ExtractOptions): Promise<Facts> {
  return extractFacts(fixture(name), options);
}

/** Table accesses one per line, `file#function read|write table (via, line N)`: the form the table tests compare. */
export const accesses = (facts: Facts): string[] => facts.tables.map((t) => `${t.file}#${t.function} ${t.access} ${t.table} (${t.via}, line ${t.line})`);

/** Declared tables one per line, `table via [model] file:line`. */
export const declared = (facts: Facts): string[] => (facts.schema ?? []).map((s) => `${s.table} ${s.via}${s.model ? ` ${s.model}` : ''} ${s.file}:${s.line}`);

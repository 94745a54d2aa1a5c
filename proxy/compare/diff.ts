// Structural diff of two already-parsed JSON values under a route's rules (the engine the bench times).
import type { CompareRules, DiffEntry } from '../types.ts';
import { compileRules, type CompiledRules } from './rules.ts';
import { Walker } from './walker.ts';

/** Differences between a (monolith) and b (candidate); empty when they are equal under the rules. */
export function diffValues(a: unknown, b: unknown, rules: CompareRules | CompiledRules = {}): DiffEntry[] {
  const c = compileRules(rules);
  if (c.ignoreBody) return [];
  const w = new Walker(c);
  w.walk(a, b, c.rootStates, c.rootUnordered);
  return w.entries;
}

/** Equality under the rules without building any entries (early exit on the first difference). */
export function equalValues(a: unknown, b: unknown, rules: CompareRules | CompiledRules = {}): boolean {
  const c = compileRules(rules);
  if (c.ignoreBody) return true;
  const w = new Walker(c);
  w.emit = false;
  return w.walk(a, b, c.rootStates, c.rootUnordered);
}

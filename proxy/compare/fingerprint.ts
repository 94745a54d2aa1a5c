// Groups diffs: a fingerprint is the route plus the sorted set of (folded path, kind), so 10,000
// identical price mismatches on different list positions collapse into one group with a count.
import { createHash } from 'node:crypto';
import type { DiffEntry } from '../types.ts';
import { foldPath } from './json-path.ts';

/**
 * The identity a difference is counted under, for grouping and for noise: "<folded path> <kind>",
 * e.g. "$.items[*].price changed". The kind never contains a space, so the last space splits it.
 */
export function fieldId(entry: DiffEntry): string {
  return `${foldPath(entry.path)} ${entry.kind}`;
}

/** A stable 16-hex-digit id for this set of differences on this route; '' only when there are none. */
export function fingerprint(routeId: string, entries: readonly DiffEntry[]): string {
  if (entries.length === 0) return '';
  const ids = [...new Set(entries.map(fieldId))].sort();
  return createHash('sha256').update(routeId).update('\n').update(ids.join('\n')).digest('hex').slice(0, 16);
}

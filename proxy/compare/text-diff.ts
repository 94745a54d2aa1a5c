// A summary of how two text bodies differ: line counts added/removed and the first differing line.
// Counts come from the lines between the common head and tail, matched as multisets: cheap, and exact
// for the usual edits (lines changed, inserted or deleted in one region).
import type { DiffEntry } from '../types.ts';

const LINE_BREAK = /\r?\n/;
const PREVIEW_CHARS = 200;

export interface TextSide {
  lines: number;
  /** lines only this side has */
  only: number;
  /** the first differing line (1-based line number in `firstDiffLine`), cut to 200 characters */
  line: string;
}

export function textDiff(a: string, b: string): DiffEntry | undefined {
  if (a === b) return undefined;
  const la = a.split(LINE_BREAK);
  const lb = b.split(LINE_BREAK);
  const min = Math.min(la.length, lb.length);
  let p = 0;
  while (p < min && la[p] === lb[p]) p++;
  let s = 0;
  while (s < min - p && la[la.length - 1 - s] === lb[lb.length - 1 - s]) s++;
  const counts = new Map<string, number>();
  for (let i = p; i < la.length - s; i++) counts.set(la[i], (counts.get(la[i]) ?? 0) + 1);
  let added = 0;
  for (let j = p; j < lb.length - s; j++) {
    const n = counts.get(lb[j]);
    if (n) counts.set(lb[j], n - 1);
    else added++;
  }
  let removed = 0;
  for (const n of counts.values()) removed += n;
  return {
    path: '$',
    kind: 'text',
    monolith: { lines: la.length, removed, firstDiffLine: p + 1, line: (la[p] ?? '').slice(0, PREVIEW_CHARS) },
    candidate: { lines: lb.length, added, firstDiffLine: p + 1, line: (lb[p] ?? '').slice(0, PREVIEW_CHARS) },
  };
}

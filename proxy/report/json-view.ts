// Renders a stored body as escaped HTML, pretty-printed when it is JSON, with the nodes a diff
// entry points at wrapped in <mark>, so a reviewer sees at a glance what differs.
import { pathSegments, type PathSegment } from '../store/json-path.ts';
import type { DiffEntry } from '../types.ts';
import { escapeHtml } from './escape.ts';

/** One key per path: a key named "a.b" and a nested a → b are different fields. */
const keyOf = (segs: readonly PathSegment[]): string => JSON.stringify(segs);
/** the key of `$`: the whole body differs */
const WHOLE = keyOf([]);

/** Paths to mark on one side: a missing node exists only on the monolith, an extra one only on the candidate. */
export function highlightPaths(entries: readonly DiffEntry[], side: 'monolith' | 'candidate'): Set<string> {
  const out = new Set<string>();
  for (const e of entries) {
    if ((side === 'monolith' && e.kind === 'extra') || (side === 'candidate' && e.kind === 'missing')) continue;
    const segs = pathSegments(e.path);
    if (segs) out.add(keyOf(segs));
  }
  return out;
}

/** Levels shown one value a line, indented; deeper ones on one line (an indent per level made the page quadratic in depth). */
const INDENTED_LEVELS = 20;

export function renderBodyHtml(body: string, marks: ReadonlySet<string>): string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return escapeHtml(body);
  }
  try {
    return marks.has(WHOLE) ? `<mark>${prettyHtml(value, new Set())}</mark>` : prettyHtml(value, marks);
  } catch (err) {
    // nested deeper than the stack: shown as it came
    if (err instanceof RangeError) return escapeHtml(body);
    throw err;
  }
}

function prettyHtml(value: unknown, marks: ReadonlySet<string>): string {
  const segs: PathSegment[] = [];
  const out: string[] = [];
  const render = (node: unknown, indent: string): void => {
    const marked = segs.length > 0 && marks.has(keyOf(segs));
    const nl = segs.length < INDENTED_LEVELS ? '\n' : '';
    const inner = nl ? `${indent}  ` : indent;
    if (marked) out.push('<mark>');
    if (Array.isArray(node) && node.length > 0) {
      out.push('[', nl);
      node.forEach((child, i) => {
        out.push(nl && inner);
        segs.push(i);
        render(child, inner);
        segs.pop();
        out.push(i < node.length - 1 ? ',' : '', nl || (i < node.length - 1 ? ' ' : ''));
      });
      out.push(nl && indent, ']');
    } else if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.keys(node).length > 0) {
      const entries = Object.entries(node);
      out.push('{', nl);
      entries.forEach(([key, child], i) => {
        out.push(nl && inner, escapeHtml(JSON.stringify(key)), ': ');
        segs.push(key);
        render(child, inner);
        segs.pop();
        out.push(i < entries.length - 1 ? ',' : '', nl || (i < entries.length - 1 ? ' ' : ''));
      });
      out.push(nl && indent, '}');
    } else {
      out.push(escapeHtml(JSON.stringify(node)));
    }
    if (marked) out.push('</mark>');
  };
  render(value, '');
  return out.join('');
}

// A small structural JSON diff for the contract tests: reports (folded path, kind) pairs, including
// key-order differences, so "identical except the documented divergences" can be asserted exactly.
export interface Difference {
  path: string;
  kind: 'changed' | 'type' | 'missing' | 'extra' | 'order' | 'length';
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function walk(a: unknown, b: unknown, path: string, out: Difference[]): void {
  if (kindOf(a) !== kindOf(b)) {
    out.push({ path, kind: 'type' });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push({ path, kind: 'length' });
    for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[*]`, out);
    return;
  }
  if (a !== null && typeof a === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of Object.keys(ao)) {
      if (!Object.hasOwn(bo, k)) out.push({ path: `${path}.${k}`, kind: 'missing' });
      else walk(ao[k], bo[k], `${path}.${k}`, out);
    }
    for (const k of Object.keys(bo)) if (!Object.hasOwn(ao, k)) out.push({ path: `${path}.${k}`, kind: 'extra' });
    const shared = Object.keys(ao).filter((k) => Object.hasOwn(bo, k));
    const sharedB = Object.keys(bo).filter((k) => Object.hasOwn(ao, k));
    if (shared.join('\u0000') !== sharedB.join('\u0000')) out.push({ path, kind: 'order' });
    return;
  }
  if (a !== b) out.push({ path, kind: 'changed' });
}

/** Differences between a (monolith) and b (service), deduplicated by folded path and kind, sorted. */
export function jsonDiff(a: unknown, b: unknown): Difference[] {
  const out: Difference[] = [];
  walk(a, b, '$', out);
  const seen = new Map(out.map((d) => [`${d.path} ${d.kind}`, d]));
  return [...seen.values()].sort((x, y) => `${x.path} ${x.kind}`.localeCompare(`${y.path} ${y.kind}`));
}

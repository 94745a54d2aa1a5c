// Mismatch groups as a team should see them. The store groups by every differing field, noise
// included, so `$.rating missing` splits into "with servedAt" and "without servedAt" depending on
// a timestamp's millisecond. Once noise is judged, store groups with the same real fields are one
// problem: they are merged here (and every noise-only group into one "noise only" group).
import type { GroupRow, SampleRow } from '../store/types.ts';
import type { FieldSummary, MismatchGroup } from './model.ts';

const keyOf = (f: { path: string; kind: string }): string => `${f.path}\u0000${f.kind}`;

export function mergeGroups(
  groups: readonly GroupRow[],
  judged: ReadonlyMap<string, FieldSummary>,
  compared: number,
  samplesOf: (fingerprint: string) => readonly SampleRow[],
  samplesPerGroup: number,
  samplesLeftOut: (fingerprint: string) => boolean = () => false,
): MismatchGroup[] {
  const merged = new Map<string, { rows: GroupRow[]; real: FieldSummary[]; noise: Map<string, FieldSummary> }>();
  for (const g of groups) {
    const fields = g.fields.map((f) => judged.get(keyOf(f)) ?? { ...f, raw: g.count, noise: 0, real: true });
    const real = fields.filter((f) => f.real).sort((a, b) => a.path.localeCompare(b.path) || a.kind.localeCompare(b.kind));
    const key = real.map(keyOf).join('\u0001');
    let m = merged.get(key);
    if (!m) merged.set(key, (m = { rows: [], real, noise: new Map() }));
    m.rows.push(g);
    for (const f of fields) if (!f.real) m.noise.set(keyOf(f), f);
  }

  const out: MismatchGroup[] = [];
  for (const m of merged.values()) {
    const rows = m.rows.sort((a, b) => b.count - a.count || a.fingerprint.localeCompare(b.fingerprint));
    const count = rows.reduce((s, r) => s + r.count, 0);
    const samples: SampleRow[] = [];
    let leftOut = false;
    for (const r of rows) {
      if (samples.length >= samplesPerGroup) break;
      samples.push(...samplesOf(r.fingerprint).slice(0, samplesPerGroup - samples.length));
      leftOut ||= samplesLeftOut(r.fingerprint);
    }
    out.push({
      fingerprint: rows[0].fingerprint,
      fingerprints: rows.map((r) => r.fingerprint),
      fields: [...m.real, ...[...m.noise.values()].sort((a, b) => a.path.localeCompare(b.path) || a.kind.localeCompare(b.kind))],
      count,
      share: compared > 0 ? count / compared : 0,
      real: m.real.length > 0,
      firstSeen: min(rows.map((r) => r.firstSeen)),
      lastSeen: max(rows.map((r) => r.lastSeen)),
      samples,
      ...(leftOut && { samplesLeftOut: true }),
    });
  }
  return out.sort((a, b) => Number(b.real) - Number(a.real) || b.count - a.count || a.fingerprint.localeCompare(b.fingerprint));
}

function min(values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
}

function max(values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.max(...defined) : undefined;
}

// Several diff stores read as one: each proxy instance behind a load balancer keeps its own SQLite file (the
// default), and a team wants one report and one CI gate over all of them (`strangler report --store a --store b`).
// Counts add up (compared, matched, errors, fields, groups, latency buckets, proxy counters); a route's service,
// owner, mode and noise thresholds come from the store that saw it last; samples are the newest of all.
import type { CandidateErrorKind, DiffStore, FieldRow, GroupRow, RouteRow, SampleRow } from './types.ts';

/** What a report reads of a store. */
export type DiffReader = Pick<DiffStore, 'readRoutes' | 'readFields' | 'readGroups' | 'readSamples'>;

export interface MergedReader extends DiffReader {
  /** routes started over in some stores and not others, or at different times: their counts mix before and after */
  uneven: { routeId: string; startedOverAt: (number | undefined)[] }[];
}

/** A route started over on every instance within this much of each other counts as started over together. */
const SAME_RESET_MS = 10 * 60_000;

export function mergeReaders(readers: readonly DiffReader[]): MergedReader {
  const routeLists = readers.map((r) => r.readRoutes());
  const routes = mergeRoutes(routeLists);
  return {
    readRoutes: () => routes,
    readFields: (routeId) => mergeFields(readers.map((r) => r.readFields(routeId))),
    readGroups: (routeId) => mergeGroups(readers.map((r) => r.readGroups(routeId))),
    readSamples: (routeId, fingerprint, limit) => mergeSamples(readers.map((r) => r.readSamples(routeId, fingerprint, limit)), limit),
    uneven: unevenResets(routeLists),
  };
}

function mergeRoutes(lists: RouteRow[][]): RouteRow[] {
  return mergeBy(lists, (r) => r.routeId, addRoutes).sort((a, b) => cmp(a.routeId, b.routeId));
}

/** The rows of every store, those with the same key added up into one. */
function mergeBy<T extends object>(lists: T[][], key: (row: T) => string, add: (a: T, b: T) => T): T[] {
  const byKey = new Map<string, T>();
  for (const row of lists.flat()) {
    const k = key(row);
    const have = byKey.get(k);
    byKey.set(k, have ? add(have, row) : row);
  }
  return [...byKey.values()];
}

function addRoutes(a: RouteRow, b: RouteRow): RouteRow {
  // a store that knows the route only from proxy counters says 'unknown': the other store's description wins
  const described = a.service === 'unknown' ? b : b.service === 'unknown' ? a : (b.lastSeen ?? 0) > (a.lastSeen ?? 0) ? b : a;
  const errors = { ...a.errors };
  for (const [kind, n] of Object.entries(b.errors) as [CandidateErrorKind, number][]) errors[kind] = (errors[kind] ?? 0) + n;
  return {
    routeId: a.routeId,
    service: described.service,
    ...(described.owner !== undefined && { owner: described.owner }),
    mode: described.mode,
    ...(described.noise && { noise: described.noise }),
    compared: a.compared + b.compared,
    matchedRaw: a.matchedRaw + b.matchedRaw,
    errors,
    noiseSampled: a.noiseSampled + b.noiseSampled,
    ...seen('firstSeen', a.firstSeen, b.firstSeen, Math.min),
    ...seen('lastSeen', a.lastSeen, b.lastSeen, Math.max),
    ...seen('startedOverAt', a.startedOverAt, b.startedOverAt, Math.max),
    counters: {
      dropped: a.counters.dropped + b.counters.dropped,
      skippedUnsafe: a.counters.skippedUnsafe + b.counters.skippedUnsafe,
      fallbacks: a.counters.fallbacks + b.counters.fallbacks,
    },
    latency: { monolith: addBuckets(a.latency.monolith, b.latency.monolith), candidate: addBuckets(a.latency.candidate, b.latency.candidate) },
  };
}

/** { [key]: pick(a, b) } when either is set, {} when neither is. */
function seen<K extends string>(key: K, a: number | undefined, b: number | undefined, pick: (x: number, y: number) => number): Partial<Record<K, number>> {
  if (a === undefined && b === undefined) return {};
  const value = a === undefined ? b! : b === undefined ? a : pick(a, b);
  return { [key]: value } as Partial<Record<K, number>>;
}

function addBuckets(a: RouteRow['latency']['monolith'], b: RouteRow['latency']['monolith']): RouteRow['latency']['monolith'] {
  const sum = new Map<number, number>();
  for (const { bucket, count } of [...a, ...b]) sum.set(bucket, (sum.get(bucket) ?? 0) + count);
  return [...sum].sort((x, y) => x[0] - y[0]).map(([bucket, count]) => ({ bucket, count }));
}

function mergeFields(lists: FieldRow[][]): FieldRow[] {
  const add = (have: FieldRow, f: FieldRow): FieldRow => ({
    routeId: f.routeId,
    path: f.path,
    kind: f.kind,
    raw: have.raw + f.raw,
    noise: have.noise + f.noise,
    ...seen('firstSeen', have.firstSeen, f.firstSeen, Math.min),
    ...seen('lastSeen', have.lastSeen, f.lastSeen, Math.max),
    ...seen('noiseFirstSeen', have.noiseFirstSeen, f.noiseFirstSeen, Math.min),
  });
  // the order one store reads them in: by route, most often different first
  return mergeBy(lists, (f) => JSON.stringify([f.routeId, f.path, f.kind]), add).sort(
    (a, b) => cmp(a.routeId, b.routeId) || b.raw - a.raw || cmp(a.path, b.path) || cmp(a.kind, b.kind),
  );
}

function mergeGroups(lists: GroupRow[][]): GroupRow[] {
  const add = (have: GroupRow, g: GroupRow): GroupRow => ({
    routeId: g.routeId,
    fingerprint: g.fingerprint,
    fields: have.fields,
    count: have.count + g.count,
    sampleCount: have.sampleCount + g.sampleCount,
    ...seen('firstSeen', have.firstSeen, g.firstSeen, Math.min),
    ...seen('lastSeen', have.lastSeen, g.lastSeen, Math.max),
  });
  return mergeBy(lists, (g) => JSON.stringify([g.routeId, g.fingerprint]), add).sort((a, b) => cmp(a.routeId, b.routeId) || b.count - a.count || cmp(a.fingerprint, b.fingerprint));
}

/** The newest samples of all stores; ids are renumbered (each store counts its own from 1). */
function mergeSamples(lists: SampleRow[][], limit: number | undefined): SampleRow[] {
  const all = lists.flatMap((list, store) => list.map((s) => ({ s, store })));
  all.sort((x, y) => y.s.at - x.s.at || x.store - y.store || y.s.id - x.s.id);
  return all.slice(0, limit ?? all.length).map(({ s }, i) => ({ ...s, id: i + 1 }));
}

function unevenResets(lists: RouteRow[][]): MergedReader['uneven'] {
  if (lists.length < 2) return [];
  const ids = new Set(lists.flat().map((r) => r.routeId));
  const out: MergedReader['uneven'] = [];
  for (const routeId of [...ids].sort()) {
    // a store that never saw the route has nothing to mix in
    const times = lists.map((rows) => rows.find((r) => r.routeId === routeId)).filter((r) => r !== undefined && r.service !== 'unknown').map((r) => r!.startedOverAt);
    if (times.every((t) => t === undefined)) continue;
    const set = times.filter((t): t is number => t !== undefined);
    if (set.length === times.length && Math.max(...set) - Math.min(...set) <= SAME_RESET_MS) continue;
    out.push({ routeId, startedOverAt: times });
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// The write side of the diff store: a batch of queued records is folded into per-key sums in
// memory and written as one transaction of upserts, so a burst of 10,000 identical mismatches
// costs a handful of row updates, not 10,000 inserts.
import type Database from 'better-sqlite3';
import type { CandidateErrorKind, FieldKey, RouteCounters, RouteMeta } from './types.ts';
import { latencyBucket } from './histogram.ts';

/** A sample row ready to insert: already redacted and capped. */
export interface SampleInsert {
  routeId: string;
  fingerprint: string;
  at: number;
  requestId: string;
  method: string;
  path: string;
  query: string;
  requestHeaders: string;
  requestBody: string;
  monolithStatus: number;
  candidateStatus: number;
  monolithLatency: number;
  candidateLatency: number;
  monolithHeaders: string;
  candidateHeaders: string;
  monolithBody: string;
  candidateBody: string;
  entries: string;
}

export type QueuedOp =
  | { k: 'route'; meta: RouteMeta }
  | {
      k: 'cmp';
      routeId: string;
      at: number;
      error?: CandidateErrorKind;
      matched: boolean;
      monolithMs: number;
      candidateMs?: number;
      fields: FieldKey[];
      fingerprint?: string;
      /** the group's field set when it differs from `fields` (the overflow group) */
      groupFields?: FieldKey[];
      sample?: SampleInsert;
    }
  | { k: 'noise'; routeId: string; at: number; fields: FieldKey[] }
  | { k: 'counters'; routeId: string; instance: string; at: number; counters: RouteCounters };

const earliest = (col: string): string => `CASE WHEN ${col} IS NULL OR excluded.${col} < ${col} THEN excluded.${col} ELSE ${col} END`;
const latest = (col: string): string => `CASE WHEN ${col} IS NULL OR excluded.${col} > ${col} THEN excluded.${col} ELSE ${col} END`;

export interface Writer {
  write(ops: readonly QueuedOp[], samplesPerFingerprint: number): void;
}

export function createWriter(db: Database.Database): Writer {
  const upsertMeta = db.prepare(`
    INSERT INTO routes (route_id, service, owner, mode, noise_relative, noise_absolute) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (route_id) DO UPDATE SET service = excluded.service, owner = excluded.owner, mode = excluded.mode,
      noise_relative = coalesce(excluded.noise_relative, noise_relative), noise_absolute = coalesce(excluded.noise_absolute, noise_absolute)`);
  const addRoute = db.prepare(`
    INSERT INTO routes (route_id, service, mode, compared, matched_raw, err_timeout, err_refused, err_reset, err_error, noise_sampled, first_seen, last_seen)
    VALUES (@routeId, 'unknown', 'unknown', @compared, @matchedRaw, @timeout, @refused, @reset, @error, @noiseSampled, @first, @last)
    ON CONFLICT (route_id) DO UPDATE SET compared = compared + excluded.compared, matched_raw = matched_raw + excluded.matched_raw,
      err_timeout = err_timeout + excluded.err_timeout, err_refused = err_refused + excluded.err_refused,
      err_reset = err_reset + excluded.err_reset, err_error = err_error + excluded.err_error,
      noise_sampled = noise_sampled + excluded.noise_sampled,
      first_seen = ${earliest('first_seen')}, last_seen = ${latest('last_seen')}`);
  const addLatency = db.prepare(`
    INSERT INTO latency (route_id, side, bucket, count) VALUES (?, ?, ?, ?)
    ON CONFLICT (route_id, side, bucket) DO UPDATE SET count = count + excluded.count`);
  const addField = db.prepare(`
    INSERT INTO fields (route_id, path, kind, raw, noise, first_seen, last_seen, noise_first_seen)
    VALUES (@routeId, @path, @kind, @raw, @noise, @first, @last, @noiseFirst)
    ON CONFLICT (route_id, path, kind) DO UPDATE SET raw = raw + excluded.raw, noise = noise + excluded.noise,
      first_seen = ${earliest('first_seen')}, last_seen = ${latest('last_seen')}, noise_first_seen = ${earliest('noise_first_seen')}`);
  const addGroup = db.prepare(`
    INSERT INTO fingerprints (route_id, fingerprint, fields, count, first_seen, last_seen) VALUES (@routeId, @fingerprint, @fields, @count, @first, @last)
    ON CONFLICT (route_id, fingerprint) DO UPDATE SET count = count + excluded.count,
      first_seen = ${earliest('first_seen')}, last_seen = ${latest('last_seen')}`);
  const sampleCount = db.prepare('SELECT sample_count FROM fingerprints WHERE route_id = ? AND fingerprint = ?').pluck();
  const bumpSampleCount = db.prepare('UPDATE fingerprints SET sample_count = sample_count + 1 WHERE route_id = ? AND fingerprint = ?');
  const insertSample = db.prepare(`
    INSERT INTO samples (route_id, fingerprint, at, request_id, method, path, query, request_headers, request_body,
      monolith_status, candidate_status, monolith_latency, candidate_latency, monolith_headers, candidate_headers,
      monolith_body, candidate_body, entries)
    VALUES (@routeId, @fingerprint, @at, @requestId, @method, @path, @query, @requestHeaders, @requestBody,
      @monolithStatus, @candidateStatus, @monolithLatency, @candidateLatency, @monolithHeaders, @candidateHeaders,
      @monolithBody, @candidateBody, @entries)`);
  const readCounters = db.prepare('SELECT * FROM route_counters WHERE route_id = ? AND instance = ?');
  const writeCounters = db.prepare(`
    INSERT OR REPLACE INTO route_counters (route_id, instance, dropped_base, dropped_last, skipped_unsafe_base, skipped_unsafe_last, fallbacks_base, fallbacks_last, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  const write = db.transaction((ops: readonly QueuedOp[], cap: number) => {
    const sums = fold(ops);
    for (const meta of sums.metas.values()) {
      upsertMeta.run(meta.routeId, meta.service, meta.owner ?? null, meta.mode, meta.noise?.relative ?? null, meta.noise?.absolute ?? null);
    }
    for (const r of sums.routes.values()) addRoute.run(r);
    for (const [routeId, sides] of sums.latency) {
      for (const [bucket, count] of sides.monolith) addLatency.run(routeId, 'monolith', bucket, count);
      for (const [bucket, count] of sides.candidate) addLatency.run(routeId, 'candidate', bucket, count);
    }
    for (const f of sums.fields.values()) addField.run(f);
    for (const g of sums.groups.values()) addGroup.run(g);
    for (const s of sums.samples) {
      const have = sampleCount.get(s.routeId, s.fingerprint) as number | undefined;
      if (have === undefined || have >= cap) continue; // another process may have filled the cap
      insertSample.run(s);
      bumpSampleCount.run(s.routeId, s.fingerprint);
    }
    for (const c of sums.counters.values()) {
      const prev = readCounters.get(c.routeId, c.instance) as Record<string, number> | undefined;
      // a snapshot lower than the last one means the proxy restarted: keep what it had counted
      const carry = (name: string, now: number): [number, number] => {
        const base = prev?.[`${name}_base`] ?? 0;
        const last = prev?.[`${name}_last`] ?? 0;
        return now < last ? [base + last, now] : [base, now];
      };
      writeCounters.run(c.routeId, c.instance, ...carry('dropped', c.counters.dropped), ...carry('skipped_unsafe', c.counters.skippedUnsafe), ...carry('fallbacks', c.counters.fallbacks), c.at);
    }
  });

  return { write: (ops, cap) => write(ops, cap) };
}

interface RouteSum {
  routeId: string;
  compared: number;
  matchedRaw: number;
  timeout: number;
  refused: number;
  reset: number;
  error: number;
  noiseSampled: number;
  first: number;
  last: number;
}

interface FieldSum {
  routeId: string;
  path: string;
  kind: string;
  raw: number;
  noise: number;
  first: number | null;
  last: number | null;
  noiseFirst: number | null;
}

interface GroupSum {
  routeId: string;
  fingerprint: string;
  fields: string;
  count: number;
  first: number;
  last: number;
}

function fold(ops: readonly QueuedOp[]) {
  const metas = new Map<string, RouteMeta>();
  const routes = new Map<string, RouteSum>();
  // per route, then bucket → count: no key string built per comparison (this fold runs for every pair)
  const latency = new Map<string, { monolith: Map<number, number>; candidate: Map<number, number> }>();
  const fields = new Map<string, FieldSum>();
  const groups = new Map<string, GroupSum>();
  const samples: SampleInsert[] = [];
  const counters = new Map<string, { routeId: string; instance: string; at: number; counters: RouteCounters }>();

  const route = (routeId: string, at: number): RouteSum => {
    let r = routes.get(routeId);
    if (!r) {
      r = { routeId, compared: 0, matchedRaw: 0, timeout: 0, refused: 0, reset: 0, error: 0, noiseSampled: 0, first: at, last: at };
      routes.set(routeId, r);
    }
    r.first = Math.min(r.first, at);
    r.last = Math.max(r.last, at);
    return r;
  };
  const field = (routeId: string, f: FieldKey): FieldSum => {
    const key = `${routeId}\u0000${f.path}\u0000${f.kind}`;
    let s = fields.get(key);
    if (!s) {
      s = { routeId, path: f.path, kind: f.kind, raw: 0, noise: 0, first: null, last: null, noiseFirst: null };
      fields.set(key, s);
    }
    return s;
  };
  const addLatency = (routeId: string, side: 'monolith' | 'candidate', ms: number): void => {
    let sides = latency.get(routeId);
    if (!sides) latency.set(routeId, (sides = { monolith: new Map(), candidate: new Map() }));
    const buckets = sides[side];
    const b = latencyBucket(ms);
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  };

  for (const op of ops) {
    if (op.k === 'route') {
      metas.set(op.meta.routeId, op.meta);
    } else if (op.k === 'counters') {
      counters.set(`${op.routeId}\u0000${op.instance}`, op); // only the newest snapshot matters
    } else if (op.k === 'noise') {
      route(op.routeId, op.at).noiseSampled++;
      for (const f of op.fields) {
        const s = field(op.routeId, f);
        s.noise++;
        s.noiseFirst = s.noiseFirst === null ? op.at : Math.min(s.noiseFirst, op.at);
      }
    } else {
      const r = route(op.routeId, op.at);
      addLatency(op.routeId, 'monolith', op.monolithMs);
      if (op.error) {
        r[op.error]++;
        continue;
      }
      r.compared++;
      if (op.candidateMs !== undefined) addLatency(op.routeId, 'candidate', op.candidateMs);
      if (op.matched) {
        r.matchedRaw++;
        continue;
      }
      for (const f of op.fields) {
        const s = field(op.routeId, f);
        s.raw++;
        s.first = s.first === null ? op.at : Math.min(s.first, op.at);
        s.last = s.last === null ? op.at : Math.max(s.last, op.at);
      }
      if (op.fingerprint) {
        const key = `${op.routeId}\u0000${op.fingerprint}`;
        let g = groups.get(key);
        if (!g) {
          g = { routeId: op.routeId, fingerprint: op.fingerprint, fields: JSON.stringify(op.groupFields ?? op.fields), count: 0, first: op.at, last: op.at };
          groups.set(key, g);
        }
        g.count++;
        g.first = Math.min(g.first, op.at);
        g.last = Math.max(g.last, op.at);
      }
      if (op.sample) samples.push(op.sample);
    }
  }
  return { metas, routes, latency, fields, groups, samples, counters };
}

// The read side of the diff store: rows mapped to plain data for reports and the admin API.
import type Database from 'better-sqlite3';
import type { DiffEntry } from '../types.ts';
import type { FieldKey, FieldRow, GroupRow, RouteRow, SampleRow } from './types.ts';

export interface Reader {
  routes(): RouteRow[];
  fields(routeId?: string): FieldRow[];
  groups(routeId?: string): GroupRow[];
  samples(routeId: string, fingerprint: string, limit: number): SampleRow[];
}

type Row = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const opt = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const json = <T>(v: unknown, fallback: T): T => {
  try {
    return JSON.parse(String(v)) as T;
  } catch {
    return fallback;
  }
};

export function createReader(db: Database.Database): Reader {
  const cols = 'route_id, service, owner, mode, compared, matched_raw, err_timeout, err_refused, err_reset, err_error, first_seen, last_seen, noise_sampled, noise_relative, noise_absolute, reset_at';
  const counters = `(SELECT route_id, sum(dropped_base + dropped_last) AS dropped, sum(skipped_unsafe_base + skipped_unsafe_last) AS skipped_unsafe,
    sum(fallbacks_base + fallbacks_last) AS fallbacks FROM route_counters GROUP BY route_id)`;
  // routes the proxy counted drops for but never compared still belong in the report
  const routesStmt = db.prepare(`
    SELECT ${cols.split(', ').map((c) => `r.${c}`).join(', ')}, c.dropped, c.skipped_unsafe, c.fallbacks
    FROM routes r LEFT JOIN ${counters} c ON c.route_id = r.route_id
    UNION ALL
    SELECT c.route_id, 'unknown', NULL, 'unknown', 0, 0, 0, 0, 0, 0, NULL, NULL, 0, NULL, NULL, NULL, c.dropped, c.skipped_unsafe, c.fallbacks
    FROM ${counters} c WHERE c.route_id NOT IN (SELECT route_id FROM routes)
    ORDER BY 1`);
  const latencyStmt = db.prepare('SELECT route_id, side, bucket, count FROM latency ORDER BY route_id, side, bucket');
  const fieldsAll = db.prepare('SELECT * FROM fields ORDER BY route_id, raw DESC, path, kind');
  const fieldsOne = db.prepare('SELECT * FROM fields WHERE route_id = ? ORDER BY raw DESC, path, kind');
  const groupsAll = db.prepare('SELECT * FROM fingerprints ORDER BY route_id, count DESC, fingerprint');
  const groupsOne = db.prepare('SELECT * FROM fingerprints WHERE route_id = ? ORDER BY count DESC, fingerprint');
  const samplesStmt = db.prepare('SELECT * FROM samples WHERE route_id = ? AND fingerprint = ? ORDER BY at DESC, id DESC LIMIT ?');

  function routes(): RouteRow[] {
    const lat = new Map<string, RouteRow['latency']>();
    for (const row of latencyStmt.all() as Row[]) {
      const id = String(row.route_id);
      let l = lat.get(id);
      if (!l) lat.set(id, (l = { monolith: [], candidate: [] }));
      (row.side === 'candidate' ? l.candidate : l.monolith).push({ bucket: num(row.bucket), count: num(row.count) });
    }
    return (routesStmt.all() as Row[]).map((r) => {
      const routeId = String(r.route_id);
      const relative = opt(r.noise_relative);
      const absolute = opt(r.noise_absolute);
      return {
        routeId,
        service: String(r.service),
        owner: r.owner === null ? undefined : String(r.owner),
        mode: String(r.mode),
        compared: num(r.compared),
        matchedRaw: num(r.matched_raw),
        errors: { timeout: num(r.err_timeout), refused: num(r.err_refused), reset: num(r.err_reset), error: num(r.err_error) },
        noiseSampled: num(r.noise_sampled),
        noise: relative !== undefined && absolute !== undefined ? { relative, absolute } : undefined,
        firstSeen: opt(r.first_seen),
        lastSeen: opt(r.last_seen),
        startedOverAt: opt(r.reset_at),
        counters: { dropped: num(r.dropped), skippedUnsafe: num(r.skipped_unsafe), fallbacks: num(r.fallbacks) },
        latency: lat.get(routeId) ?? { monolith: [], candidate: [] },
      };
    });
  }

  function fields(routeId?: string): FieldRow[] {
    const rows = (routeId === undefined ? fieldsAll.all() : fieldsOne.all(routeId)) as Row[];
    return rows.map((r) => ({
      routeId: String(r.route_id),
      path: String(r.path),
      kind: String(r.kind) as FieldKey['kind'],
      raw: num(r.raw),
      noise: num(r.noise),
      firstSeen: opt(r.first_seen),
      lastSeen: opt(r.last_seen),
      noiseFirstSeen: opt(r.noise_first_seen),
    }));
  }

  function groups(routeId?: string): GroupRow[] {
    const rows = (routeId === undefined ? groupsAll.all() : groupsOne.all(routeId)) as Row[];
    return rows.map((r) => ({
      routeId: String(r.route_id),
      fingerprint: String(r.fingerprint),
      fields: json<FieldKey[]>(r.fields, []),
      count: num(r.count),
      sampleCount: num(r.sample_count),
      firstSeen: opt(r.first_seen),
      lastSeen: opt(r.last_seen),
    }));
  }

  function samples(routeId: string, fingerprint: string, limit: number): SampleRow[] {
    return (samplesStmt.all(routeId, fingerprint, limit) as Row[]).map((r) => ({
      id: num(r.id),
      routeId: String(r.route_id),
      fingerprint: String(r.fingerprint),
      at: num(r.at),
      requestId: r.request_id === null ? undefined : String(r.request_id),
      method: String(r.method),
      path: String(r.path),
      query: String(r.query),
      requestHeaders: json<Record<string, string>>(r.request_headers, {}),
      requestBody: String(r.request_body),
      monolith: {
        status: num(r.monolith_status),
        latencyMs: num(r.monolith_latency),
        headers: json<Record<string, string>>(r.monolith_headers, {}),
        body: String(r.monolith_body),
      },
      candidate: {
        status: num(r.candidate_status),
        latencyMs: num(r.candidate_latency),
        headers: json<Record<string, string>>(r.candidate_headers, {}),
        body: String(r.candidate_body),
      },
      entries: json<DiffEntry[]>(r.entries, []),
    }));
  }

  return { routes, fields, groups, samples };
}

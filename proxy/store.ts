// The diff store: better-sqlite3 in WAL mode. record*() only redacts and queues (no I/O on the
// caller); queued records are flushed in one transaction by count or after a few ms.
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { createLogger, type Logger } from '../common/log.ts';
import { createCardinalityGuard, OVERFLOW_FIELDS, OVERFLOW_FINGERPRINT } from './store/cardinality.ts';
import { openReadOnly, openWritable } from './store/open.ts';
import { createRedactor, DEFAULT_REDACT, type RedactOptions } from './store/redact.ts';
import { createReader } from './store/reader.ts';
import { createResetter } from './store/reset.ts';
import { createWriter, type QueuedOp, type SampleInsert } from './store/writer.ts';
import type { ComparisonRecord, DiffStore, FieldKey, StoreStats } from './store/types.ts';

export type * from './store/types.ts';
export { SCHEMA_VERSION } from './store/migrations.ts';

export interface StoreOptions {
  /** samples kept per (route, fingerprint); counters are never capped */
  samplesPerFingerprint?: number;
  /** each stored body (request, monolith, candidate) is cut to this many bytes */
  maxSampleBodyBytes?: number;
  /** diff entries kept per stored sample (default 200); counts always use every entry */
  maxSampleEntries?: number;
  /** flush when this many records are queued */
  flushEvery?: number;
  /** flush at the latest this long after the first queued record */
  flushMs?: number;
  /** records beyond this many waiting are dropped and counted (the database is stuck) */
  maxQueue?: number;
  /** distinct (path, kind) fields kept per route; more are counted under one overflow field */
  maxFieldsPerRoute?: number;
  /** distinct mismatch groups kept per route; more are counted under one overflow group */
  maxGroupsPerRoute?: number;
  redact?: RedactOptions;
  logger?: Logger;
  /**
   * Open for reading only (reports): the file must exist and be a strangler store; nothing is created or
   * written, and record*() throw. A store of an older schema is migrated first (docs/reports.md).
   */
  readonly?: boolean;
}

const INSTANCE = `${hostname()}:${process.pid}`;
const DEFAULTS = { samplesPerFingerprint: 20, maxSampleBodyBytes: 64 * 1024, maxSampleEntries: 200, flushEvery: 500, flushMs: 25, maxQueue: 100_000, maxFieldsPerRoute: 1000, maxGroupsPerRoute: 500 };

export function openStore(path: string, options: StoreOptions = {}): DiffStore {
  const opts = { ...DEFAULTS, ...options };
  const log = options.logger ?? createLogger('store');
  let redactor = createRedactor(options.redact ?? DEFAULT_REDACT);
  const readonly = options.readonly === true;
  const db: Database.Database = readonly ? openReadOnly(path) : openWritable(path);
  const writer = createWriter(db);
  const guard = createCardinalityGuard(db, opts.maxFieldsPerRoute, opts.maxGroupsPerRoute);
  const reader = createReader(db);
  const resetter = readonly ? undefined : createResetter(db);
  /** reset_at of the routes started over, as this process last saw them (refreshResets) */
  let seenResets = resetter?.resets() ?? new Map<string, number>();

  // sample caps are checked here so redaction and copying are skipped for groups already full
  const sampleCounts = new Map<string, number>();
  if (!readonly) {
    for (const row of db.prepare('SELECT route_id, fingerprint, sample_count FROM fingerprints').all() as { route_id: string; fingerprint: string; sample_count: number }[]) {
      sampleCounts.set(`${row.route_id}\u0000${row.fingerprint}`, row.sample_count);
    }
  }

  let queue: QueuedOp[] = [];
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let closed = false;
  const stats: Omit<StoreStats, 'queued'> = { enqueued: 0, written: 0, transactions: 0, dropped: 0, failedFlushes: 0 };

  function enqueue(op: QueuedOp): void {
    if (closed) throw new Error(`diff store ${path} is closed`);
    if (readonly) throw new Error(`diff store ${path} is open read-only`);
    if (queue.length >= opts.maxQueue) {
      stats.dropped++;
      return;
    }
    queue.push(op);
    stats.enqueued++;
    if (queue.length >= opts.flushEvery) {
      immediate ??= setImmediate(flushQuietly);
      immediate.unref();
    } else if (!timer) {
      timer = setTimeout(flushQuietly, opts.flushMs);
      timer.unref();
    }
  }

  function flush(): void {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    writer.write(batch, opts.samplesPerFingerprint);
    stats.written += batch.length;
    stats.transactions++;
  }

  function flushQuietly(): void {
    try {
      flush();
    } catch (err) {
      stats.failedFlushes++;
      log.error({ err, path }, 'diff store flush failed; the batch is lost');
    }
  }

  /** What this process keeps in memory about a route's groups (sample counts, known fields and groups), dropped. */
  function forget(routeId: string): void {
    const prefix = `${routeId}\u0000`;
    for (const key of sampleCounts.keys()) if (key.startsWith(prefix)) sampleCounts.delete(key);
    guard.reload(routeId);
  }

  function sampleFor(record: ComparisonRecord, fingerprint: string): SampleInsert | undefined {
    const key = `${record.routeId}\u0000${fingerprint}`;
    const have = sampleCounts.get(key) ?? 0;
    if (have >= opts.samplesPerFingerprint || !record.candidate) return undefined;
    sampleCounts.set(key, have + 1);
    const { request, monolith, candidate } = record;
    const max = opts.maxSampleBodyBytes;
    return {
      routeId: record.routeId,
      fingerprint,
      at: request.receivedAt,
      requestId: request.id,
      method: request.method,
      path: request.path,
      query: redactor.query(request.query),
      requestHeaders: JSON.stringify(redactor.headers(request.headers)),
      requestBody: redactor.body({ body: request.body, headers: request.headers, size: request.body?.length ?? 0 }, max),
      monolithStatus: monolith.status,
      candidateStatus: candidate.status,
      monolithLatency: monolith.latencyMs,
      candidateLatency: candidate.latencyMs,
      monolithHeaders: JSON.stringify(redactor.headers(monolith.headers)),
      candidateHeaders: JSON.stringify(redactor.headers(candidate.headers)),
      monolithBody: redactor.body(monolith, max),
      candidateBody: redactor.body(candidate, max),
      // a candidate answering something else entirely yields one entry per value: a sample keeps the first
      // maxSampleEntries (fields and fingerprints were counted from all of them before this point)
      entries: JSON.stringify(redactor.entries(record.entries.length > opts.maxSampleEntries ? record.entries.slice(0, opts.maxSampleEntries) : record.entries)),
    };
  }

  const store: DiffStore = {
    path,
    upsertRoute(meta) {
      enqueue({ k: 'route', meta: { ...meta } });
    },
    recordComparison(record) {
      const matched = !record.candidateError && record.entries.length === 0;
      const counted = !matched && !record.candidateError;
      const fields = counted ? guard.fields(record.routeId, sortFields(record.fields)) : [];
      const fingerprint = counted && record.fingerprint ? guard.group(record.routeId, record.fingerprint) : undefined;
      enqueue({
        k: 'cmp',
        routeId: record.routeId,
        at: record.request.receivedAt,
        error: record.candidateError ?? (record.candidate ? undefined : 'error'),
        matched,
        monolithMs: record.monolith.latencyMs,
        candidateMs: record.candidate?.latencyMs,
        fields,
        fingerprint,
        groupFields: fingerprint === OVERFLOW_FINGERPRINT ? OVERFLOW_FIELDS : undefined,
        sample: fingerprint ? sampleFor(record, fingerprint) : undefined,
      });
    },
    recordNoise(record) {
      enqueue({ k: 'noise', routeId: record.routeId, at: record.at, fields: guard.fields(record.routeId, sortFields(record.fields)) });
    },
    recordRouteCounters(routeId, counters, instance = INSTANCE) {
      enqueue({ k: 'counters', routeId, instance, at: Date.now(), counters: { ...counters } });
    },
    readRoutes() {
      flush();
      return reader.routes();
    },
    readFields(routeId) {
      flush();
      return reader.fields(routeId);
    },
    readGroups(routeId) {
      flush();
      return reader.groups(routeId);
    },
    readSamples(routeId, fingerprint, limit = opts.samplesPerFingerprint) {
      flush();
      return reader.samples(routeId, fingerprint, limit);
    },
    resetRoute(routeId) {
      if (closed) throw new Error(`diff store ${path} is closed`);
      if (!resetter) throw new Error(`diff store ${path} is open read-only`);
      flush(); // what was compared before the reset belongs to the old count
      const at = Date.now();
      const result = resetter.reset(routeId, at);
      seenResets.set(routeId, at);
      forget(routeId);
      return result;
    },
    refreshResets() {
      if (!resetter || closed) return;
      const now = resetter.resets();
      for (const [routeId, at] of now) if (seenResets.get(routeId) !== at) forget(routeId);
      seenResets = now;
    },
    setRedact(redact) {
      // only what is recorded from now on: samples already stored keep the redaction they were written with
      redactor = createRedactor(redact);
    },
    stats() {
      return { ...stats, queued: queue.length };
    },
    flush,
    close() {
      if (closed) return;
      try {
        flush();
      } finally {
        closed = true;
        db.close();
      }
    },
  };
  return store;
}

function sortFields(fields: readonly FieldKey[]): FieldKey[] {
  const seen = new Map<string, FieldKey>();
  for (const f of fields) seen.set(`${f.path}\u0000${f.kind}`, { path: f.path, kind: f.kind });
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

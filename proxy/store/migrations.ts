// The diff store's schema, as an ordered list of migrations. PRAGMA user_version records how
// many have run; a file from an older strangler is brought forward on open, never rewritten.
import type Database from 'better-sqlite3';
import { UserError } from '../../common/user-error.ts';

export const MIGRATIONS: readonly string[] = [
  // v1: counters per route, per field and per fingerprint; capped samples
  `
  CREATE TABLE routes (
    route_id     TEXT PRIMARY KEY,
    service      TEXT NOT NULL,
    owner        TEXT,
    mode         TEXT NOT NULL,
    compared     INTEGER NOT NULL DEFAULT 0,
    matched_raw  INTEGER NOT NULL DEFAULT 0,
    err_timeout  INTEGER NOT NULL DEFAULT 0,
    err_refused  INTEGER NOT NULL DEFAULT 0,
    err_reset    INTEGER NOT NULL DEFAULT 0,
    err_error    INTEGER NOT NULL DEFAULT 0,
    first_seen   INTEGER,
    last_seen    INTEGER
  );
  CREATE TABLE fields (
    route_id   TEXT NOT NULL,
    path       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    raw        INTEGER NOT NULL DEFAULT 0,
    noise      INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER,
    last_seen  INTEGER,
    PRIMARY KEY (route_id, path, kind)
  );
  CREATE TABLE fingerprints (
    route_id     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    fields       TEXT NOT NULL,
    count        INTEGER NOT NULL DEFAULT 0,
    sample_count INTEGER NOT NULL DEFAULT 0,
    first_seen   INTEGER,
    last_seen    INTEGER,
    PRIMARY KEY (route_id, fingerprint)
  );
  CREATE TABLE samples (
    id                 INTEGER PRIMARY KEY,
    route_id           TEXT NOT NULL,
    fingerprint        TEXT NOT NULL,
    at                 INTEGER NOT NULL,
    request_id         TEXT,
    method             TEXT NOT NULL,
    path               TEXT NOT NULL,
    query              TEXT NOT NULL,
    request_headers    TEXT NOT NULL,
    request_body       TEXT NOT NULL,
    monolith_status    INTEGER NOT NULL,
    candidate_status   INTEGER NOT NULL,
    monolith_latency   REAL NOT NULL,
    candidate_latency  REAL NOT NULL,
    monolith_headers   TEXT NOT NULL,
    candidate_headers  TEXT NOT NULL,
    monolith_body      TEXT NOT NULL,
    candidate_body     TEXT NOT NULL,
    entries            TEXT NOT NULL
  );
  CREATE INDEX samples_by_group ON samples (route_id, fingerprint, at);
  `,
  // v2: noise learning, latency histograms, proxy-side counters, per-route noise thresholds
  `
  ALTER TABLE routes ADD COLUMN noise_sampled INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE routes ADD COLUMN noise_relative REAL;
  ALTER TABLE routes ADD COLUMN noise_absolute REAL;
  ALTER TABLE fields ADD COLUMN noise_first_seen INTEGER;
  CREATE TABLE latency (
    route_id TEXT NOT NULL,
    side     TEXT NOT NULL CHECK (side IN ('monolith', 'candidate')),
    bucket   INTEGER NOT NULL,
    count    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (route_id, side, bucket)
  ) WITHOUT ROWID;
  -- one row per proxy process (workers, restarts, instances): the report sums them
  CREATE TABLE route_counters (
    route_id            TEXT NOT NULL,
    instance            TEXT NOT NULL,
    dropped_base        INTEGER NOT NULL DEFAULT 0,
    dropped_last        INTEGER NOT NULL DEFAULT 0,
    skipped_unsafe_base INTEGER NOT NULL DEFAULT 0,
    skipped_unsafe_last INTEGER NOT NULL DEFAULT 0,
    fallbacks_base      INTEGER NOT NULL DEFAULT 0,
    fallbacks_last      INTEGER NOT NULL DEFAULT 0,
    updated_at          INTEGER,
    PRIMARY KEY (route_id, instance)
  );
  `,
  // v3: a route's comparisons started over (after a fix to the candidate): when, so every process writing the file
  // drops what it remembers of the route's groups
  `
  ALTER TABLE routes ADD COLUMN reset_at INTEGER;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Whether a file holds strangler's tables: user_version alone is not enough, other applications set it too.
 * The v1 tables and a column of ours are checked, so a foreign database is never migrated into a store.
 */
export function isDiffStore(db: Database.Database, version: number): boolean {
  if (version < 1) return false;
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]));
  if (!['routes', 'fields', 'fingerprints', 'samples'].every((t) => tables.has(t))) return false;
  const routeColumns = db.prepare("SELECT name FROM pragma_table_info('routes')").pluck().all() as string[];
  return routeColumns.includes('matched_raw');
}

/** Runs every migration past the file's user_version, each in its own transaction. */
export function migrate(db: Database.Database, target: number = SCHEMA_VERSION, file = 'diff store'): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new UserError(`${file}: schema version ${current} is newer than this strangler understands (${SCHEMA_VERSION}); upgrade strangler or point --store at another file`);
  }
  for (let v = current; v < target; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return Math.max(current, target);
}

// Opening the diff store's SQLite file. The proxy opens it read-write (created, migrated, WAL);
// reports open it read-only and refuse a file strangler did not write rather than add tables to it.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../common/user-error.ts';
import { isDiffStore, migrate, SCHEMA_VERSION } from './migrations.ts';

/**
 * The proxy's connection: creates the file and its folder, switches to WAL, brings the schema forward. A file that
 * already holds another application's tables (store.path pointed at the monolith's database) is refused untouched.
 */
export function openWritable(path: string): Database.Database {
  refuseFolder(path);
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (hasTables(db) && !isDiffStore(db, version)) {
      throw new UserError(`${path} holds another application's tables, not a strangler diff store; set store.path to a file of its own (strangler creates it)`);
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db, undefined, path);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof UserError) throw err;
    throw new UserError(`diff store ${path}: cannot open (${(err as Error).message}); check the path or delete the file to start over`);
  }
}

/**
 * A reader's connection: never creates, never writes. A store of an older strangler is the one exception: it is
 * migrated first (read-write, as the proxy would on its next start), since the reader's queries need the new schema.
 */
export function openReadOnly(path: string): Database.Database {
  const db = openExisting(path);
  let version: number;
  try {
    version = db.pragma('user_version', { simple: true }) as number;
    if (!isDiffStore(db, version)) throw new UserError(`${path} is not a strangler diff store (no strangler tables); point --store at the file the proxy writes (store.path in its config)`);
    migrate(db, version, path); // refuses a newer schema; writes nothing
  } catch (err) {
    db.close();
    if (err instanceof UserError) throw err;
    throw new UserError(`${path} is not a strangler diff store (${(err as Error).message}); point --store at the file the proxy writes (store.path in its config)`);
  }
  if (version === SCHEMA_VERSION) return db;
  db.close();
  openWritable(path).close();
  return openExisting(path);
}

function hasTables(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").get() !== undefined;
}

/** SQLite's own words for a folder are "disk I/O error" or "unable to open database file": say what it is. */
function refuseFolder(path: string): void {
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    // missing, or under a file (ENOTDIR): the opening below says so in its own words
  }
  if (folder) {
    throw new UserError(`diff store ${path} is a folder; pass the .sqlite file the proxy writes (store.path in its config), e.g. ${join(path, 'diffs.sqlite')}`);
  }
}

function openExisting(path: string): Database.Database {
  refuseFolder(path);
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (err) {
    throw new UserError(`diff store ${path}: cannot open (${(err as Error).message}); check the path`);
  }
}

// The shared database handle. Every module imports `db()` from here instead of being handed a connection:
// the classic legacy singleton. createApp() registers its connection; requests run with their app's
// connection (AsyncLocalStorage) so two apps in one process (tests) do not see each other's data.
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';

let current: Database.Database | undefined;
const perRequest = new AsyncLocalStorage<Database.Database>();

export function openDatabase(path: string): Database.Database {
  const conn = new Database(path);
  if (path !== ':memory:') conn.pragma('journal_mode = WAL');
  conn.pragma('foreign_keys = ON');
  current = conn;
  return conn;
}

export function db(): Database.Database {
  const conn = perRequest.getStore() ?? current;
  if (!conn) throw new Error('database not opened: call openDatabase() (createApp does) first');
  return conn;
}

/** Runs `fn` (the rest of a request) with `conn` as the database that db() returns. */
export function withDatabase<T>(conn: Database.Database, fn: () => T): T {
  return perRequest.run(conn, fn);
}

export function forgetDatabase(conn: Database.Database): void {
  if (current === conn) current = undefined;
}

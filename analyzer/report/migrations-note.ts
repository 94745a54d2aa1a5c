// The one line on the migrations and seeds a plan set aside, in the same words in the terminal and both reports.
import type { Plan } from '../plan-schema.ts';

const SHOWN_FOLDERS = 4;

export const MIGRATIONS_WHY = 'schema history, not service code; read for the tables and keys they declare, not cut into services';

/**
 * `9 database migration and seed files` and `db/migrations 6, db/seeds 3, +2 more` (each folder quoted the way the
 * format quotes a name), or nothing when no file was set aside.
 */
export function migrationsSetAside(plan: Plan, quote: (folder: string) => string): { files: string; folders: string } | undefined {
  const { files, folders } = plan.migrations;
  if (files.length === 0) return undefined;
  const shown = folders.slice(0, SHOWN_FOLDERS).map((f) => `${quote(f.folder)} ${f.files}`);
  if (folders.length > SHOWN_FOLDERS) shown.push(`+${folders.length - SHOWN_FOLDERS} more`);
  return {
    files: files.length === 1 ? '1 database migration or seed file' : `${files.length} database migration and seed files`,
    folders: shown.join(', '),
  };
}

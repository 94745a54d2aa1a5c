// Regenerates each service's seed/monolith-export.json from a monolith database file: the rows of the
// tables the service owns, exactly as the monolith holds them.
// CLI: tsx services/export-seed.ts <monolith.sqlite>   (e.g. a fresh `DB_PATH=/tmp/m.sqlite npm run monolith`)
import { writeFileSync } from 'node:fs';
import { exportFromMonolith, type MonolithExport } from './kit/database.ts';
import { isMain } from './kit/main.ts';
import { CATALOG_EXPORT, CATALOG_TABLES } from './catalog/migrate-data.ts';
import { INVENTORY_EXPORT, INVENTORY_TABLES } from './inventory/migrate-data.ts';
import { REVIEWS_EXPORT, REVIEWS_TABLES } from './reviews/migrate-data.ts';

export const EXPORTS: { service: string; file: URL; tables: readonly string[] }[] = [
  { service: 'catalog', file: CATALOG_EXPORT, tables: CATALOG_TABLES },
  { service: 'inventory', file: INVENTORY_EXPORT, tables: INVENTORY_TABLES },
  { service: 'reviews', file: REVIEWS_EXPORT, tables: REVIEWS_TABLES },
];

/** One row per line keeps the files diffable and reasonably small. */
export function formatExport(data: MonolithExport): string {
  const tables = Object.entries(data.tables).map(([name, t]) => {
    const rows = t.rows.map((r) => `      ${JSON.stringify(r)}`).join(',\n');
    return `    ${JSON.stringify(name)}: {\n      "columns": ${JSON.stringify(t.columns)},\n      "rows": [\n${rows}\n      ]\n    }`;
  });
  return `{\n  "source": ${JSON.stringify(data.source)},\n  "tables": {\n${tables.join(',\n')}\n  }\n}\n`;
}

if (isMain(import.meta.url)) {
  const source = process.argv[2];
  if (!source) {
    process.stderr.write('usage: tsx services/export-seed.ts <monolith.sqlite>\n');
    process.exit(2);
  }
  for (const e of EXPORTS) {
    writeFileSync(e.file, formatExport(exportFromMonolith(source, e.tables, 'legacy-monolith seed (seed.ts), exported by services/export-seed.ts')));
    process.stdout.write(`wrote ${e.file.pathname}\n`);
  }
}

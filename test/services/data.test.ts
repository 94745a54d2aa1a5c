// Where the services' data comes from, and that they stand on their own.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp as createMonolith } from '../../legacy-monolith/app.ts';
import { createApp as createCatalog } from '../../services/catalog/app.ts';
import { createApp as createInventory } from '../../services/inventory/app.ts';
import { createApp as createReviews } from '../../services/reviews/app.ts';
import { EXPORTS, formatExport } from '../../services/export-seed.ts';
import { exportFromMonolith } from '../../services/kit/database.ts';

const servicesDir = fileURLToPath(new URL('../../services/', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('service data', () => {
  test('the committed exports equal the tables of a freshly seeded monolith', () => {
    const dir = mkdtempSync(join(tmpdir(), 'services-export-'));
    try {
      const dbPath = join(dir, 'monolith.sqlite');
      createMonolith({ dbPath }).close();
      for (const e of EXPORTS) {
        const fresh = formatExport(exportFromMonolith(dbPath, e.tables, 'legacy-monolith seed (seed.ts), exported by services/export-seed.ts'));
        assert.equal(readFileSync(e.file, 'utf8'), fresh, `${e.service} export is stale: run tsx services/export-seed.ts <fresh monolith db>`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('monolithDbPath seeds a service from a monolith database file (the migration path)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'services-migrate-'));
    try {
      const dbPath = join(dir, 'monolith.sqlite');
      const mono = createMonolith({ dbPath });
      mono.db.prepare("UPDATE books SET title = 'Migrated Title' WHERE id = 1").run();
      mono.db.prepare('UPDATE stock SET quantity = 99 WHERE book_id = 1 AND center_id = 1').run();
      mono.db.prepare('DELETE FROM reviews WHERE book_id = 1').run();
      mono.close();
      const catalog = createCatalog({ monolithDbPath: dbPath });
      const inventory = createInventory({ monolithDbPath: dbPath });
      const reviews = createReviews({ monolithDbPath: dbPath });
      try {
        assert.equal((catalog.db.prepare('SELECT title FROM books WHERE id = 1').get() as { title: string }).title, 'Migrated Title');
        assert.equal((inventory.db.prepare('SELECT quantity FROM stock WHERE book_id = 1 AND center_id = 1').get() as { quantity: number }).quantity, 99);
        assert.equal((reviews.db.prepare('SELECT COUNT(*) AS n FROM reviews WHERE book_id = 1').get() as { n: number }).n, 0);
        assert.equal((catalog.db.prepare('SELECT COUNT(*) AS n FROM books').get() as { n: number }).n, 320);
      } finally {
        catalog.close();
        inventory.close();
        reviews.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a service database file is seeded once and reopened as is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'services-file-'));
    try {
      const dbPath = join(dir, 'inventory.sqlite');
      const first = createInventory({ dbPath });
      first.db.prepare('UPDATE stock SET quantity = 1234 WHERE book_id = 2 AND center_id = 1').run();
      first.close();
      const second = createInventory({ dbPath });
      assert.equal((second.db.prepare('SELECT quantity FROM stock WHERE book_id = 2 AND center_id = 1').get() as { quantity: number }).quantity, 1234);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no service file imports from legacy-monolith/', () => {
    const offenders = tsFiles(servicesDir).filter((f) => /from\s+['"][^'"]*legacy-monolith|import\(\s*['"][^'"]*legacy-monolith/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(servicesDir, f)), []);
  });
});

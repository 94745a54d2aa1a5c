import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { createApp } from '../../legacy-monolith/app.ts';

function dump(conn: Database.Database): Record<string, unknown[]> {
  const tables = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, conn.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
}

function count(conn: Database.Database, table: string): number {
  return (conn.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('seed', () => {
  test('two fresh databases hold identical data', () => {
    const a = createApp();
    const b = createApp();
    try {
      assert.deepEqual(dump(a.db), dump(b.db));
    } finally {
      a.close();
      b.close();
    }
  });

  test('has the sizes the issue asks for, with sold-out books and ties in price', () => {
    const m = createApp();
    try {
      assert.ok(count(m.db, 'books') >= 300);
      assert.ok(count(m.db, 'authors') >= 50);
      assert.ok(count(m.db, 'customers') >= 100);
      assert.equal(count(m.db, 'fulfillment_centers'), 5);
      assert.ok(count(m.db, 'orders') >= 500);
      assert.ok(count(m.db, 'reviews') >= 500);
      const soldOut = m.db.prepare('SELECT book_id FROM stock GROUP BY book_id HAVING SUM(quantity) = 0').all();
      assert.ok(soldOut.length > 0, 'no sold-out book');
      const ties = m.db.prepare('SELECT price_cents, COUNT(*) AS n FROM books GROUP BY price_cents HAVING n > 1').all();
      assert.ok(ties.length > 0, 'no price ties');
    } finally {
      m.close();
    }
  });

  test('a database file is seeded once and reopened as is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'monolith-'));
    try {
      const dbPath = join(dir, 'shop.sqlite');
      const first = createApp({ dbPath });
      first.db.prepare('UPDATE books SET title = ? WHERE id = 1').run('Changed');
      first.close();
      const second = createApp({ dbPath });
      assert.equal((second.db.prepare('SELECT title FROM books WHERE id = 1').get() as { title: string }).title, 'Changed');
      assert.equal(count(second.db, 'books'), 320);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Customer accounts and addresses.
import { db } from '../db.ts';
import { HttpError, notFound } from '../utils.ts';

export interface Profile {
  id: number;
  email: string;
  name: string;
  region: string;
  createdAt: string;
}

export interface Address {
  id: number;
  line1: string;
  city: string;
  postcode: string;
  region: string;
  isDefault: boolean;
}

export function getProfile(id: number): Profile {
  const row = db().prepare('SELECT id, email, name, region, created_at AS createdAt FROM customers WHERE id = ?').get(id) as Profile | undefined;
  if (!row) throw notFound('customer', id);
  return row;
}

export function createCustomer(email: string, name: string, passwordHash: string, region: string): number {
  if (db().prepare('SELECT 1 FROM customers WHERE email = ?').get(email)) {
    throw new HttpError(409, 'conflict', `an account for ${email} already exists; POST /login instead`);
  }
  const info = db()
    .prepare('INSERT INTO customers (email, name, password_hash, region, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(email, name, passwordHash, region, new Date().toISOString());
  return Number(info.lastInsertRowid);
}

export function updateProfile(id: number, changes: { name?: string; region?: string }): Profile {
  if (changes.name !== undefined) db().prepare('UPDATE customers SET name = ? WHERE id = ?').run(changes.name, id);
  if (changes.region !== undefined) db().prepare('UPDATE customers SET region = ? WHERE id = ?').run(changes.region, id);
  return getProfile(id);
}

export function listAddresses(customerId: number): Address[] {
  const rows = db()
    .prepare('SELECT id, line1, city, postcode, region, is_default AS isDefault FROM addresses WHERE customer_id = ? ORDER BY is_default DESC, id')
    .all(customerId) as (Omit<Address, 'isDefault'> & { isDefault: number })[];
  return rows.map((r) => ({ ...r, isDefault: r.isDefault === 1 }));
}

export function addAddress(customerId: number, a: Omit<Address, 'id' | 'isDefault'>, makeDefault: boolean): Address {
  const conn = db();
  const id = conn.transaction(() => {
    if (makeDefault) conn.prepare('UPDATE addresses SET is_default = 0 WHERE customer_id = ?').run(customerId);
    const info = conn
      .prepare('INSERT INTO addresses (customer_id, line1, city, postcode, region, is_default) VALUES (?, ?, ?, ?, ?, ?)')
      .run(customerId, a.line1, a.city, a.postcode, a.region, makeDefault ? 1 : 0);
    return Number(info.lastInsertRowid);
  })();
  return listAddresses(customerId).find((x) => x.id === id) as Address;
}

export function removeAddress(customerId: number, id: number): void {
  const info = db().prepare('DELETE FROM addresses WHERE id = ? AND customer_id = ?').run(id, customerId);
  if (info.changes === 0) throw notFound('address', id);
}

// Keeps the number of distinct fields and mismatch groups per route bounded. Folding array
// indices is not enough when a response uses ids as object keys ({"ord_8f3a": {...}}): every
// request would add new paths and new groups. Past the cap, new ones are counted under one
// overflow field / group per route, which reports treat as a real difference (never as noise).
import type Database from 'better-sqlite3';
import type { FieldKey } from './types.ts';

export const OVERFLOW_PATH = '(more distinct fields than the store keeps)';
export const OVERFLOW_FINGERPRINT = 'overflow';
export const OVERFLOW_FIELDS: FieldKey[] = [{ path: '(more distinct groups than the store keeps)', kind: 'changed' }];

export interface CardinalityGuard {
  fields(routeId: string, fields: FieldKey[]): FieldKey[];
  /** the fingerprint to count under: itself, or the overflow group once the route is full */
  group(routeId: string, fingerprint: string): string;
  /** the route's fields and groups read again from the file (after its comparisons were started over) */
  reload(routeId: string): void;
}

export function createCardinalityGuard(db: Database.Database, maxFields: number, maxGroups: number): CardinalityGuard {
  const fieldsByRoute = new Map<string, Set<string>>();
  const groupsByRoute = new Map<string, Set<string>>();
  const setOf = (m: Map<string, Set<string>>, routeId: string): Set<string> => {
    let s = m.get(routeId);
    if (!s) m.set(routeId, (s = new Set()));
    return s;
  };
  const load = (routeId?: string): void => {
    const where = routeId === undefined ? '' : ' WHERE route_id = ?';
    const args = routeId === undefined ? [] : [routeId];
    for (const row of db.prepare(`SELECT route_id, path, kind FROM fields${where}`).all(...args) as { route_id: string; path: string; kind: string }[]) {
      setOf(fieldsByRoute, row.route_id).add(`${row.path}\u0000${row.kind}`);
    }
    for (const row of db.prepare(`SELECT route_id, fingerprint FROM fingerprints${where}`).all(...args) as { route_id: string; fingerprint: string }[]) {
      setOf(groupsByRoute, row.route_id).add(row.fingerprint);
    }
  };
  load();

  return {
    fields(routeId, fields) {
      const known = setOf(fieldsByRoute, routeId);
      const out: FieldKey[] = [];
      let overflow = false;
      for (const f of fields) {
        const key = `${f.path}\u0000${f.kind}`;
        if (!known.has(key)) {
          if (known.size >= maxFields) {
            overflow = true;
            continue;
          }
          known.add(key);
        }
        out.push(f);
      }
      if (overflow) out.push({ path: OVERFLOW_PATH, kind: 'changed' });
      return out;
    },
    group(routeId, fingerprint) {
      const known = setOf(groupsByRoute, routeId);
      if (known.has(fingerprint)) return fingerprint;
      if (known.size < maxGroups) {
        known.add(fingerprint);
        return fingerprint;
      }
      known.add(OVERFLOW_FINGERPRINT);
      return OVERFLOW_FINGERPRINT;
    },
    reload(routeId) {
      fieldsByRoute.delete(routeId);
      groupsByRoute.delete(routeId);
      load(routeId);
    },
  };
}

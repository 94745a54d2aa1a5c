// Builders for diff store tests: a comparison record with sensible defaults.
import { createHash } from 'node:crypto';
import type { CapturedResponse, DiffEntry } from '../../proxy/types.ts';
import type { ComparisonRecord, FieldKey } from '../../proxy/store.ts';

export function response(body: unknown, extra: Partial<CapturedResponse> = {}): CapturedResponse {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: bytes,
    size: bytes.length,
    hash: createHash('sha256').update(bytes).digest('hex'),
    truncated: false,
    latencyMs: 10,
    ...extra,
  };
}

let seq = 0;

export function comparison(routeId: string, entries: DiffEntry[], extra: Partial<ComparisonRecord> = {}): ComparisonRecord {
  seq++;
  const fields: FieldKey[] = entries.map((e) => ({ path: e.path.replace(/\[\d+\]/g, '[*]'), kind: e.kind }));
  return {
    routeId,
    request: { id: `req-${seq}`, method: 'GET', path: `/books/${seq}`, query: '', headers: {}, receivedAt: 1_700_000_000_000 + seq },
    monolith: response({ id: seq, price: 10 }),
    candidate: response({ id: seq, price: 11 }, { latencyMs: 20 }),
    entries,
    fields,
    fingerprint: entries.length ? `fp:${routeId}:${fields.map((f) => `${f.path}/${f.kind}`).sort().join(',')}` : undefined,
    ...extra,
  };
}

export const priceDiff: DiffEntry[] = [{ path: '$.price', kind: 'changed', monolith: 10, candidate: 11 }];

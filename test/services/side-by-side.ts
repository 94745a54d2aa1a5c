// Starts the monolith and the three services side by side on port 0 with in-memory databases, and
// compares the same request on both sides.
import assert from 'node:assert/strict';
import { startMonolith, type RunningMonolith } from '../../legacy-monolith/server.ts';
import { startCatalogService } from '../../services/catalog/server.ts';
import { startInventoryService } from '../../services/inventory/server.ts';
import { startReviewsService } from '../../services/reviews/server.ts';
import type { RunningService } from '../../services/kit/listen.ts';
import { jsonDiff, type Difference } from './json-diff.ts';

export interface SideBySide {
  monolith: RunningMonolith;
  services: Record<'catalog' | 'inventory' | 'reviews', RunningService>;
  close(): Promise<void>;
}

export async function startSideBySide(): Promise<SideBySide> {
  const monolith = await startMonolith({ port: 0 });
  const catalog = await startCatalogService({ port: 0 });
  const inventory = await startInventoryService({ port: 0 });
  const reviews = await startReviewsService({ port: 0, catalogUrl: catalog.url });
  return {
    monolith,
    services: { catalog, inventory, reviews },
    async close() {
      await Promise.all([reviews.close(), inventory.close(), catalog.close(), monolith.close()]);
    },
  };
}

export interface Exchange {
  status: number;
  contentType: string | null;
  requestId: string | null;
  body: unknown;
}

export async function call(baseUrl: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<Exchange> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), requestId: res.headers.get('x-request-id'), body: text ? JSON.parse(text) : undefined };
}

/** The body without the documented noise (servedAt; x-request-id is a header). */
export function withoutNoise(body: unknown, alsoIgnore: string[] = []): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (k !== 'servedAt' && !alsoIgnore.includes(k)) out[k] = v;
  return out;
}

/** Calls both sides and returns the body differences after asserting status, content type and noise headers match. */
export async function compare(
  sides: { monolith: string; service: string },
  path: string,
  init: { method?: string; body?: unknown; ignore?: string[] } = {},
): Promise<{ differences: Difference[]; monolith: Exchange; service: Exchange }> {
  const monolith = await call(sides.monolith, path, init);
  const service = await call(sides.service, path, init);
  const label = `${init.method ?? 'GET'} ${path}`;
  assert.equal(service.status, monolith.status, `${label}: status`);
  assert.equal(service.contentType, monolith.contentType, `${label}: content-type`);
  assert.ok(monolith.requestId && service.requestId, `${label}: x-request-id on both sides`);
  if (monolith.body && typeof monolith.body === 'object' && !Array.isArray(monolith.body)) {
    assert.match(String((service.body as Record<string, unknown>).servedAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, `${label}: servedAt`);
  }
  const differences = jsonDiff(withoutNoise(monolith.body, init.ignore), withoutNoise(service.body, init.ignore));
  return { differences, monolith, service };
}

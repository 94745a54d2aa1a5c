// Request parsing with the monolith's exact rules and messages (clients and the shadow diff depend on them).
import { badRequest } from './http.ts';

export function parseId(value: unknown, name = 'id'): number {
  const s = String(value ?? '');
  if (!/^[1-9][0-9]{0,9}$/.test(s)) throw badRequest(`${name} must be a positive integer, got "${s}"`);
  return Number(s);
}

export interface Paging {
  limit: number;
  offset: number;
}

export function parsePaging(query: Record<string, unknown>, defaultLimit = 20, maxLimit = 100): Paging {
  const limit = query.limit === undefined ? defaultLimit : Number(query.limit);
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw badRequest(`limit must be an integer between 1 and ${maxLimit}`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset must be a non-negative integer');
  return { limit, offset };
}

export function bodyOf(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export function requireString(body: Record<string, unknown>, field: string, maxLength = 200): string {
  const v = body[field];
  if (typeof v !== 'string' || v.trim() === '' || v.length > maxLength) {
    throw badRequest(`${field} is required and must be a non-empty string (max ${maxLength} chars)`);
  }
  return v.trim();
}

export function requireInt(body: Record<string, unknown>, field: string, min: number, max: number): number {
  const v = body[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw badRequest(`${field} must be an integer between ${min} and ${max}`);
  }
  return v;
}

/** Prices travel as numbers with two decimals (19.99) and are stored in cents. */
export function requirePriceCents(body: Record<string, unknown>, field: string): number {
  const v = body[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 10000) {
    throw badRequest(`${field} must be a positive number (e.g. 19.99)`);
  }
  return Math.round(v * 100);
}

export function toPrice(cents: number): number {
  return Math.round(cents) / 100;
}

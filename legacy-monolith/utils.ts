// Helpers that every module ended up needing. (Yes, a grab bag: this is the legacy app.)
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function notFound(what: string, id: string | number): HttpError {
  return new HttpError(404, 'not_found', `${what} ${id} not found`);
}

export function badRequest(message: string, details?: unknown): HttpError {
  return new HttpError(400, 'bad_request', message, details);
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** Prices live in cents in the database and go out as numbers with two decimals (19.99). */
export function toPrice(cents: number): number {
  return Math.round(cents) / 100;
}

export function toCents(price: number): number {
  return Math.round(price * 100);
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

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

export function requirePrice(body: Record<string, unknown>, field: string): number {
  const v = body[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 10000) {
    throw badRequest(`${field} must be a positive number (e.g. 19.99)`);
  }
  return toCents(v);
}

export function bodyOf(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export function slugify(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function hashPassword(password: string): string {
  return createHash('sha256').update(`bookshop:${password}`).digest('hex');
}

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

export function newReference(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8).toUpperCase()}`;
}

export function newRequestId(): string {
  return randomUUID();
}

/** Luhn checksum, used by payments and (historically) by the cart's "save card" form. */
export function luhnValid(cardNumber: string): boolean {
  if (!/^[0-9]{12,19}$/.test(cardNumber)) return false;
  let sum = 0;
  for (let i = 0; i < cardNumber.length; i++) {
    let d = cardNumber.charCodeAt(cardNumber.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

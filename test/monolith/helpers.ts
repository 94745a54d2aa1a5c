// Shared setup for the monolith tests: a fresh in-memory app and a signed-in customer.
import request from 'supertest';
import type express from 'express';
import { SEED_PASSWORD } from '../../legacy-monolith/seed.ts';

export async function loginAs(app: express.Express, customerId: number): Promise<string> {
  const res = await request(app).post('/login').send({ email: `customer${customerId}@example.com`, password: SEED_PASSWORD });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

export const VISA = { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' };
export const DECLINED = { number: '4000000000000002', expMonth: 12, expYear: 2099, cvc: '123' };

/** Removes the noise fields so two responses can be compared. */
export function stable(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const { servedAt: _servedAt, ...rest } = body as Record<string, unknown>;
  return rest;
}

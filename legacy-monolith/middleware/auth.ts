// Session auth for the customer-facing routes (customers, cart, orders). Other modules are public.
import type { NextFunction, Request, Response } from 'express';
import { db } from '../db.ts';
import { HttpError } from '../utils.ts';

export interface SessionCustomer {
  id: number;
  email: string;
  name: string;
  region: string;
}

export function requireAuth(req: Request, res: Response, next: NextFunction): void {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer ([0-9a-f]{16,})$/.exec(header);
  if (!match) throw new HttpError(401, 'unauthorized', 'missing or malformed Authorization: Bearer <token> header; POST /login first');
  const customer = db()
    .prepare(
      'SELECT c.id, c.email, c.name, c.region FROM sessions s JOIN customers c ON c.id = s.customer_id WHERE s.token = ?',
    )
    .get(match[1]) as SessionCustomer | undefined;
  if (!customer) throw new HttpError(401, 'unauthorized', 'session expired or unknown; POST /login again');
  res.locals.customer = customer;
  res.locals.token = match[1];
  next();
}

export function currentCustomer(res: Response): SessionCustomer {
  return res.locals.customer as SessionCustomer;
}

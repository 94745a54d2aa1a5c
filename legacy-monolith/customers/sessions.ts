// Login and logout: a session token stored in the sessions table, sent back as Authorization: Bearer <token>.
import type { Request, Response } from 'express';
import { db } from '../db.ts';
import { bodyOf, hashPassword, HttpError, newToken, requireString } from '../utils.ts';

export function login(req: Request, res: Response): void {
  const body = bodyOf(req.body);
  const email = requireString(body, 'email');
  const password = requireString(body, 'password');
  const customer = db().prepare('SELECT id, email, name, password_hash FROM customers WHERE email = ?').get(email) as
    | { id: number; email: string; name: string; password_hash: string }
    | undefined;
  if (!customer || customer.password_hash !== hashPassword(password)) {
    throw new HttpError(401, 'invalid_credentials', 'email or password is wrong');
  }
  const token = newToken();
  db().prepare('INSERT INTO sessions (token, customer_id, created_at) VALUES (?, ?, ?)').run(token, customer.id, new Date().toISOString());
  res.json({ token, customer: { id: customer.id, email: customer.email, name: customer.name } });
}

export function logout(req: Request, res: Response): void {
  db().prepare('DELETE FROM sessions WHERE token = ?').run(res.locals.token);
  res.json({ loggedOut: true });
}

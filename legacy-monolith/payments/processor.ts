// A fake card processor: Luhn and expiry validation, and deterministic declines for test numbers.
import { db } from '../db.ts';
import { badRequest, HttpError, luhnValid, notFound, toPrice } from '../utils.ts';

export interface Card {
  number: string;
  expMonth: number;
  expYear: number;
  cvc?: string;
}

export interface PaymentView {
  id: number;
  orderId: number;
  amount: number;
  cardLast4: string;
  status: string;
  createdAt: string;
}

/** Numbers ending in these digits are declined, like a real processor's test cards. */
const DECLINES: Record<string, string> = { '0002': 'card_declined', '9995': 'insufficient_funds' };

export function brandOf(number: string): string {
  if (number.startsWith('4')) return 'visa';
  if (/^5[1-5]/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  return 'unknown';
}

export function parseCard(value: unknown): Card {
  if (value === null || typeof value !== 'object') throw badRequest('card is required: { number, expMonth, expYear, cvc }');
  const c = value as Record<string, unknown>;
  const number = typeof c.number === 'string' ? c.number.replace(/[\s-]/g, '') : '';
  if (typeof c.expMonth !== 'number' || !Number.isInteger(c.expMonth) || c.expMonth < 1 || c.expMonth > 12) throw badRequest('card.expMonth must be 1-12');
  if (typeof c.expYear !== 'number' || !Number.isInteger(c.expYear)) throw badRequest('card.expYear must be a year, e.g. 2030');
  return { number, expMonth: c.expMonth, expYear: c.expYear, cvc: typeof c.cvc === 'string' ? c.cvc : undefined };
}

export function checkCard(card: Card): { valid: boolean; reason?: string } {
  if (!luhnValid(card.number)) return { valid: false, reason: 'invalid_number' };
  const now = new Date();
  const expired = card.expYear < now.getUTCFullYear() || (card.expYear === now.getUTCFullYear() && card.expMonth < now.getUTCMonth() + 1);
  if (expired) return { valid: false, reason: 'expired' };
  return { valid: true };
}

export function charge(orderId: number, amountCents: number, card: Card): PaymentView {
  const check = checkCard(card);
  if (!check.valid) throw new HttpError(400, 'invalid_card', `card rejected: ${check.reason}`);
  const decline = DECLINES[card.number.slice(-4)];
  if (decline) throw new HttpError(402, 'payment_declined', `the card was declined (${decline})`);
  const info = db()
    .prepare("INSERT INTO payments (order_id, amount_cents, card_last4, status, created_at) VALUES (?, ?, ?, 'captured', ?)")
    .run(orderId, amountCents, card.number.slice(-4), new Date().toISOString());
  return getPayment(Number(info.lastInsertRowid));
}

export function getPayment(id: number): PaymentView {
  const row = db()
    .prepare('SELECT id, order_id AS orderId, amount_cents AS amountCents, card_last4 AS cardLast4, status, created_at AS createdAt FROM payments WHERE id = ?')
    .get(id) as (Omit<PaymentView, 'amount'> & { amountCents: number }) | undefined;
  if (!row) throw notFound('payment', id);
  return { id: row.id, orderId: row.orderId, amount: toPrice(row.amountCents), cardLast4: row.cardLast4, status: row.status, createdAt: row.createdAt };
}

export function paymentForOrder(orderId: number): PaymentView | null {
  const row = db().prepare('SELECT id FROM payments WHERE order_id = ? ORDER BY id DESC LIMIT 1').get(orderId) as { id: number } | undefined;
  return row ? getPayment(row.id) : null;
}

export function refund(id: number): PaymentView {
  const p = getPayment(id);
  if (p.status !== 'captured') throw new HttpError(409, 'conflict', `payment ${id} is ${p.status} and cannot be refunded`);
  db().prepare("UPDATE payments SET status = 'refunded' WHERE id = ?").run(id);
  return { ...p, status: 'refunded' };
}

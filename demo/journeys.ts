// What the demo's shoppers do on the sample bookshop: sessions of requests a real visitor, customer or
// staff member would send, drawn from a seeded PRNG over the seed data (320 books, 60 authors, 12
// categories, 120 customers, 5 centers). Pure: a Random in, a list of steps out.
import type { Random } from './random.ts';

export const BOOKS = 320;
export const AUTHORS = 60;
export const CUSTOMERS = 120;
export const CENTERS = 5;
export const PASSWORD = 'bookshop123';
export const CATEGORY_SLUGS = [
  'fiction', 'mystery', 'science-fiction', 'fantasy', 'biography', 'history',
  'science', 'cooking', 'travel', 'poetry', 'business', 'children',
] as const;
const SEARCH_WORDS = ['river', 'archive', 'compass', 'garden', 'empire', 'harbour', 'kingdom', 'kitchen', 'secret', 'quiet', 'crimson', 'distant'];
const SUGGEST_PREFIXES = ['th', 'the b', 'the s', 'the q', 'the c', 'the d', 'the g'];
const SORTS = ['price', 'title', 'year'];
const REPORT_PATHS = ['/reports/top-sellers', '/reports/sales-by-category', '/reports/stock-alerts', '/reports/daily-sales?from=2023-06-01&to=2023-06-30'];
const TEST_CARD = { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' };

export interface HttpStep {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  /** send the session's bearer token (after a login step) */
  auth?: boolean;
}

/** Signs the session's customer in; the driver keeps the token for the steps marked auth. */
export interface LoginStep {
  login: { email: string; password: string };
}

export type Step = HttpStep | LoginStep;

export type SessionKind = 'browse' | 'search' | 'account' | 'staff' | 'mistakes';

export interface Session {
  kind: SessionKind;
  /** the canary's sticky key (x-customer-id): a customer id, or a visitor id for anonymous sessions */
  customerKey: string;
  steps: Step[];
}

export interface JourneyOptions {
  /** signed-in sessions may check out (writes stock): only once inventory is no longer compared */
  checkout: boolean;
}

export const isLogin = (s: Step): s is LoginStep => 'login' in s;

/** Popular books are asked for more often than the long tail (a skew like real shops see). */
function book(r: Random): number {
  return 1 + Math.floor(BOOKS * r.next() ** 2);
}

function listing(r: Random): string {
  const params = [`limit=${r.pick([10, 20, 20, 50])}`];
  if (r.chance(0.4)) params.push(`offset=${r.int(0, 15) * 20}`);
  if (r.chance(0.35)) params.push(`category=${r.pick(CATEGORY_SLUGS)}`);
  if (r.chance(0.4)) params.push(`sort=${r.pick(SORTS)}`, `order=${r.pick(['asc', 'desc'])}`);
  return `/books?${params.join('&')}`;
}

function lookAtBook(r: Random, id: number): HttpStep[] {
  const steps: HttpStep[] = [{ method: 'GET', path: `/books/${id}` }];
  if (r.chance(0.6)) steps.push({ method: 'GET', path: `/books/${id}/reviews/summary` });
  if (r.chance(0.4)) steps.push({ method: 'GET', path: `/books/${id}/reviews${r.chance(0.3) ? '?limit=5&offset=5' : ''}` });
  if (r.chance(0.5)) steps.push({ method: 'GET', path: `/inventory/${id}` });
  if (r.chance(0.2)) steps.push({ method: 'GET', path: `/recommendations/also-bought/${id}` });
  return steps;
}

function browse(r: Random): Step[] {
  const steps: Step[] = [];
  if (r.chance(0.3)) steps.push({ method: 'GET', path: '/categories' });
  if (r.chance(0.3)) steps.push({ method: 'GET', path: `/categories/${r.pick(CATEGORY_SLUGS)}/books?limit=20` });
  steps.push({ method: 'GET', path: listing(r) });
  for (let i = r.int(1, 3); i > 0; i--) steps.push(...lookAtBook(r, book(r)));
  if (r.chance(0.3)) {
    const author = r.int(1, AUTHORS);
    steps.push({ method: 'GET', path: `/authors/${author}` }, { method: 'GET', path: `/authors/${author}/books?limit=10` });
  }
  if (r.chance(0.15)) steps.push({ method: 'GET', path: `/authors?limit=20&offset=${r.int(0, 2) * 20}` });
  if (r.chance(0.2)) steps.push({ method: 'GET', path: '/recommendations/popular' });
  if (r.chance(0.15)) steps.push({ method: 'GET', path: '/reviews/recent?limit=10' });
  return steps;
}

function search(r: Random): Step[] {
  const prefix = r.pick(SUGGEST_PREFIXES);
  const steps: Step[] = [
    { method: 'GET', path: `/search/suggest?q=${encodeURIComponent(prefix)}` },
    { method: 'GET', path: `/search?q=${r.pick(SEARCH_WORDS)}${r.chance(0.3) ? '&sort=title' : ''}` },
  ];
  for (let i = r.int(0, 2); i > 0; i--) steps.push(...lookAtBook(r, book(r)));
  return steps;
}

function account(r: Random, customer: number, options: JourneyOptions): Step[] {
  const steps: Step[] = [{ login: { email: `customer${customer}@example.com`, password: PASSWORD } }];
  steps.push({ method: 'GET', path: '/customers/me', auth: true });
  const picks = [book(r), book(r)];
  for (const id of picks) {
    steps.push(...lookAtBook(r, id));
    steps.push({ method: 'POST', path: '/cart/items', body: { bookId: id, quantity: r.int(1, 2) }, auth: true });
  }
  steps.push({ method: 'GET', path: '/cart', auth: true });
  if (r.chance(0.3)) steps.push({ method: 'PATCH', path: `/cart/items/${picks[0]}`, body: { quantity: 3 }, auth: true });
  if (r.chance(0.2)) steps.push({ method: 'GET', path: '/customers/me/addresses', auth: true });
  if (r.chance(0.05)) {
    steps.push({ method: 'POST', path: '/customers/me/addresses', body: { line1: `${r.int(1, 200)} High Street`, city: 'Springfield', postcode: `SP${r.int(10, 99)} 1AB`, region: 'north' }, auth: true });
  }
  if (options.checkout && r.chance(0.5)) {
    steps.push({ method: 'POST', path: '/orders', body: { card: TEST_CARD }, auth: true });
    steps.push({ method: 'GET', path: '/orders?limit=5', auth: true });
  } else {
    steps.push({ method: 'DELETE', path: '/cart', auth: true });
  }
  if (r.chance(0.2)) steps.push({ method: 'GET', path: `/recommendations/customers/${customer}`, auth: true });
  steps.push({ method: 'POST', path: '/logout', auth: true });
  return steps;
}

function staff(r: Random): Step[] {
  const steps: Step[] = [
    { method: 'GET', path: '/inventory/centers' },
    { method: 'GET', path: `/inventory/low-stock${r.chance(0.5) ? `?threshold=${r.int(1, 5)}` : ''}` },
    { method: 'GET', path: r.pick(REPORT_PATHS) },
    { method: 'GET', path: `/fulfillment/centers/${r.int(1, CENTERS)}/queue` },
  ];
  for (let i = r.int(1, 3); i > 0; i--) steps.push({ method: 'GET', path: `/inventory/${book(r)}` });
  if (r.chance(0.5)) steps.push({ method: 'GET', path: '/reviews/recent?limit=20' });
  if (r.chance(0.6)) steps.push({ method: 'GET', path: `/reviews/${r.int(1, 1400)}` });
  return steps;
}

/** Typos, stale links and bots: the 4xx answers every real shop serves (and that must match too). */
function mistakes(r: Random): Step[] {
  return [
    r.pick<HttpStep>([
      { method: 'GET', path: `/books/${BOOKS + r.int(1, 500)}` },
      { method: 'GET', path: '/books/abc' },
      { method: 'GET', path: '/books?limit=500' },
      { method: 'GET', path: '/books?sort=rating' },
    ]),
    r.pick<HttpStep>([
      { method: 'GET', path: `/inventory/${BOOKS + r.int(1, 500)}` },
      { method: 'GET', path: `/authors/${AUTHORS + r.int(1, 50)}` },
      { method: 'GET', path: `/reviews/${1400 + r.int(1, 500)}` },
      { method: 'GET', path: '/categories/no-such-shelf/books' },
      { method: 'GET', path: '/search?q=' },
      { method: 'GET', path: '/wp-login.php' },
    ]),
    { method: 'GET', path: listing(r) },
  ];
}

const KINDS: Array<[SessionKind, number]> = [
  ['browse', 0.5],
  ['search', 0.17],
  ['account', 0.18],
  ['staff', 0.1],
  ['mistakes', 0.05],
];

export function nextSession(r: Random, visitor: string, options: JourneyOptions): Session {
  let x = r.next();
  let kind: SessionKind = 'browse';
  for (const [k, w] of KINDS) {
    if (x < w) {
      kind = k;
      break;
    }
    x -= w;
  }
  if (kind === 'account') {
    const customer = r.int(1, CUSTOMERS);
    return { kind, customerKey: `customer-${customer}`, steps: account(r, customer, options) };
  }
  const steps = kind === 'browse' ? browse(r) : kind === 'search' ? search(r) : kind === 'staff' ? staff(r) : mistakes(r);
  return { kind, customerKey: visitor, steps };
}

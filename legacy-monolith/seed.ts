// Deterministic seed data: a fixed PRNG and fixed timestamps, so two fresh databases hold identical rows.
import type Database from 'better-sqlite3';
import { hashPassword } from './utils.ts';

export const SEED_SIZES = {
  authors: 60,
  categories: 12,
  books: 320,
  centers: 5,
  customers: 120,
  orders: 600,
  reviews: 1400,
} as const;

/** Every seeded customer logs in with this password (customer1@example.com … customer120@example.com). */
export const SEED_PASSWORD = 'bookshop123';

const BASE_TIME = Date.UTC(2024, 0, 1, 9, 0, 0);
const HOUR = 3_600_000;

// mulberry32: tiny, fast and the same on every platform.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ada', 'Bram', 'Clara', 'Dmitri', 'Elif', 'Farah', 'Gustav', 'Hana', 'Ivo', 'Jun', 'Kemal', 'Lena', 'Mateo', 'Nia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomoko'];
const LAST = ['Adler', 'Brooks', 'Castell', 'Duarte', 'Eriksen', 'Fujita', 'Garnier', 'Hallett', 'Ibsen', 'Janssen', 'Kowalski', 'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Pereira'];
const COUNTRIES = ['GB', 'US', 'DE', 'FR', 'JP', 'NG', 'BR', 'SE', 'PL', 'IN'];
export const CATEGORY_NAMES = ['Fiction', 'Mystery', 'Science Fiction', 'Fantasy', 'Biography', 'History', 'Science', 'Cooking', 'Travel', 'Poetry', 'Business', 'Children'];
const ADJ = ['Silent', 'Crimson', 'Hidden', 'Last', 'Broken', 'Golden', 'Distant', 'Little', 'Wild', 'Endless', 'Paper', 'Northern', 'Secret', 'Quiet', 'Burning', 'Glass'];
const NOUN = ['River', 'Garden', 'Empire', 'Harbour', 'Kingdom', 'Lighthouse', 'Orchard', 'Machine', 'Winter', 'Library', 'Compass', 'Mountain', 'Station', 'Kitchen', 'Archive', 'Voyage'];
const PRICES = [799, 999, 1250, 1499, 1999, 2499, 2999, 3995];
export const REGIONS = ['north', 'south', 'east', 'west', 'central'];
const CITIES: Record<string, string> = { north: 'Leeds', south: 'Brighton', east: 'Norwich', west: 'Bristol', central: 'Birmingham' };
const REVIEW_TITLES = ['Loved it', 'Not for me', 'A slow start', 'Brilliant', 'Solid read', 'Overrated', 'Could not put it down', 'Fine'];

function at(hours: number): string {
  return new Date(BASE_TIME + hours * HOUR).toISOString();
}

export function seedDatabase(conn: Database.Database): void {
  const rand = prng(20240101);
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

  const insert = conn.transaction(() => {
    const author = conn.prepare('INSERT INTO authors (id, name, country, born) VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= SEED_SIZES.authors; i++) {
      author.run(i, `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`, pick(COUNTRIES), int(1900, 1995));
    }
    const category = conn.prepare('INSERT INTO categories (id, slug, name) VALUES (?, ?, ?)');
    CATEGORY_NAMES.forEach((name, i) => category.run(i + 1, name.toLowerCase().replace(/ /g, '-'), name));

    const book = conn.prepare(
      'INSERT INTO books (id, isbn, title, author_id, category_id, price_cents, published_year, pages, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const bookPrice: number[] = [];
    for (let i = 1; i <= SEED_SIZES.books; i++) {
      const price = pick(PRICES);
      bookPrice[i] = price;
      const title = `The ${ADJ[i % ADJ.length]} ${NOUN[Math.floor(i / ADJ.length) % NOUN.length]}${i > 256 ? ` ${Math.floor(i / 256) + 1}` : ''}`;
      book.run(i, `978${String(1000000000 + i * 7919).slice(0, 10)}`, title, int(1, SEED_SIZES.authors), int(1, CATEGORY_NAMES.length), price, int(1950, 2023), int(90, 900), at(-24 * 365 + i));
    }

    const center = conn.prepare('INSERT INTO fulfillment_centers (id, code, name, region) VALUES (?, ?, ?, ?)');
    REGIONS.forEach((region, i) => center.run(i + 1, `FC-${region.slice(0, 1).toUpperCase()}${i + 1}`, `${CITIES[region]} fulfillment centre`, region));

    const stock = conn.prepare('INSERT INTO stock (book_id, center_id, quantity, reserved) VALUES (?, ?, ?, ?)');
    for (let b = 1; b <= SEED_SIZES.books; b++) {
      for (let c = 1; c <= SEED_SIZES.centers; c++) {
        // every 37th book is sold out everywhere; otherwise ~1 in 6 center/book pairs is empty
        const empty = b % 37 === 0 || rand() < 0.17;
        const quantity = empty ? 0 : int(1, 40);
        stock.run(b, c, quantity, quantity > 5 ? int(0, 2) : 0);
      }
    }

    const customer = conn.prepare('INSERT INTO customers (id, email, name, password_hash, region, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const address = conn.prepare('INSERT INTO addresses (customer_id, line1, city, postcode, region, is_default) VALUES (?, ?, ?, ?, ?, ?)');
    const passwordHash = hashPassword(SEED_PASSWORD);
    const customerRegion: string[] = [];
    for (let i = 1; i <= SEED_SIZES.customers; i++) {
      const region = REGIONS[i % REGIONS.length];
      customerRegion[i] = region;
      customer.run(i, `customer${i}@example.com`, `${pick(FIRST)} ${pick(LAST)}`, passwordHash, region, at(-24 * 200 + i * 3));
      address.run(i, `${int(1, 200)} ${pick(NOUN)} Street`, CITIES[region], `PC${int(10, 99)} ${int(1, 9)}XY`, region, 1);
      if (i % 4 === 0) address.run(i, `${int(1, 200)} ${pick(ADJ)} Lane`, CITIES[REGIONS[(i + 2) % 5]], `PC${int(10, 99)} ${int(1, 9)}AB`, REGIONS[(i + 2) % 5], 0);
    }

    const order = conn.prepare('INSERT INTO orders (id, reference, customer_id, status, total_cents, center_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const item = conn.prepare('INSERT INTO order_items (order_id, book_id, quantity, unit_price_cents) VALUES (?, ?, ?, ?)');
    const payment = conn.prepare('INSERT INTO payments (order_id, amount_cents, card_last4, status, created_at) VALUES (?, ?, ?, ?, ?)');
    const shipment = conn.prepare('INSERT INTO shipments (order_id, center_id, status, tracking, created_at) VALUES (?, ?, ?, ?, ?)');
    const statuses = ['delivered', 'delivered', 'delivered', 'shipped', 'paid', 'cancelled'];
    for (let o = 1; o <= SEED_SIZES.orders; o++) {
      const customerId = int(1, SEED_SIZES.customers);
      const centerId = REGIONS.indexOf(customerRegion[customerId]) + 1;
      const status = pick(statuses);
      const created = at(-24 * 120 + o * 4);
      const lines = int(1, 3);
      const seen = new Set<number>();
      let total = 0;
      const rows: [number, number, number][] = [];
      for (let l = 0; l < lines; l++) {
        // a skewed pick so that some books are clear best sellers
        const bookId = 1 + Math.floor(Math.pow(rand(), 2) * SEED_SIZES.books);
        if (seen.has(bookId)) continue;
        seen.add(bookId);
        const qty = int(1, 3);
        rows.push([bookId, qty, bookPrice[bookId]]);
        total += qty * bookPrice[bookId];
      }
      order.run(o, `ORD-SEED${String(o).padStart(4, '0')}`, customerId, status, total, centerId, created);
      for (const [bookId, qty, price] of rows) item.run(o, bookId, qty, price);
      payment.run(o, total, String(1000 + int(0, 8999)), status === 'cancelled' ? 'refunded' : 'captured', created);
      if (status !== 'cancelled') {
        shipment.run(o, centerId, status === 'paid' ? 'pending' : status, `TRK${String(o * 7919).padStart(8, '0')}`, created);
      }
    }

    const review = conn.prepare('INSERT INTO reviews (book_id, customer_id, rating, title, body, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    for (let r = 1; r <= SEED_SIZES.reviews; r++) {
      const bookId = 1 + Math.floor(Math.pow(rand(), 1.5) * SEED_SIZES.books);
      const rating = Math.min(5, Math.max(1, Math.round(2 + rand() * 3.4)));
      review.run(bookId, int(1, SEED_SIZES.customers), rating, pick(REVIEW_TITLES), `Review ${r}: ${pick(ADJ).toLowerCase()} and ${pick(ADJ).toLowerCase()}.`, at(-24 * 90 + r));
    }
  });
  insert();
}

export function isEmpty(conn: Database.Database): boolean {
  const row = conn.prepare('SELECT COUNT(*) AS n FROM books').get() as { n: number };
  return row.n === 0;
}

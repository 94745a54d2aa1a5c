// Contract tests: the monolith and each extracted service side by side (port 0, in-memory databases),
// the same requests on both. Responses must be identical except the documented noise (servedAt,
// x-request-id) and the divergences in services/divergences.ts — each of which must really show up.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { divergences } from '../../services/divergences.ts';
import { compare, startSideBySide, type SideBySide } from './side-by-side.ts';

type Service = 'catalog' | 'inventory' | 'reviews';

// [route pattern, request] for every GET route each service took over, happy paths and errors.
const READS: Record<Service, [string, string][]> = {
  catalog: [
    ['/books', '/books'],
    ['/books', '/books?limit=5&offset=10&sort=price'],
    ['/books', '/books?sort=title&order=desc&limit=50'],
    ['/books', '/books?category=poetry'],
    ['/books', '/books?sort=colour'],
    ['/books', '/books?category=nope'],
    ['/books', '/books?limit=1000'],
    ['/books/:id', '/books/5'],
    ['/books/:id', '/books/37'],
    ['/books/:id', '/books/99999'],
    ['/books/:id', '/books/abc'],
    ['/authors', '/authors'],
    ['/authors', '/authors?limit=3&offset=5'],
    ['/authors/:id', '/authors/7'],
    ['/authors/:id', '/authors/999'],
    ['/authors/:id/books', '/authors/7/books?sort=year'],
    ['/authors/:id/books', '/authors/999/books'],
    ['/categories', '/categories'],
    ['/categories/:slug/books', '/categories/mystery/books?sort=price&limit=40'],
    ['/categories/:slug/books', '/categories/nope/books'],
    ['/search', '/search?q=river'],
    ['/search', '/search?q=Duarte&sort=year&order=desc'],
    ['/search', '/search?q=x'],
    ['/search/suggest', '/search/suggest?q=The%20G'],
    ['/search/suggest', '/search/suggest'],
    ['(none)', '/no/such/route'],
  ],
  inventory: [
    ['/inventory/centers', '/inventory/centers'],
    ['/inventory/low-stock', '/inventory/low-stock'],
    ['/inventory/low-stock', '/inventory/low-stock?threshold=10&limit=100&offset=20'],
    ['/inventory/low-stock', '/inventory/low-stock?threshold=-1'],
    ['/inventory/:bookId', '/inventory/1'],
    ['/inventory/:bookId', '/inventory/2'],
    ['/inventory/:bookId', '/inventory/37'],
    ['/inventory/:bookId', '/inventory/99999'],
    ['/inventory/:bookId', '/inventory/x'],
  ],
  reviews: [
    ['/books/:bookId/reviews', '/books/1/reviews'],
    ['/books/:bookId/reviews', '/books/1/reviews?limit=5&offset=5'],
    ['/books/:bookId/reviews', '/books/99999/reviews'],
    ['/books/:bookId/reviews', '/books/x/reviews'],
    ...Array.from({ length: 20 }, (_, i): [string, string] => ['/books/:bookId/reviews/summary', `/books/${i + 1}/reviews/summary`]),
    ['/books/:bookId/reviews/summary', '/books/320/reviews/summary'],
    ['/books/:bookId/reviews/summary', '/books/99999/reviews/summary'],
    ['/reviews/recent', '/reviews/recent'],
    ['/reviews/recent', '/reviews/recent?limit=25'],
    ['/reviews/:id', '/reviews/1'],
    ['/reviews/:id', '/reviews/99999'],
    ['/reviews/:id', '/reviews/abc'],
  ],
};

function allowed(service: Service, route: string): string[] {
  return divergences.filter((d) => d.service === service && d.method === 'GET' && d.route === route).map((d) => `${d.path} ${d.kind}`);
}

describe('contract: GET routes of every service against the monolith', () => {
  let sides: SideBySide;
  before(async () => {
    sides = await startSideBySide();
  });
  after(() => sides.close());

  for (const service of ['catalog', 'inventory', 'reviews'] as const) {
    test(`${service}: identical except the documented divergences`, async () => {
      for (const [route, path] of READS[service]) {
        const { differences } = await compare({ monolith: sides.monolith.url, service: sides.services[service].url }, path);
        const unexpected = differences.map((d) => `${d.path} ${d.kind}`).filter((d) => !allowed(service, route).includes(d));
        assert.deepEqual(unexpected, [], `GET ${path}: undocumented differences`);
      }
    });
  }

  for (const d of divergences) {
    test(`divergence ${d.service} ${d.method} ${d.route} ${d.path} (${d.kind}) shows up on ${d.example}`, async () => {
      const { differences } = await compare({ monolith: sides.monolith.url, service: sides.services[d.service as Service].url }, d.example);
      assert.deepEqual(differences, [{ path: d.path, kind: d.kind }]);
      if (d.counterExample) {
        const counter = await compare({ monolith: sides.monolith.url, service: sides.services[d.service as Service].url }, d.counterExample);
        assert.deepEqual(counter.differences, [], `${d.counterExample} should match`);
      }
    });
  }

  test('every divergence is on a GET route the tests above exercise, with a folded JSON path', () => {
    for (const d of divergences) {
      assert.equal(d.method, 'GET');
      assert.ok(READS[d.service as Service].some(([route]) => route === d.route), `${d.route} not exercised`);
      assert.match(d.path, /^\$(\.[A-Za-z]+|\[\*\])*$/);
    }
    for (const s of ['catalog', 'inventory', 'reviews']) {
      const n = divergences.filter((d) => d.service === s).length;
      assert.ok(n >= 1 && n <= 2, `${s} has ${n} divergences`);
    }
  });
});

describe('contract: write routes (not shadowed by default, but kept compatible)', () => {
  let sides: SideBySide;
  const both = (s: Service) => ({ monolith: sides.monolith.url, service: sides.services[s].url });
  before(async () => {
    sides = await startSideBySide();
  });
  after(() => sides.close());

  test('catalog writes answer the same', async () => {
    const author = await compare(both('catalog'), '/authors', { method: 'POST', body: { name: 'New Writer', country: 'IE', born: 1980 } });
    assert.equal(author.monolith.status, 201);
    assert.deepEqual(author.differences, []);
    const category = await compare(both('catalog'), '/categories', { method: 'POST', body: { name: 'Graphic Novels' } });
    assert.deepEqual(category.differences, []);
    assert.deepEqual((await compare(both('catalog'), '/categories')).differences, []);
    const price = await compare(both('catalog'), '/books/7/price', { method: 'PATCH', body: { price: 17.25 } });
    assert.deepEqual(price.differences, []);
    // a book detail is a book detail: PUT answers without the rating too (same divergence as GET /books/:id)
    const put = await compare(both('catalog'), '/books/8', { method: 'PUT', body: { title: 'Renamed', categoryId: 3, price: 9.99, publishedYear: 2020, pages: 100 } });
    assert.deepEqual(put.differences, [{ path: '$.rating', kind: 'missing' }]);
    for (const bad of [{ title: 'x' }, '{"broken": ']) {
      assert.deepEqual((await compare(both('catalog'), '/books/8', { method: 'PUT', body: bad })).differences, []);
    }
    assert.deepEqual((await compare(both('catalog'), '/books/5')).differences, [{ path: '$.rating', kind: 'missing' }]);
  });

  test('inventory writes answer the same (createdAt of a new reservation is noise)', async () => {
    assert.deepEqual((await compare(both('inventory'), '/inventory/2/1', { method: 'PUT', body: { quantity: 5 } })).differences, []);
    const held = await compare(both('inventory'), '/inventory/reservations', { method: 'POST', body: { bookId: 2, centerId: 1, quantity: 2 }, ignore: ['createdAt'] });
    assert.equal(held.monolith.status, 201);
    assert.deepEqual(held.differences, []);
    const short = await compare(both('inventory'), '/inventory/reservations', { method: 'POST', body: { bookId: 2, centerId: 1, quantity: 50 } });
    assert.equal(short.monolith.status, 409);
    assert.deepEqual(short.differences, []);
    const id = (held.monolith.body as { id: number }).id;
    assert.deepEqual((await compare(both('inventory'), `/inventory/reservations/${id}`, { method: 'DELETE', ignore: ['createdAt'] })).differences, []);
    assert.deepEqual((await compare(both('inventory'), `/inventory/reservations/${id}`, { method: 'DELETE' })).differences, []);
    assert.deepEqual((await compare(both('inventory'), '/inventory/2')).differences, []);
  });

  test('reviews writes answer the same; only the customer check is gone', async () => {
    const created = await compare(both('reviews'), '/books/2/reviews', { method: 'POST', body: { customerId: 3, rating: 5, title: 'Great', body: 'Really.' }, ignore: ['createdAt'] });
    assert.equal(created.monolith.status, 201);
    assert.deepEqual(created.differences, []);
    assert.deepEqual((await compare(both('reviews'), '/books/2/reviews', { method: 'POST', body: { customerId: 3, rating: 9, title: 'x', body: 'y' } })).differences, []);
    assert.deepEqual((await compare(both('reviews'), '/books/99999/reviews', { method: 'POST', body: { customerId: 3, rating: 4, title: 'x', body: 'y' } })).differences, []);
    assert.deepEqual((await compare(both('reviews'), '/reviews/3', { method: 'DELETE' })).differences, []);
    assert.deepEqual((await compare(both('reviews'), '/reviews/3', { method: 'DELETE' })).differences, []);
  });
});

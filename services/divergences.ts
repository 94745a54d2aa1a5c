// The deliberate behaviour differences between the extracted services and the monolith: the ground
// truth the proxy's diff report is checked against (it must find exactly these, on GET routes).
// Every entry is deterministic: the same request on the same data gives the same difference.

export type DivergenceKind = 'changed' | 'type' | 'missing' | 'extra' | 'order' | 'length';

export interface Divergence {
  /** the service that differs: catalog | inventory | reviews */
  service: string;
  method: string;
  /** the Express route pattern, as registered in both apps */
  route: string;
  /** JSON path in the response body with array indices folded to [*] */
  path: string;
  kind: DivergenceKind;
  description: string;
  /** a request (path and query) on the seed data that shows the difference */
  example: string;
  /** a request on the same route that does NOT show it (where one exists), for negative checks */
  counterExample?: string;
}

export const divergences: Divergence[] = [
  {
    service: 'catalog',
    method: 'GET',
    route: '/books',
    path: '$.items[*].price',
    kind: 'type',
    description:
      'The list DTO of the rewrite formats every price as a string with two decimals ("12.50"); the monolith sends a number (12.5). Every item of every non-empty page.',
    example: '/books?limit=5',
  },
  {
    service: 'catalog',
    method: 'GET',
    route: '/books/:id',
    path: '$.rating',
    kind: 'missing',
    description:
      'The book detail no longer embeds { average, count } from the reviews table (ratings moved to the reviews service: GET /books/:bookId/reviews/summary). Every existing book.',
    example: '/books/5',
  },
  {
    service: 'inventory',
    method: 'GET',
    route: '/inventory/:bookId',
    path: '$.centers[*].reserved',
    kind: 'missing',
    description:
      'For a fulfillment center whose quantity is 0 the service leaves `reserved` out of the center entry; the monolith always sends it (0). Only books with at least one empty center, e.g. 1 (center 2) and 37 (sold out everywhere).',
    example: '/inventory/1',
    counterExample: '/inventory/2',
  },
  {
    service: 'reviews',
    method: 'GET',
    route: '/books/:bookId/reviews/summary',
    path: '$.average',
    kind: 'changed',
    description:
      'The average rating is rounded to one decimal instead of two (3.83 becomes 3.8). Only books whose two-decimal average is not already a one-decimal number; books with no reviews (null) or an average like 3.5 (book 3) match.',
    example: '/books/1/reviews/summary',
    counterExample: '/books/3/reviews/summary',
  },
];

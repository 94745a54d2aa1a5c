// Which monolith routes each extracted service has taken over (same method, same Express path), for
// building a proxy config or a demo. Kept true by test/services/ownership.test.ts.

export interface OwnedRoute {
  method: string;
  route: string;
}

export const serviceRoutes: Record<'catalog' | 'inventory' | 'reviews', OwnedRoute[]> = {
  catalog: [
    { method: 'GET', route: '/books' },
    { method: 'POST', route: '/books' },
    { method: 'GET', route: '/books/:id' },
    { method: 'PUT', route: '/books/:id' },
    { method: 'DELETE', route: '/books/:id' },
    { method: 'PATCH', route: '/books/:id/price' },
    { method: 'GET', route: '/authors' },
    { method: 'POST', route: '/authors' },
    { method: 'GET', route: '/authors/:id' },
    { method: 'GET', route: '/authors/:id/books' },
    { method: 'GET', route: '/categories' },
    { method: 'GET', route: '/categories/:slug/books' },
    { method: 'POST', route: '/categories' },
    { method: 'GET', route: '/search' },
    { method: 'GET', route: '/search/suggest' },
  ],
  inventory: [
    { method: 'GET', route: '/inventory/centers' },
    { method: 'GET', route: '/inventory/low-stock' },
    { method: 'POST', route: '/inventory/reservations' },
    { method: 'DELETE', route: '/inventory/reservations/:id' },
    { method: 'GET', route: '/inventory/:bookId' },
    { method: 'PUT', route: '/inventory/:bookId/:centerId' },
  ],
  reviews: [
    { method: 'GET', route: '/books/:bookId/reviews' },
    { method: 'POST', route: '/books/:bookId/reviews' },
    { method: 'GET', route: '/books/:bookId/reviews/summary' },
    { method: 'GET', route: '/reviews/recent' },
    { method: 'GET', route: '/reviews/:id' },
    { method: 'DELETE', route: '/reviews/:id' },
  ],
};

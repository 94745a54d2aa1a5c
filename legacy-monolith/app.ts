// The bookshop monolith: one Express app, one SQLite database, every module mounted here.
import express from 'express';
import type Database from 'better-sqlite3';
import { forgetDatabase, openDatabase, withDatabase } from './db.ts';
import { createSchema } from './schema.ts';
import { isEmpty, seedDatabase } from './seed.ts';
import { log } from './logger.ts';
import { requestContext } from './middleware/request-context.ts';
import { errorHandler, notFoundHandler } from './middleware/errors.ts';
import { requireAuth } from './middleware/auth.ts';
import { booksRouter } from './catalog/routes.ts';
import { authorsRouter } from './catalog/authors.ts';
import { categoriesRouter, listCategories } from './catalog/categories.ts';
import { searchRouter } from './catalog/search.ts';
import { inventoryRouter } from './inventory/routes.ts';
import { customersRouter } from './customers/routes.ts';
import { login, logout } from './customers/sessions.ts';
import { cartRouter } from './cart/routes.ts';
import { ordersRouter } from './orders/routes.ts';
import { paymentsRouter } from './payments/routes.ts';
import { fulfillmentRouter } from './fulfillment/routes.ts';
import { reviewsRouter } from './reviews/routes.ts';
import { recommendationsRouter } from './recommendations/routes.ts';
import { reportsRouter } from './reporting/routes.ts';

export const VERSION = '3.7.2';

export interface MonolithApp {
  app: express.Express;
  db: Database.Database;
  close(): void;
}

export function createApp(options: { dbPath?: string } = {}): MonolithApp {
  const conn = openDatabase(options.dbPath ?? ':memory:');
  createSchema(conn);
  if (isEmpty(conn)) {
    seedDatabase(conn);
    log.debug({ dbPath: options.dbPath ?? ':memory:' }, 'seeded database');
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext);
  app.use(express.json({ limit: '100kb' }));
  app.use((req, res, next) => withDatabase(conn, next));
  app.use((req, res, next) => {
    log.debug({ method: req.method, url: req.originalUrl }, 'request');
    next();
  });

  app.get('/health', (req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/version', (req, res) => {
    res.json({ name: 'bookshop', version: VERSION });
  });
  app.get('/categories', (req, res) => {
    res.json({ items: listCategories() });
  });
  app.post('/login', login);
  app.post('/logout', requireAuth, logout);

  app.use('/books', booksRouter);
  app.use('/authors', authorsRouter);
  app.use('/categories', categoriesRouter);
  app.use('/search', searchRouter);
  app.use('/inventory', inventoryRouter);
  app.use('/customers', customersRouter);
  app.use('/cart', cartRouter);
  app.use('/orders', requireAuth, ordersRouter);
  app.use('/payments', paymentsRouter);
  app.use('/fulfillment', fulfillmentRouter);
  app.use('/reviews', reviewsRouter);
  app.use('/recommendations', recommendationsRouter);
  app.use('/reports', reportsRouter);

  app.use(notFoundHandler);
  app.use(errorHandler(log));

  return {
    app,
    db: conn,
    close() {
      forgetDatabase(conn);
      if (conn.open) conn.close();
    },
  };
}

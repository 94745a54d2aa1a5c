// The reviews service: ratings and reviews with its own database; book titles come from the catalog
// service over HTTP (with a timeout) instead of a join on the books table.
import type express from 'express';
import type Database from 'better-sqlite3';
import { createLogger } from '../../common/log.ts';
import { openServiceDatabase } from '../kit/database.ts';
import { createServiceApp, finishServiceApp } from '../kit/http.ts';
import { CatalogClient } from './catalog-client.ts';
import { REVIEWS_SCHEMA, seedReviews } from './migrate-data.ts';
import { bookReviewsRouter, reviewsRouter } from './routes.ts';

export interface ServiceApp {
  app: express.Express;
  db: Database.Database;
  close(): void;
}

export interface ReviewsOptions {
  /** SQLite file of the service; ':memory:' by default */
  dbPath?: string;
  /** base URL of the catalog service; default CATALOG_URL or http://127.0.0.1:4001 */
  catalogUrl?: string;
  /** timeout of each catalog call; default 2000 ms */
  catalogTimeoutMs?: number;
  /** seed an empty database from this monolith database file instead of the committed export */
  monolithDbPath?: string;
}

export const log = createLogger('reviews-service');

export function createApp(options: ReviewsOptions = {}): ServiceApp {
  const conn = openServiceDatabase(options.dbPath ?? ':memory:', REVIEWS_SCHEMA);
  seedReviews(conn, options.monolithDbPath);
  const catalog = new CatalogClient(options.catalogUrl ?? process.env.CATALOG_URL ?? 'http://127.0.0.1:4001', options.catalogTimeoutMs ?? 2000);

  const app = createServiceApp('reviews', log);
  app.use('/books/:bookId/reviews', bookReviewsRouter(conn, catalog));
  app.use('/reviews', reviewsRouter(conn, catalog));
  finishServiceApp(app, log);

  return {
    app,
    db: conn,
    close() {
      if (conn.open) conn.close();
    },
  };
}

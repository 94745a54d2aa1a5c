// The catalog service: books, authors, categories and search, extracted from the monolith with the same
// paths and the same JSON contract (except the divergences listed in services/README.md).
import type express from 'express';
import type Database from 'better-sqlite3';
import { createLogger } from '../../common/log.ts';
import { openServiceDatabase } from '../kit/database.ts';
import { createServiceApp, finishServiceApp } from '../kit/http.ts';
import { CATALOG_SCHEMA, seedCatalog } from './migrate-data.ts';
import { authorsRouter } from './authors.ts';
import { booksRouter } from './books-routes.ts';
import { categoriesRouter, CategoryCache } from './categories.ts';
import { searchRouter } from './search.ts';

export interface ServiceApp {
  app: express.Express;
  db: Database.Database;
  close(): void;
}

export interface CatalogOptions {
  /** SQLite file of the service; ':memory:' by default */
  dbPath?: string;
  /** seed an empty database from this monolith database file instead of the committed export */
  monolithDbPath?: string;
}

export const log = createLogger('catalog-service');

export function createApp(options: CatalogOptions = {}): ServiceApp {
  const conn = openServiceDatabase(options.dbPath ?? ':memory:', CATALOG_SCHEMA);
  seedCatalog(conn, options.monolithDbPath);
  const categories = new CategoryCache(conn);

  const app = createServiceApp('catalog', log);
  app.use('/books', booksRouter(conn, categories));
  app.use('/authors', authorsRouter(conn));
  app.use('/categories', categoriesRouter(conn, categories));
  app.use('/search', searchRouter(conn));
  finishServiceApp(app, log);

  return {
    app,
    db: conn,
    close() {
      if (conn.open) conn.close();
    },
  };
}

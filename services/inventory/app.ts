// The inventory service: stock per fulfillment center and reservations, with its own database.
import type express from 'express';
import type Database from 'better-sqlite3';
import { createLogger } from '../../common/log.ts';
import { openServiceDatabase } from '../kit/database.ts';
import { createServiceApp, finishServiceApp } from '../kit/http.ts';
import { INVENTORY_SCHEMA, seedInventory } from './migrate-data.ts';
import { inventoryRouter } from './routes.ts';

export interface ServiceApp {
  app: express.Express;
  db: Database.Database;
  close(): void;
}

export interface InventoryOptions {
  /** SQLite file of the service; ':memory:' by default */
  dbPath?: string;
  /** seed an empty database from this monolith database file instead of the committed export */
  monolithDbPath?: string;
}

export const log = createLogger('inventory-service');

export function createApp(options: InventoryOptions = {}): ServiceApp {
  const conn = openServiceDatabase(options.dbPath ?? ':memory:', INVENTORY_SCHEMA);
  seedInventory(conn, options.monolithDbPath);
  const app = createServiceApp('inventory', log);
  app.use('/inventory', inventoryRouter(conn));
  finishServiceApp(app, log);
  return {
    app,
    db: conn,
    close() {
      if (conn.open) conn.close();
    },
  };
}

// `npm run services`: the three extracted services for manual use, on 4001 (catalog), 4002 (inventory)
// and 4003 (reviews, talking to that catalog). Ports: CATALOG_PORT, INVENTORY_PORT, REVIEWS_PORT.
// Databases: data/<service>.sqlite, seeded on first start (MONOLITH_DB_PATH: copy from a monolith file).
import { createLogger } from '../common/log.ts';
import { startCatalogService } from './catalog/server.ts';
import { startInventoryService } from './inventory/server.ts';
import { startReviewsService } from './reviews/server.ts';
import type { RunningService } from './kit/listen.ts';

const log = createLogger('services');
const host = process.env.HOST ?? '127.0.0.1';
const monolithDbPath = process.env.MONOLITH_DB_PATH;

const running: RunningService[] = [];
try {
  const catalog = await startCatalogService({ port: Number(process.env.CATALOG_PORT ?? 4001), host, dbPath: 'data/catalog.sqlite', monolithDbPath });
  running.push(catalog);
  const inventory = await startInventoryService({ port: Number(process.env.INVENTORY_PORT ?? 4002), host, dbPath: 'data/inventory.sqlite', monolithDbPath });
  running.push(inventory);
  const reviews = await startReviewsService({ port: Number(process.env.REVIEWS_PORT ?? 4003), host, dbPath: 'data/reviews.sqlite', catalogUrl: catalog.url, monolithDbPath });
  running.push(reviews);
  log.info({ catalog: catalog.url, inventory: inventory.url, reviews: reviews.url }, 'services listening');
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  process.stderr.write(`could not start the services: ${e.code === 'EADDRINUSE' ? `port in use (${e.message}); set CATALOG_PORT / INVENTORY_PORT / REVIEWS_PORT` : e.message}\n`);
  await Promise.allSettled(running.map((r) => r.close()));
  process.exit(2);
}

const stop = (signal: string) => {
  log.info({ signal }, 'shutting down');
  Promise.allSettled(running.map((r) => r.close())).then(() => process.exit(0));
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));

// Everything the demo runs, in this one process: the monolith, the three extracted services (their data
// migrated from the monolith's database file, as a team would at cut-over), and the proxy with the diff
// pipeline. One close() stops them in order and closes every database.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/log.ts';
import { UserError } from '../common/user-error.ts';
import { startMonolith, type RunningMonolith } from '../legacy-monolith/server.ts';
import { startCatalogService } from '../services/catalog/server.ts';
import { startInventoryService } from '../services/inventory/server.ts';
import { startReviewsService } from '../services/reviews/server.ts';
import type { RunningService } from '../services/kit/listen.ts';
import { createDiffPipeline, diffAdminRoutes, type DiffPipeline } from '../proxy/comparator.ts';
import type { ReportOptions } from '../proxy/report/index.ts';
import { parseConfig, type ProxyConfig, type ProxyConfigInput } from '../proxy/config.ts';
import { startProxy, type RunningProxy } from '../proxy/server.ts';
import { redactingRecorder } from '../proxy/traffic.ts';
import type { Pair } from '../proxy/types.ts';
import type { DemoUrls, ExtractedService } from './config.ts';

export interface DemoPorts {
  monolith: number;
  catalog: number;
  inventory: number;
  reviews: number;
  proxy: number;
  admin: number;
}

export const DEFAULT_PORTS: DemoPorts = { monolith: 3000, catalog: 4001, inventory: 4002, reviews: 4003, proxy: 8080, admin: 9090 };
export const RANDOM_PORTS: DemoPorts = { monolith: 0, catalog: 0, inventory: 0, reviews: 0, proxy: 0, admin: 0 };

export interface Backends {
  urls: DemoUrls;
  close(): Promise<void>;
}

/** The monolith and the services on fresh databases under dataDir (deleted first: every run starts from the seed). */
export async function startBackends(dataDir: string, ports: DemoPorts): Promise<Backends> {
  const db = (name: string): string => join(dataDir, `${name}.sqlite`);
  for (const name of ['monolith', 'catalog', 'inventory', 'reviews']) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db(name)}${suffix}`, { force: true });
  }
  const running: Array<RunningMonolith | RunningService> = [];
  const closeAll = async (): Promise<void> => {
    // services first (reviews calls catalog), the monolith last
    for (const r of running.splice(0).reverse()) await r.close();
  };
  try {
    const monolith = await startMonolith({ port: ports.monolith, dbPath: db('monolith') });
    running.push(monolith);
    const monolithDbPath = db('monolith');
    const catalog = await startCatalogService({ port: ports.catalog, dbPath: db('catalog'), monolithDbPath });
    running.push(catalog);
    const inventory = await startInventoryService({ port: ports.inventory, dbPath: db('inventory'), monolithDbPath });
    running.push(inventory);
    const reviews = await startReviewsService({ port: ports.reviews, dbPath: db('reviews'), monolithDbPath, catalogUrl: catalog.url });
    running.push(reviews);
    const services: Record<ExtractedService, string> = { catalog: catalog.url, inventory: inventory.url, reviews: reviews.url };
    return { urls: { legacy: monolith.url, services }, close: closeAll };
  } catch (err) {
    await closeAll();
    throw portError(err);
  }
}

function portError(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e.code !== 'EADDRINUSE') return err;
  return new UserError(`port ${e.port ?? '?'} on ${e.address ?? '127.0.0.1'} is already in use; stop what runs there or pass --random-ports`);
}

export interface ProxyStack {
  proxy: RunningProxy;
  pipeline: DiffPipeline;
  config: ProxyConfig;
  /** waits until every shadow copy sent so far is compared and in the store */
  settle(timeoutMs?: number): Promise<void>;
  /** closes the traffic recording (if any); later requests are not recorded */
  stopRecording(): Promise<void>;
  close(): Promise<void>;
}

export interface ProxyStackOptions {
  configPath: string;
  adminToken: string;
  logger: Logger;
  /** options of the live report at the admin API's GET /report */
  reportOptions?: Partial<ReportOptions>;
  /** record every request through the proxy to this NDJSON file (for `strangler replay`) until stopRecording */
  recordPath?: string;
}

export async function startProxyStack(input: ProxyConfigInput, options: ProxyStackOptions): Promise<ProxyStack> {
  const config = parseConfig(input, options.configPath);
  let proxy: RunningProxy | undefined;
  let pairs = 0;
  if (options.recordPath) rmSync(options.recordPath, { force: true });
  // the config's redaction list: tokens and cookies never reach the file
  const recorder = options.recordPath ? redactingRecorder(options.recordPath, config.redact) : undefined;
  const pipeline = createDiffPipeline(() => proxy?.config() ?? config, {
    logger: options.logger,
    proxyStats: () => proxy?.stats() ?? [],
  });
  const onPair = (pair: Pair): void => {
    pairs++;
    pipeline.comparator.onPair(pair);
  };
  try {
    proxy = await startProxy(config, {
      configPath: options.configPath,
      adminToken: options.adminToken,
      onPair,
      adminRoutes: diffAdminRoutes(pipeline.store, options.reportOptions, { beforeRead: () => pipeline.comparator.syncRoutes() }),
      logger: options.logger,
      onRequest: recorder?.onRequest,
    });
  } catch (err) {
    await pipeline.close();
    await recorder?.close();
    // the proxy's own message names its --port flag, which the demo does not have
    if (err instanceof UserError && /already in use/.test(err.message)) {
      throw new UserError(`${err.message.replace(/;.*$/, '')}; stop what runs there or pass --random-ports`);
    }
    throw err;
  }
  const running = proxy;

  async function settle(timeoutMs = 10_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const shadowed = (): number => running.stats().reduce((n, s) => n + s.shadowed, 0);
    // a copy becomes a pair once both answers are in; the comparator then works through its queue
    while (pairs < shadowed() || pipeline.comparator.stats().queued > 0) {
      if (performance.now() > deadline) {
        options.logger.warn({ pairs, shadowed: shadowed(), queued: pipeline.comparator.stats().queued }, 'shadow copies still outstanding; reporting what is in');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // a route that stopped being compared (migrated) keeps its old mode in the store until synced
    pipeline.comparator.syncRoutes();
  }

  return {
    proxy: running,
    pipeline,
    config,
    settle,
    stopRecording: async () => recorder?.close(),
    async close() {
      await running.close();
      await pipeline.close();
      await recorder?.close();
    },
  };
}

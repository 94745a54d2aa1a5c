// Starts the inventory service. Run directly: PORT (default 4002), DB_PATH (default data/inventory.sqlite),
// MONOLITH_DB_PATH (optional: seed an empty database from this monolith file).
import { createApp, log, type InventoryOptions } from './app.ts';
import { listen, type RunningService } from '../kit/listen.ts';
import { closeOnSignals, isMain } from '../kit/main.ts';

export async function startInventoryService(opts: InventoryOptions & { port?: number; host?: string } = {}): Promise<RunningService> {
  const service = createApp(opts);
  return listen(service.app, opts.port ?? 0, opts.host ?? '127.0.0.1', () => service.close());
}

if (isMain(import.meta.url)) {
  const dbPath = process.env.DB_PATH ?? 'data/inventory.sqlite';
  const running = await startInventoryService({
    port: Number(process.env.PORT ?? 4002),
    host: process.env.HOST ?? '127.0.0.1',
    dbPath,
    monolithDbPath: process.env.MONOLITH_DB_PATH,
  });
  log.info({ url: running.url, dbPath }, 'inventory service listening');
  closeOnSignals(running, log);
}

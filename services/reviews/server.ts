// Starts the reviews service. Run directly: PORT (default 4003), DB_PATH (default data/reviews.sqlite),
// CATALOG_URL (default http://127.0.0.1:4001), MONOLITH_DB_PATH (optional seed source).
import { createApp, log, type ReviewsOptions } from './app.ts';
import { listen, type RunningService } from '../kit/listen.ts';
import { closeOnSignals, isMain } from '../kit/main.ts';

export async function startReviewsService(opts: ReviewsOptions & { port?: number; host?: string } = {}): Promise<RunningService> {
  const service = createApp(opts);
  return listen(service.app, opts.port ?? 0, opts.host ?? '127.0.0.1', () => service.close());
}

if (isMain(import.meta.url)) {
  const dbPath = process.env.DB_PATH ?? 'data/reviews.sqlite';
  const running = await startReviewsService({
    port: Number(process.env.PORT ?? 4003),
    host: process.env.HOST ?? '127.0.0.1',
    dbPath,
    catalogUrl: process.env.CATALOG_URL,
    monolithDbPath: process.env.MONOLITH_DB_PATH,
  });
  log.info({ url: running.url, dbPath }, 'reviews service listening');
  closeOnSignals(running, log);
}

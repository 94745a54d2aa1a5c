// Starts the monolith on a port. Run directly: PORT (default 3000), DB_PATH (default data/monolith.sqlite).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.ts';
import { log } from './logger.ts';

export interface RunningMonolith {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMonolith(opts: { port?: number; host?: string; dbPath?: string } = {}): Promise<RunningMonolith> {
  const host = opts.host ?? '127.0.0.1';
  if (opts.dbPath && opts.dbPath !== ':memory:') mkdirSync(dirname(opts.dbPath), { recursive: true });
  const monolith = createApp({ dbPath: opts.dbPath });
  const server = monolith.app.listen(opts.port ?? 0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          monolith.close();
          if (err) reject(err);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000);
  const dbPath = process.env.DB_PATH ?? 'data/monolith.sqlite';
  const running = await startMonolith({ port, host: process.env.HOST ?? '127.0.0.1', dbPath });
  log.info({ url: running.url, dbPath }, 'bookshop monolith listening');
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

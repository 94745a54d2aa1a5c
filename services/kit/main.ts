// Shared bits of a service's entry point: "am I the main module" and a clean shutdown on signals.
import { pathToFileURL } from 'node:url';
import type { Logger } from '../../common/log.ts';
import type { RunningService } from './listen.ts';

export function isMain(moduleUrl: string): boolean {
  return Boolean(process.argv[1]) && moduleUrl === pathToFileURL(process.argv[1]).href;
}

export function closeOnSignals(running: RunningService, log: Logger): void {
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

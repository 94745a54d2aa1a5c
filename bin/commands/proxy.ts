// `strangler proxy`: run the strangler proxy from a config file until Ctrl-C (SIGINT/SIGTERM close it cleanly).
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../proxy/config.ts';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../proxy/server.ts';
import { runWorkers } from '../../proxy/workers.ts';

export interface ProxyFlags {
  config: string;
  port?: number;
  workers: number;
  adminInsecureLocal?: boolean;
}

function integerFlag(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag} expects an integer ${min}..${max}, got "${value}"`);
    return n;
  };
}

/**
 * ProxyOptions from the flags. This is the one place where optional features plug into the proxy
 * (the diff store's onPair, a traffic recorder's onRequest, extra admin routes), for one process or each worker.
 */
export function proxyOptions(flags: ProxyFlags): ProxyOptions {
  return { configPath: flags.config, port: flags.port, adminInsecureLocal: flags.adminInsecureLocal };
}

export function register(program: Command): void {
  program
    .command('proxy')
    .description('Run the strangler proxy in front of the monolith (per-route legacy | shadow | canary | migrated).')
    .option('-c, --config <file>', 'proxy config file (the analyzer emits one)', 'strangler.config.json')
    .option('-p, --port <n>', 'listen port (overrides listen.port)', integerFlag('--port', 0, 65535))
    .option('-w, --workers <n>', 'worker processes sharing the port (node:cluster)', integerFlag('--workers', 1, 256), 1)
    .option('--admin-insecure-local', 'run the admin API without a token, bound to 127.0.0.1 only')
    .action(async (flags: ProxyFlags) => {
      const config = loadConfig(flags.config); // invalid config: UserError, exit 2, every error listed
      if (flags.workers > 1) {
        await runWorkers(config, proxyOptions(flags), flags.workers);
        return;
      }
      const proxy = await startProxy(config, proxyOptions(flags));
      process.stdout.write(`strangler proxy on ${proxy.url} (admin ${proxy.adminUrl}), ${config.routes.length} routes from ${flags.config}\n`);
      await untilSignal(proxy);
    });
}

function untilSignal(proxy: RunningProxy): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void proxy.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

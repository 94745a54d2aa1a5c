// `strangler proxy`: run the strangler proxy from a config file until Ctrl-C (SIGINT/SIGTERM close it cleanly).
// Shadow pairs go to the comparator and the diff store (store.path in the config) unless --no-diffs.
// The proxy's modules are imported when the verb runs, not when it is registered: every other verb, and --help, would
// otherwise load them first (about half a second of each `strangler` start).
import type { Command } from 'commander';
import { integerFlag, pathFlag } from './flags.ts';
import { sameFile } from '../../common/same-file.ts';
import { UserError } from '../../common/user-error.ts';
import type { DiffPipeline } from '../../proxy/comparator.ts';
import type { ProxyConfig } from '../../proxy/config.ts';
import type { Logger } from 'pino';
import type { ProxyOptions, RunningProxy } from '../../proxy/server.ts';
import type { TrafficRecorder } from '../../proxy/traffic.ts';
import cluster from 'node:cluster';

export interface ProxyFlags {
  config: string;
  port?: number;
  workers: number;
  adminInsecureLocal?: boolean;
  diffs: boolean;
  record?: string;
}

/** What a proxy process runs with, and what must be closed after the proxy. */
export interface ProxySetup {
  options: ProxyOptions;
  /** set once the proxy runs, so hooks can read its live config and stats */
  attach(proxy: RunningProxy): void;
  close(): Promise<void>;
}

/**
 * The one place where optional features plug into the proxy, for one process or each worker: the diff
 * pipeline (onPair + /report, /api/diffs), and later a traffic recorder (onRequest) behind its own flag.
 */
export async function proxySetup(config: ProxyConfig, flags: ProxyFlags): Promise<ProxySetup> {
  const [{ createProxyLogger }, { servingFlagsNotice }, { startShadowThread }, { createDiffPipeline }, { SplitEngine }] = await Promise.all([
    import('../../proxy/request-log.ts'),
    import('../../proxy/runtime.ts'),
    import('../../proxy/shadow-thread.ts'),
    import('../../proxy/comparator.ts'),
    import('../../proxy/shadow-split.ts'),
  ]);
  let running: RunningProxy | undefined;
  // one logger for the process: the proxy's lines and the diff pipeline's go through the same buffered stream
  const logger = createProxyLogger();
  const v8 = servingFlagsNotice();
  if (v8) logger[v8.level]({ v8Flags: v8.v8Flags }, v8.msg);
  const proxyStats = () => running?.stats() ?? [];
  // shadowThread: the copies, the comparison and the store in a worker thread of each process that serves traffic
  // (with --workers the primary serves none: it reads the store for the admin API)
  const servesTraffic = !(flags.workers > 1 && cluster.isPrimary);
  if (config.shadowThread === true && !flags.diffs) logger.warn('shadowThread has no effect with --no-diffs: copies are made on the request thread, nothing is compared');
  const thread = flags.diffs && config.shadowThread === true && servesTraffic ? await startShadowThread(config, { logger, proxyStats, reportOptions: () => (running?.config() ?? config).report ?? {} }) : undefined;
  const pipeline: DiffPipeline | undefined = flags.diffs && !thread ? createDiffPipeline(() => running?.config() ?? config, { logger, proxyStats }) : undefined;
  // "slow" (the default): the request thread's copies go to that pipeline, a slow candidate's through a shadow thread
  const split = pipeline && config.shadowThread === 'slow' && servesTraffic ? new SplitEngine(config, { logger, onPair: (pair) => pipeline.comparator.onPair(pair) }) : undefined;
  const recorder = flags.record ? await trafficRecorder(() => running?.config() ?? config, flags.record, flags.workers, logger) : undefined;
  return {
    options: {
      configPath: flags.config,
      logger,
      port: flags.port,
      adminInsecureLocal: flags.adminInsecureLocal,
      onPair: pipeline ? (pair) => pipeline.comparator.onPair(pair) : undefined,
      shadowEngine: thread?.engine ?? split,
      adminRoutes: thread?.adminRoutes ?? pipeline?.adminRoutes,
      onRequest: recorder?.onRequest,
    },
    attach: (proxy) => void (running = proxy),
    close: async () => {
      await thread?.close();
      await split?.end();
      await pipeline?.close();
      await recorder?.close();
    },
  };
}

/**
 * --record: every request through the proxy, appended to an NDJSON file in `strangler replay`'s format,
 * with the config's redaction applied (headers, and JSON fields in bodies) before anything is written.
 * With --workers each worker writes its own file (traffic.ndjson → traffic.w1.ndjson) so lines never interleave.
 */
async function trafficRecorder(config: () => ProxyConfig, path: string, workers: number, logger: Logger): Promise<TrafficRecorder | undefined> {
  if (workers > 1 && cluster.isPrimary) return undefined; // the primary serves no traffic
  const { redactingRecorder } = await import('../../proxy/traffic.ts');
  const file = cluster.isWorker && cluster.worker ? path.replace(/(\.[^./]*)?$/, `.w${cluster.worker.id}$1`) : path;
  // the live config's redaction: a reload that adds a header or field redacts it from the next request on
  return redactingRecorder(file, () => config().redact, {
    onError: (err) => logger.error({ err, file }, 'recording stopped: the traffic file cannot be written; the proxy keeps serving'),
  });
}

export function register(program: Command): void {
  program
    .command('proxy')
    .description('Run the strangler proxy in front of the monolith (per-route legacy | shadow | canary | migrated).')
    .option('-c, --config <file>', 'proxy config file (the analyzer emits one)', pathFlag('--config', 'a config file'), 'strangler.config.json')
    .option('-p, --port <n>', 'listen port (overrides listen.port)', integerFlag('--port', 0, 65535))
    .option('-w, --workers <n>', 'worker processes sharing the port (node:cluster)', integerFlag('--workers', 1, 256), 1)
    .option('--admin-insecure-local', 'when no admin token is set, run the admin API without one, on 127.0.0.1 only')
    .option('--no-diffs', 'do not compare shadow pairs or write the diff store')
    .option('--record <file>', 'append every request to an NDJSON file for `strangler replay` (redacted)', pathFlag('--record', 'a file'))
    .action(async (flags: ProxyFlags) => {
      const [{ guardOf, loadConfig }, { statePath }, { checkStartup, startProxy }, { runWorkers }] = await Promise.all([
        import('../../proxy/config.ts'),
        import('../../proxy/control.ts'),
        import('../../proxy/server.ts'),
        import('../../proxy/workers.ts'),
      ]);
      const config = loadConfig(flags.config); // invalid config: UserError, exit 2, every error listed
      if (flags.record) refuseRecordingOver(flags.record, statePath(config, flags.config), config, flags.config);
      // a start that will be refused is refused before the diff store and the --record file are created
      // (the token is the primary's to check with --workers: a worker serves no admin API)
      checkStartup(config, { configPath: flags.config, adminInsecureLocal: flags.adminInsecureLocal, admin: !cluster.isWorker });
      const setup = await proxySetup(config, flags);
      if (flags.workers > 1) {
        await runWorkers(config, setup, flags.workers);
        return;
      }
      let proxy: RunningProxy;
      try {
        proxy = await startProxy(config, setup.options);
      } catch (err) {
        await setup.close();
        throw err;
      }
      setup.attach(proxy);
      const diffs = flags.diffs ? `, diffs to ${config.store.path}${config.shadowThread === true ? ' (shadow thread)' : ''}` : '';
      const guards = config.routes.map((r) => guardOf(config, r)).filter((g) => g !== undefined);
      const timed = guards.filter((g) => g.maxP99Ms !== undefined || g.maxP99Ratio !== undefined).length;
      const latency = timed === 0 ? '' : timed === guards.length ? ' (with p99 limits)' : ` (p99 limits on ${timed})`;
      const guard = guards.length > 0 ? `, canary guard on ${guards.length} route${guards.length === 1 ? '' : 's'}${latency}` : '';
      process.stdout.write(`strangler proxy on ${proxy.url} (admin ${proxy.adminUrl}), ${config.routes.length} routes from ${flags.config}${diffs}${guard}\n`);
      await untilSignal();
      await proxy.close();
      await setup.close();
    });
}

/** --record appends NDJSON: to the diff store, the config or the state file, that would destroy it. */
function refuseRecordingOver(record: string, state: string | undefined, config: ProxyConfig, configPath: string): void {
  const inputs: [string | undefined, string][] = [[config.store.path, 'the diff store (store.path)'], [configPath, 'the config file'], [state, 'the proxy state file']];
  for (const [path, what] of inputs) {
    if (path !== undefined && sameFile(record, path)) throw new UserError(`--record ${record} is ${what}; recording there would destroy it, pass another file`);
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

// --workers N: N processes (node:cluster) share the proxy port. The primary serves no traffic; it runs the
// control plane (admin API, config watch, persisted mode changes) and tells workers to reload. Workers push
// their counters every STATS_INTERVAL_MS, so admin stats in this mode are at most that stale.
import cluster, { type Worker } from 'node:cluster';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../common/log.ts';
import { UserError } from '../common/user-error.ts';
import { adminTokens, createAdminApp } from './admin.ts';
import { watchConfig, type ProxyConfig } from './config.ts';
import { ProxyControl } from './control.ts';
import { CanaryGuard } from './guard.ts';
import { createMetrics } from './metrics.ts';
import { ADMIN_LISTEN, listen, startProxy, type ProxyOptions, type RunningProxy } from './server.ts';
import { addRefusals, noRefusals, type RefusalCounts } from './refusals.ts';
import type { CopyLimit } from './copy-slots.ts';
import { RouteCounters, type CountersSnapshot, type RouteStats } from './stats.ts';
import { DEFAULT_ROUTE_ID } from './table.ts';
import { refuseSelfUpstreams } from './self-loop.ts';

const STATS_INTERVAL_MS = 250;
const SHUTDOWN_GRACE_MS = 10_000;

type ToWorker = { type: 'reload' } | { type: 'shutdown' };
type ToPrimary =
  | { type: 'ready'; url: string; address: AddressInfo }
  /** copyLimits: the worker's lowered copy limits by route id (absent when none is lowered) */
  | { type: 'stats'; snapshot: CountersSnapshot[]; refused?: RefusalCounts; copyLimits?: [string, CopyLimit][] }
  | { type: 'reload-failed'; error: string };

/** What each process runs with (built in every process: the primary and each worker run the same CLI). */
export interface WorkerSetup {
  options: ProxyOptions;
  /** the worker's proxy, once started (hooks that read live config or stats) */
  attach?(proxy: RunningProxy): void;
  /** after the proxy closed (flush the diff store, ...) */
  close?(): Promise<void>;
}

export async function runWorkers(config: ProxyConfig, setup: WorkerSetup, workers: number): Promise<void> {
  if (cluster.isWorker) return runWorker(config, setup);
  try {
    await runPrimary(config, setup.options, workers);
  } finally {
    await setup.close?.();
  }
}

async function runWorker(config: ProxyConfig, setup: WorkerSetup): Promise<void> {
  const { options } = setup;
  const send = (m: ToPrimary) => process.send?.(m);
  // listen for shutdown before starting: a worker told to stop while it starts must still stop
  let stopRequested = false;
  let stop = () => void (stopRequested = true);
  // a change told while it starts is applied once started: it may have read the state file before the change
  let reloadRequested = false;
  let reload = () => void (reloadRequested = true);
  process.on('message', (m: ToWorker) => (m.type === 'reload' ? reload() : stop()));
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  process.once('disconnect', () => stop());
  // the primary watches the config and serves the admin API; a worker only serves traffic
  // the primary persists mode changes and the overrides a reload drops; a worker reads the state file, never writes it
  const proxy = await startProxy(config, { ...options, admin: false, watch: false, persistState: false });
  setup.attach?.(proxy);
  send({ type: 'ready', url: proxy.url, address: proxy.address });
  const timer = setInterval(() => {
    const limits = proxy.copyLimits();
    send({ type: 'stats', snapshot: proxy.snapshot(), refused: proxy.refused(), copyLimits: limits.size > 0 ? [...limits] : undefined });
  }, STATS_INTERVAL_MS);
  timer.unref();
  reload = () => void proxy.reload().catch((err: Error) => send({ type: 'reload-failed', error: err.message }));
  if (reloadRequested) reload();
  await new Promise<void>((resolve) => {
    let stopping = false;
    stop = () => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      void proxy
        .close()
        .then(() => setup.close?.())
        .then(resolve);
    };
    if (stopRequested) stop();
  });
  process.exit(0);
}

async function runPrimary(config: ProxyConfig, options: ProxyOptions, count: number): Promise<void> {
  const log = options.logger ?? createLogger('proxy');
  const tokens = adminTokens(config.admin.token, { override: options.adminToken, insecureLocal: options.adminInsecureLocal }, log);

  const latest = new Map<number, CountersSnapshot[]>();
  const latestRefused = new Map<number, RefusalCounts>();
  const refused = (): RefusalCounts => {
    const sum = noRefusals();
    for (const counts of latestRefused.values()) addRefusals(sum, counts);
    return sum;
  };
  /** each live worker's lowered copy limits (a worker gone takes its own with it: they are its process's, not totals) */
  const latestLimits = new Map<number, [string, CopyLimit][]>();
  const copyLimits = () => lowestCopyLimits(latestLimits.values());
  const mergedCounters = (id: string): RouteCounters => {
    const c = new RouteCounters(id);
    for (const snaps of latest.values()) for (const s of snaps) if (s.routeId === id) c.merge(s);
    return c;
  };
  const merged = (id: string, mode: string, service: string | undefined, since?: CountersSnapshot): RouteStats => mergedCounters(id).toStats(mode, service, since);
  const broadcast = (m: ToWorker) => {
    for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send(m, undefined, undefined, deliveredOrExiting);
  };
  /** where the workers listen, from the first that did: a reload naming that address as an upstream is refused here */
  let workersAddress: AddressInfo | undefined;
  /** config changes (reloads, mode changes) told to the workers so far: one started meanwhile may have missed some */
  let changes = 0;
  const control = new ProxyControl(config, {
    configPath: options.configPath,
    log,
    accept: (next) => {
      if (workersAddress) refuseSelfUpstreams(next, workersAddress);
    },
    onApply: () => {
      changes++;
      broadcast({ type: 'reload' });
    },
    stats: merged,
    snapshot: (id) => mergedCounters(id).snapshot(),
    latency: (id) => mergedCounters(id).latency(),
    copyLimits,
  });
  const guard = new CanaryGuard(control, log);
  // the metrics count since the process started, whatever was started over (Prometheus counters only go up)
  const allStats = () => [
    ...control.views(true).map((v) => v.stats),
    merged(DEFAULT_ROUTE_ID, 'legacy', undefined),
  ];

  const admin = http.createServer(
    createAdminApp({
      config: () => control.effective(),
      routes: () => control.views(),
      defaultRoute: () => merged(DEFAULT_ROUTE_ID, 'legacy', undefined),
      refused,
      patchRoute: (id, patch, who) => control.patch(id, patch, who),
      reload: () => control.reload(),
      audit: () => control.audit(),
      startOver: (id) => control.startOver(id),
      metrics: createMetrics(allStats, () => guard.moves, refused, copyLimits),
      tokens,
      extraRoutes: options.adminRoutes,
      log,
    }),
  );
  await listen(admin, options.adminPort ?? config.admin.port, tokens ? config.admin.host : '127.0.0.1', ADMIN_LISTEN);
  guard.start(options.guardIntervalMs);
  const watcher = options.configPath
    ? watchConfig(options.configPath, (next) => control.apply(next), (err) => log.error({ errors: err.message }, 'config reload refused: the previous config keeps serving'))
    : undefined;

  let stopping = false;
  let announced = false;
  /** a worker exited before any worker ever served: the proxy cannot start (port taken, bad store ...) */
  let startFailure: number | undefined;
  /** workers that died at start one after another: each replacement waits longer (1 s, 2 s, … 30 s) */
  let failedStarts = 0;
  let stop = () => {};
  const adminAddr = admin.address() as AddressInfo;
  const fork = (): Worker => {
    const w = cluster.fork();
    const changesAtFork = changes;
    // a message to a worker that is exiting at that moment fails (EPIPE): without a listener that would end the primary
    w.on('error', (err) => log.debug({ err, worker: w.process.pid }, 'message to a worker not delivered (it is exiting)'));
    let ready = false;
    w.on('message', (m: ToPrimary) => {
      if (m.type === 'stats') {
        latest.set(w.id, m.snapshot);
        if (m.refused) latestRefused.set(w.id, m.refused);
        if (m.copyLimits) latestLimits.set(w.id, m.copyLimits);
        else latestLimits.delete(w.id);
      }
      else if (m.type === 'ready') {
        ready = true;
        workersAddress ??= m.address;
        failedStarts = 0;
        // told to stop before it listened for messages (a SIGTERM right after the first worker was ready): that
        // message was lost, so it is told again now, instead of serving until the grace period kills it
        if (stopping) {
          if (w.isConnected()) w.send({ type: 'shutdown' } satisfies ToWorker, undefined, undefined, deliveredOrExiting);
          return;
        }
        // a change made while it started may have reached it before it listened for messages (lost), or after it
        // read the config and the state file: told again, it reads both anew
        if (changes !== changesAtFork && w.isConnected()) w.send({ type: 'reload' } satisfies ToWorker, undefined, undefined, deliveredOrExiting);
        log.info({ worker: w.process.pid, url: m.url }, 'worker listening');
        if (!announced) {
          announced = true; // workers share one port (also when it was 0: the primary picks it once)
          process.stdout.write(`strangler proxy on ${m.url} (${count} workers), admin http://${adminAddr.address}:${adminAddr.port}\n`);
        }
      }
      else if (m.type === 'reload-failed') log.error({ worker: w.process.pid, errors: m.error }, 'worker refused the reload');
    });
    w.on('exit', (code, signal) => {
      // its counters stay in `latest` so totals do not drop when a worker is replaced; its copy limits go with it
      latestLimits.delete(w.id);
      if (stopping) return;
      if (!ready && !announced) {
        // none has served yet: the same error would stop every replacement; the worker printed why
        startFailure = code ?? 1;
        log.error({ worker: w.process.pid, code, signal }, 'worker could not start; stopping');
        stop();
        return;
      }
      // a replacement that dies at start (a resource gone since) is retried, more slowly each time, not in a tight loop
      const delay = ready ? 0 : Math.min(30_000, 1000 * 2 ** failedStarts++);
      log.error({ worker: w.process.pid, code, signal, retryInMs: delay }, 'worker died; starting another');
      setTimeout(() => stopping || fork(), delay);
    });
    return w;
  };
  for (let i = 0; i < count; i++) fork();

  await new Promise<void>((resolve) => {
    stop = () => {
      if (stopping) return;
      stopping = true;
      guard.stop();
      watcher?.close();
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
      let left = alive.length;
      const done = () => {
        admin.close(() => resolve());
        admin.closeAllConnections();
      };
      if (left === 0) done();
      for (const w of alive) {
        // a worker that does not finish its requests in time is killed, so the primary always exits
        const kill = setTimeout(() => {
          log.warn({ worker: w.process.pid, graceMs: SHUTDOWN_GRACE_MS }, 'worker did not stop in time; killed');
          w.process.kill('SIGKILL');
        }, SHUTDOWN_GRACE_MS);
        w.once('exit', () => {
          clearTimeout(kill);
          if (--left === 0) done();
        });
        // two workers failing at start together: this one may be exiting already, its channel closing
        if (w.isConnected()) w.send({ type: 'shutdown' } satisfies ToWorker, undefined, undefined, deliveredOrExiting);
      }
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (startFailure !== undefined) {
    throw new UserError(`no worker could start (a worker exited with code ${startFailure}; its error is above)`, startFailure === 2 ? 2 : 1);
  }
}

/**
 * The workers' copy limits as one per route: the lowest, with the cap it is under. Each worker holds its own (per
 * process, as the cap is) over the same candidate, so the lowest says how far that candidate's slowness has pushed
 * the copies down in any process; a route no worker limits has none.
 */
export function lowestCopyLimits(perWorker: Iterable<readonly [string, CopyLimit][]>): Map<string, CopyLimit> {
  const lowest = new Map<string, CopyLimit>();
  for (const limits of perWorker) {
    for (const [id, l] of limits) {
      const seen = lowest.get(id);
      if (seen === undefined || l.limit < seen.limit) lowest.set(id, l);
    }
  }
  return lowest;
}

/** A send to a worker whose channel closed under it (it is exiting) is not an error of the primary's. */
function deliveredOrExiting(): void {}

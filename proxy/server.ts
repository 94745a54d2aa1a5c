// startProxy: the strangler proxy as a library. The data path is a plain http server whose handler reads
// top to bottom: match route → pick upstream → forward → tee a shadow copy. Express only serves the admin API.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type express from 'express';
import { createLogger, type Logger } from '../common/log.ts';
import { UserError } from '../common/user-error.ts';
import { AdminError, createAdminApp, missingTokenError, resolveTokens, type RoutePatch, type RouteView } from './admin.ts';
import { inCanary } from './canary.ts';
import { loadConfig, MODES, watchConfig, type ConfigWatcher, type ProxyConfig } from './config.ts';
import { Forwarder, kState, type ForwardState, type Upstream } from './forward.ts';
import { createMetrics } from './metrics.ts';
import { requestPath } from './router.ts';
import { isSafeMethod, Shadower, type ShadowExchange } from './shadow.ts';
import { ModeState, settingOf, type RouteSetting } from './state.ts';
import type { RouteStats } from './stats.ts';
import { buildTable, type CompiledRoute, type CountersById, type RouteTable } from './table.ts';
import type { Mode, Pair } from './types.ts';

export interface ProxyOptions {
  /** enables hot reload (watch) and state persistence */
  configPath?: string;
  /** override listen */
  port?: number;
  host?: string;
  /** override admin.port (0 in tests) */
  adminPort?: number;
  /** override the resolved admin token */
  adminToken?: string;
  adminInsecureLocal?: boolean;
  /** called for each completed shadow exchange; never throws into the hot path */
  onPair?: (pair: Pair) => void;
  /** extra admin endpoints, mounted behind the admin auth (GET /report, /api/diffs, ...) */
  adminRoutes?: (router: express.Router) => void;
  logger?: Logger;
}

export interface RunningProxy {
  url: string;
  adminUrl: string;
  config(): ProxyConfig;
  stats(): RouteStats[];
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** Per-request state: what the forwarder needs plus the route and the shadow exchange, one object per request. */
class RequestState implements ForwardState {
  fallbackTo: Upstream | undefined = undefined;
  fellBack = false;
  failure: ForwardState['failure'] = undefined;
  exchange: ShadowExchange | undefined = undefined;
  constructor(
    public id: string,
    public start: number,
    public upstream: Upstream,
    public route: CompiledRoute,
  ) {}
}

const kRes = Symbol('strangler.request');
type Res = ServerResponse & { [kRes]?: RequestState };
type Req = IncomingMessage & { [kState]?: RequestState };

export async function startProxy(initial: ProxyConfig, options: ProxyOptions = {}): Promise<RunningProxy> {
  const log = options.logger ?? createLogger('proxy');
  const state = new ModeState(statePath(initial, options.configPath));
  const counters: CountersById = new Map();
  let fileConfig = initial;

  const forwarder = new Forwarder({
    onResponse(req, _res, proxyRes) {
      const s = (req as Req)[kState];
      if (s?.exchange) s.exchange.monolithResponse(proxyRes);
    },
    onFailure(req, fs, err) {
      const s = fs as RequestState;
      s.exchange?.monolithFailed();
      if (s.upstream !== s.route.legacy) s.route.counters.candidateErrors++;
      log.warn({ route: s.route.id, upstream: s.upstream.name, reason: s.failure, err: err.message, reqId: s.id }, 'upstream failed');
    },
    onFallback(_req, fs) {
      const s = fs as RequestState;
      s.route.counters.fallbacks++;
      s.route.counters.candidateErrors++;
    },
  });
  const shadower = new Shadower(options.onPair, log);
  let table: RouteTable = buildTable(state.apply(fileConfig), forwarder, counters);

  function serveCandidate(req: IncomingMessage, s: RequestState, route: CompiledRoute): void {
    s.upstream = route.candidate!;
    if (route.fallback && isSafeMethod(req.method)) s.fallbackTo = route.legacy;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const route = table.router.match(req.method ?? 'GET', requestPath(req.url ?? '/')) ?? table.defaultRoute;
    let id = req.headers['x-request-id'];
    if (typeof id !== 'string' || id === '') req.headers['x-request-id'] = id = randomUUID();
    const s = new RequestState(id, performance.now(), route.legacy, route);
    route.counters.requests++;
    res.setHeader('x-request-id', id);
    (res as Res)[kRes] = s;
    res.on('close', onClose);
    if (route.mode === 'migrated') serveCandidate(req, s, route);
    else if (route.mode === 'canary' && inCanary(route.sticky(req), route.canaryPercent)) serveCandidate(req, s, route);
    forwarder.web(req, res, s);
    // shadow mode, and the monolith-served share of a canary, copy the request to the candidate
    if (route.shadow && s.upstream === route.legacy) s.exchange = shadower.begin(req, route.shadow, id, s.start);
  }

  // one function for every response (no per-request closure): latency, then the request's log line
  function onClose(this: ServerResponse): void {
    const s = (this as Res)[kRes];
    if (!s) return;
    const ms = performance.now() - s.start;
    const finished = this.writableFinished;
    if (finished) (s.upstream === s.route.legacy ? s.route.counters.monolith : s.route.counters.candidate).record(ms);
    log.info(
      { route: s.route.id, mode: s.route.mode, upstream: s.upstream.name, status: this.statusCode, ms: Math.round(ms * 100) / 100, reqId: s.id, aborted: !finished || undefined },
      'request',
    );
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const route = table.router.match(req.method ?? 'GET', requestPath(req.url ?? '/')) ?? table.defaultRoute;
    socket.on('error', () => socket.destroy());
    const candidate = route.mode === 'migrated' || (route.mode === 'canary' && inCanary(route.sticky(req), route.canaryPercent));
    forwarder.ws(req, socket, head, candidate ? route.candidate! : route.legacy);
  }

  const server = http.createServer(handle);
  server.on('upgrade', upgrade);
  await listen(server, options.port ?? initial.listen.port, options.host ?? initial.listen.host);

  // ---- control plane: stats, mode changes, reload ----
  const stats = (): RouteStats[] => table.routes.map((r) => r.counters.toStats(r.mode, r.service));
  const viewOf = (r: CompiledRoute): RouteView => {
    const c = r.config!;
    return {
      id: r.id,
      method: c.method,
      path: c.path,
      service: c.service,
      owner: table.config.services[c.service]?.owner,
      mode: r.mode,
      canary: c.canary,
      fallback: r.fallback,
      stats: r.counters.toStats(r.mode, r.service),
    };
  };

  function applyConfig(next: ProxyConfig): void {
    if (next.listen.port !== fileConfig.listen.port || next.listen.host !== fileConfig.listen.host) {
      log.warn('listen address changed in the config: restart the proxy to apply it');
    }
    const nextTable = buildTable(state.apply(next), forwarder, counters);
    fileConfig = next;
    table = nextTable; // atomic swap: requests in flight keep the route objects they matched
    log.info({ routes: next.routes.length }, 'config applied');
  }

  async function reload(): Promise<void> {
    applyConfig(options.configPath ? loadConfig(options.configPath) : fileConfig);
  }

  function patchRoute(id: string, patch: RoutePatch, who: string): RouteView {
    const route = table.routes.find((r) => r.id === id);
    if (!route) throw new AdminError(404, `no route with id "${id}"`);
    if (patch.mode !== undefined && !(MODES as readonly string[]).includes(patch.mode)) {
      throw new AdminError(400, `mode: expected one of ${MODES.join('|')}`);
    }
    if (patch.percent !== undefined && !(patch.percent >= 0 && patch.percent <= 100)) {
      throw new AdminError(400, 'percent: expected a number 0..100');
    }
    const from = settingOf(table.config, id)!;
    const to: RouteSetting = { mode: (patch.mode as Mode | undefined) ?? from.mode };
    const percent = patch.percent ?? from.percent;
    if (percent !== undefined) to.percent = percent;
    if (to.mode === 'canary' && to.percent === undefined) {
      throw new AdminError(400, 'mode canary needs a percent: send {"mode":"canary","percent":10}');
    }
    const entry = state.change(fileConfig, id, from, to, who);
    table = buildTable(state.apply(fileConfig), forwarder, counters);
    log.info({ route: id, from: entry.from, to: entry.to, who }, 'route mode changed');
    return viewOf(table.routes.find((r) => r.id === id)!);
  }

  let tokens = resolveTokens(initial.admin.token, options.adminToken);
  if (!tokens && !options.adminInsecureLocal) {
    server.close();
    throw missingTokenError(initial.admin.token);
  }
  const adminHost = tokens ? initial.admin.host : '127.0.0.1';
  const admin = createAdminApp({
    config: () => table.config,
    routes: () => table.routes.map(viewOf),
    defaultRoute: () => table.defaultRoute.counters.toStats('legacy', undefined),
    patchRoute,
    reload,
    audit: () => state.audit(),
    metrics: createMetrics(() => [...stats(), table.defaultRoute.counters.toStats('legacy', undefined)]),
    tokens,
    extraRoutes: options.adminRoutes,
    log,
  });
  const adminServer = http.createServer(admin);
  try {
    await listen(adminServer, options.adminPort ?? initial.admin.port, adminHost);
  } catch (err) {
    server.close();
    throw err;
  }
  tokens = undefined; // the admin app holds the hashes it needs

  let watcher: ConfigWatcher | undefined;
  if (options.configPath) {
    watcher = watchConfig(
      options.configPath,
      (next) => applyConfig(next),
      (err) => log.error({ errors: err.message }, 'config reload refused: the previous config keeps serving'),
    );
  }

  const url = urlOf(server);
  const adminUrl = urlOf(adminServer);
  log.info({ url, adminUrl, routes: initial.routes.length }, 'strangler proxy listening');

  return {
    url,
    adminUrl,
    config: () => table.config,
    stats,
    reload,
    async close() {
      watcher?.close();
      await Promise.all([closeServer(server), closeServer(adminServer)]);
      forwarder.close();
      await shadower.close();
    },
  };
}

function statePath(config: ProxyConfig, configPath: string | undefined): string | undefined {
  return config.state ?? (configPath ? `${configPath}.state.json` : undefined);
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new UserError(`port ${port} on ${host} is already in use; pick another with --port or listen.port`) : err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function urlOf(server: http.Server): string {
  const a = server.address() as AddressInfo;
  const host = a.address === '0.0.0.0' || a.address === '::' ? '127.0.0.1' : a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

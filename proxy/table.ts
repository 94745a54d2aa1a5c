// The route table: a config compiled into everything the hot path needs per route (upstreams, shadow plan,
// canary key reader, counters), so serving a request is a lookup plus a few field reads. A new table is
// built per config (reload, mode change) and swapped in whole; requests in flight keep the one they started with.
import type { Logger } from '../common/log.ts';
import { accessLog, type AccessLog } from './request-log.ts';
import { stickyKey, type StickyKey } from './canary.ts';
import type { ProxyConfig, RouteConfig } from './config.ts';
import type { Forwarder, Upstream } from './forward.ts';
import { compileRouter, type Router } from './router.ts';
import type { ShadowPlan } from './shadow.ts';
import { RouteCounters } from './stats.ts';
import type { Mode } from './types.ts';

/** Timeout of a forwarded (client-facing) call when the route sets none. */
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_ROUTE_ID = '(default)';

export interface CompiledRoute {
  id: string;
  mode: Mode;
  service: string | undefined;
  legacy: Upstream;
  candidate: Upstream | undefined;
  fallback: boolean;
  canaryPercent: number;
  sticky: StickyKey;
  shadow: ShadowPlan | undefined;
  counters: RouteCounters;
  config: RouteConfig | undefined;
  /** request loggers with route, mode and upstream bound, one per side */
  log: { legacy: AccessLog; candidate: AccessLog };
}

export interface RouteTable {
  config: ProxyConfig;
  router: Router<CompiledRoute>;
  routes: CompiledRoute[];
  defaultRoute: CompiledRoute;
}

/** Counters live outside tables, keyed by route id, so they survive reloads. */
export type CountersById = Map<string, RouteCounters>;

export function countersFor(all: CountersById, id: string): RouteCounters {
  let c = all.get(id);
  if (!c) all.set(id, (c = new RouteCounters(id)));
  return c;
}

export function buildTable(config: ProxyConfig, forwarder: Forwarder, counters: CountersById, log: Logger): RouteTable {
  const legacyDefault = forwarder.upstream('legacy', config.legacy.url, DEFAULT_TIMEOUT_MS, config.legacy.hostHeader);
  const routes = config.routes.map((r) => compileRoute(config, r, forwarder, counters, log));
  const defaultLog = accessLog(log, { route: DEFAULT_ROUTE_ID, mode: 'legacy', upstream: 'legacy' });
  const defaultRoute: CompiledRoute = {
    id: DEFAULT_ROUTE_ID,
    mode: 'legacy',
    service: undefined,
    legacy: legacyDefault,
    candidate: undefined,
    fallback: false,
    canaryPercent: 0,
    sticky: stickyKey('ip'),
    shadow: undefined,
    counters: countersFor(counters, DEFAULT_ROUTE_ID),
    config: undefined,
    log: { legacy: defaultLog, candidate: defaultLog },
  };
  const router = compileRouter(routes.map((c) => ({ method: c.config!.method, path: c.config!.path, value: c })));
  return { config, router, routes, defaultRoute };
}

function compileRoute(config: ProxyConfig, r: RouteConfig, forwarder: Forwarder, counters: CountersById, log: Logger): CompiledRoute {
  const timeoutMs = r.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const service = config.services[r.service];
  const mode = (r.mode ?? config.defaults.mode) as Mode;
  const routeCounters = countersFor(counters, r.id);
  const s = { ...config.defaults.shadow, ...r.shadow };
  const legacyUrl = new URL(config.legacy.url);
  const serviceUrl = new URL(service.url);
  const shadow: ShadowPlan | undefined =
    mode === 'shadow' || mode === 'canary'
      ? {
          routeId: r.id,
          service: r.service,
          candidateOrigin: serviceUrl.origin,
          candidateHost: service.hostHeader === 'upstream' ? serviceUrl.host : undefined,
          candidateBase: basePath(serviceUrl),
          legacyOrigin: legacyUrl.origin,
          legacyHost: config.legacy.hostHeader === 'upstream' ? legacyUrl.host : undefined,
          legacyBase: basePath(legacyUrl),
          sample: s.sample,
          concurrency: s.concurrency,
          adaptive: s.adaptive,
          timeoutMs: s.timeoutMs,
          maxBodyBytes: s.maxBodyBytes,
          writes: r.writes ?? s.writes,
          noiseSample: config.defaults.noise.learn ? config.defaults.noise.sample : 0,
          noiseSettleAfter: config.defaults.noise.settleAfter,
          noiseSettledSample: config.defaults.noise.learn ? config.defaults.noise.settledSample : 0,
          counters: routeCounters,
        }
      : undefined;
  return {
    id: r.id,
    mode,
    service: r.service,
    legacy: forwarder.upstream('legacy', config.legacy.url, timeoutMs, config.legacy.hostHeader),
    candidate: forwarder.upstream(r.service, service.url, timeoutMs, service.hostHeader),
    fallback: r.fallback ?? false,
    canaryPercent: r.canary?.percent ?? 0,
    sticky: stickyKey(r.canary?.stickyBy ?? 'ip'),
    shadow,
    counters: routeCounters,
    config: r,
    log: { legacy: accessLog(log, { route: r.id, mode, upstream: 'legacy' }), candidate: accessLog(log, { route: r.id, mode, upstream: r.service }) },
  };
}

function basePath(url: URL): string {
  return url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
}

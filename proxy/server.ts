// startProxy: the strangler proxy as a library. The data path is a plain http server whose handler reads
// top to bottom: match route → pick upstream → forward → tee a shadow copy. Express only serves the admin API.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type express from 'express';
import type { Logger } from '../common/log.ts';
import { createProxyLogger } from './request-log.ts';
import { UserError } from '../common/user-error.ts';
import { adminTokens, createAdminApp, type AdminContext } from './admin.ts';
import { inCanary } from './canary.ts';
import { startupOnlyChanges, watchConfig, type ConfigWatcher, type ProxyConfig } from './config.ts';
import { ProxyControl, statePath } from './control.ts';
import { Forwarder, type ForwardState, type Upstream } from './forward.ts';
import { createMetrics } from './metrics.ts';
import { hostProblem, type HostProblem } from './host-header.ts';
import { hasRequestBody, hasUnsupportedTransferCoding } from './request-body.ts';
import { requestPath } from './router.ts';
import { absoluteTarget } from './target.ts';
import { cutForLog, onClientError, Refusals, type RefusalCounts, type RefusalReason } from './refusals.ts';
import { Handshake, isWebSocketUpgrade, serveWithoutUpgrade, socketAnswer } from './upgrade.ts';
import { isSafeMethod, Shadower, type ShadowEngine, type ShadowSide } from './shadow.ts';
import type { CopyLimit } from './copy-slots.ts';
import type { CountersSnapshot, RouteStats } from './stats.ts';
import { CanaryGuard } from './guard.ts';
import { ModeState } from './state.ts';
import { refuseSelfUpstreams } from './self-loop.ts';
import { buildTable, countersFor, type CompiledRoute, type CountersById, type RouteTable } from './table.ts';
import type { Pair } from './types.ts';

export interface ProxyOptions {
  /** enables hot reload (watch) and state persistence */
  configPath?: string;
  /** false: read the state file beside the config but never write it (--workers: only the primary writes it) */
  persistState?: boolean;
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
  /**
   * where shadow copies are made instead of on this thread (onPair unused then): the shadow thread of
   * shadow-thread.ts, which copies, compares and stores off the request thread. Told of every config applied;
   * the thread itself is ended by its owner after the proxy closed (ShadowThread.close).
   */
  shadowEngine?: ShadowEngine;
  /** extra admin endpoints, mounted behind the admin auth (GET /report, /api/diffs, ...); `admin.hasRoute(id)` says whether the proxy runs a route */
  adminRoutes?: (router: express.Router, admin: AdminContext) => void;
  logger?: Logger;
  /** false: no admin API in this process (the workers of --workers; the primary serves it) */
  admin?: boolean;
  /** false: do not watch configPath (reload() and POST /api/reload still re-read it) */
  watch?: boolean;
  /** called at the start of every request, before forwarding (a traffic recorder hooks in here) */
  onRequest?: (req: IncomingMessage, requestId: string, routeId: string) => void;
  /** how often the canary guard looks at the counters (default 1 s; tests go faster) */
  guardIntervalMs?: number;
}

export interface RunningProxy {
  url: string;
  /** where the proxy listens (its address as bound: 0.0.0.0 stays 0.0.0.0) */
  address: AddressInfo;
  adminUrl: string;
  config(): ProxyConfig;
  stats(): RouteStats[];
  reload(): Promise<void>;
  /** raw counters and histograms per route (for aggregating --workers in the primary) */
  snapshot(): CountersSnapshot[];
  /** the requests the proxy answered itself (a bad Host or target, a transfer coding it does not pass on, what Node's parser refused), by reason */
  refused(): RefusalCounts;
  /** the shadowed routes whose service's copies are held below the cap (a slow candidate: CopySlots), by route id */
  copyLimits(): Map<string, CopyLimit>;
  close(): Promise<void>;
}

/** Per-request state: what the forwarder needs plus the route and the shadow exchange, one object per request. */
class RequestState implements ForwardState {
  fallbackTo: Upstream | undefined = undefined;
  fellBack = false;
  resent = false;
  teTrailers = false;
  failure: ForwardState['failure'] = undefined;
  deadline = 0;
  timedOut = false;
  proxyReq: ForwardState['proxyReq'] = undefined;
  waiting = false;
  prevWaiting: ForwardState | undefined = undefined;
  nextWaiting: ForwardState | undefined = undefined;
  exchange: ShadowSide | undefined = undefined;
  constructor(
    public id: string,
    public start: number,
    public upstream: Upstream,
    public route: CompiledRoute,
    public addId: boolean,
  ) {}
}

export async function startProxy(initial: ProxyConfig, options: ProxyOptions = {}): Promise<RunningProxy> {
  const log = options.logger ?? createProxyLogger();
  // first, before anything is made or bound: no token refuses the start
  const tokens = options.admin === false ? undefined : adminTokens(initial.admin.token, { override: options.adminToken, insecureLocal: options.adminInsecureLocal }, log);
  const counters: CountersById = new Map();

  const forwarder = new Forwarder({
    onResponse(fs, proxyRes) {
      const s = fs as RequestState;
      return s.exchange?.monolithResponse(proxyRes);
    },
    // the client's exchange is over: latency, then the request's log line
    onDone(fs, res, finished) {
      const s = fs as RequestState;
      // cut short before the monolith's answer was whole (the client left while it was still working): no pair, and
      // the copy gives back what it holds (no error event says so: the forwarder stops that upstream request quietly)
      if (!finished && s.exchange !== undefined) s.exchange.monolithFailed();
      const ms = performance.now() - s.start;
      const monolith = s.upstream === s.route.legacy;
      s.route.counters.answer(monolith, res.statusCode, ms, finished);
      // route, mode and upstream are bound once per table (request-log.ts writes the line with them pre-serialised)
      (monolith ? s.route.log.legacy : s.route.log.candidate).request(res.statusCode, Math.round(ms * 100) / 100, s.id, !finished);
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
  const shadower: ShadowEngine = options.shadowEngine ?? new Shadower(options.onPair, log, initial.memory.shadowBytes);
  shadower.setBudget(initial.memory.shadowBytes);
  const onRequest = options.onRequest;
  let table: RouteTable; // built from the effective config (file + persisted overrides) below
  const refusals = new Refusals(log);

  /**
   * Counts and logs a request the proxy answers itself (refusals.ts); returns the id its answer carries: the client's
   * when usable, else a generated one. Only ever called for a refusal: none of this is on a served request's path.
   */
  function countRefusal(req: IncomingMessage, reason: RefusalReason, status: number): string {
    let id = req.headers['x-request-id'];
    if (typeof id !== 'string' || !USABLE_REQUEST_ID.test(id)) id = randomUUID();
    const method = req.method ?? 'GET';
    const client = req.socket.remoteAddress;
    if (reason === 'target-invalid') refusals.refused(reason, { method, status, reqId: id, target: cutForLog(req.url ?? ''), client });
    else {
      const path = requestPath(req.url ?? '/');
      // the default route (no match) is left out: the line names a route only when the path is one of the config's
      // (`OPTIONS *` names none: it is the server's)
      const route = path.charCodeAt(0) === 47 /* / */ ? table.router.match(method, path) : undefined;
      refusals.refused(reason, { method, path: cutForLog(path), route: route?.id, status, reqId: id, client });
    }
    return id;
  }

  function serveCandidate(req: IncomingMessage, s: RequestState, route: CompiledRoute): void {
    s.upstream = route.candidate!;
    // a body goes to the candidate as it streams and is not kept: a retry would send the monolith the request without it
    if (route.fallback && isSafeMethod(req.method) && !hasRequestBody(req.headers)) s.fallbackTo = route.legacy;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const badHost = hostProblem(req.rawHeaders);
    if (badHost !== undefined) return refuseHost(res, badHost, countRefusal(req, HOST_REASON[badHost], 400));
    // a path, the common target (an absolute-form one is made the path it names); else the asterisk form or refused
    const asterisk = !originForm(req);
    if (asterisk && !isServerOptions(req)) return refuseTarget(res, req, countRefusal(req, 'target-invalid', 400));
    if (req.headers['transfer-encoding'] !== undefined && hasUnsupportedTransferCoding(req.headers)) return refuseTransferCoding(res, countRefusal(req, 'transfer-coding', 501));
    // `OPTIONS *` is about the server as a whole: the monolith's (the default route), never a route's, so never copied
    // nor sent to a service, which a catch-all route (`* /*`) would have done with the `/*` it used to become
    const route = asterisk ? table.defaultRoute : (table.router.match(req.method ?? 'GET', requestPath(req.url ?? '/')) ?? table.defaultRoute);
    let id = req.headers['x-request-id'];
    // a generated id is added to the upstream request by the forwarder, not written into req.headers:
    // adding a key to Node's headers object measured at a quarter of legacy mode's CPU per request
    // a client's id is kept when it is one token of visible ASCII (no quotes, backslashes or spaces: it goes into
    // logs, headers and the diff store) of at most 200 characters; anything else gets a generated one
    const generated = typeof id !== 'string' || !USABLE_REQUEST_ID.test(id);
    if (generated) id = randomUUID();
    const s = new RequestState(id as string, performance.now(), route.legacy, route, generated);
    route.counters.requests++;
    res.setHeader('x-request-id', id as string);
    if (onRequest) onRequest(req, id as string, route.id);
    if (route.mode === 'migrated') serveCandidate(req, s, route);
    else if (route.mode === 'canary' && inCanary(route.sticky(req), route.canaryPercent)) serveCandidate(req, s, route);
    forwarder.web(req, res, s);
    // shadow mode, and the monolith-served share of a canary, copy the request to the candidate
    if (route.shadow && s.upstream === route.legacy) s.exchange = shadower.begin(req, route.shadow, id as string, s.start);
  }

  // upgraded connections leave the http server's bookkeeping; tracked here so close() can end them
  const upgraded = new Set<Duplex>();
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const badHost = hostProblem(req.rawHeaders);
    if (badHost !== undefined) return void socket.end(socketAnswer('400 Bad Request', HOST_REFUSED[badHost], countRefusal(req, HOST_REASON[badHost], 400)));
    // served as a request, from its head as received: the request handler reads its target then
    if (!isWebSocketUpgrade(req)) return serveWithoutUpgrade(server, req, socket, head);
    // an upgrade is a GET: the asterisk form is refused as an invalid target is
    if (!originForm(req)) return void socket.end(socketAnswer('400 Bad Request', targetRefused(req), countRefusal(req, 'target-invalid', 400)));
    const start = performance.now();
    const path = requestPath(req.url ?? '/');
    const route = table.router.match(req.method ?? 'GET', path) ?? table.defaultRoute;
    // the id as a request's: the client's when usable, else one generated here and passed upstream
    let id = req.headers['x-request-id'];
    if (typeof id !== 'string' || !USABLE_REQUEST_ID.test(id)) req.headers['x-request-id'] = id = randomUUID();
    route.counters.requests++;
    const candidate = route.mode === 'migrated' || (route.mode === 'canary' && inCanary(route.sticky(req), route.canaryPercent));
    const upstream = candidate ? route.candidate! : route.legacy;
    // counted and logged as a request is, when the handshake ends; never copied, never compared
    const handshake = new Handshake(id, (status, outcome) => {
      const ms = performance.now() - start;
      route.counters.answer(!candidate, status, ms, outcome !== 'aborted');
      if (candidate && outcome === 'failed') route.counters.candidateErrors++;
      (candidate ? route.log.candidate : route.log.legacy).upgrade(req.method ?? 'GET', path, status, Math.round(ms * 100) / 100, id as string, outcome === 'aborted');
    });
    upgraded.add(socket);
    socket.on('close', () => {
      upgraded.delete(socket);
      handshake.end(0, 'aborted'); // the client left before the handshake ended (else: already ended, nothing happens)
    });
    socket.on('error', () => socket.destroy());
    forwarder.ws(req, socket, head, upstream, handshake);
  }

  // ---- control plane: stats, mode changes, reload ----
  const statsOf = (r: CompiledRoute) => r.counters.toStats(r.mode, r.service);
  const stats = (): RouteStats[] => table.routes.map(statsOf);
  const copyLimits = (): Map<string, CopyLimit> => {
    const limits = new Map<string, CopyLimit>();
    const slots = shadower.slots;
    if (slots === undefined) return limits;
    for (const r of table.routes) {
      const limit = r.shadow && slots.lowered(r.shadow.service, r.shadow.concurrency);
      if (limit) limits.set(r.id, shadower.inThread?.(r.shadow!) ? { ...limit, thread: true } : limit);
    }
    return limits;
  };
  let staleWarned = '';
  /** where the proxy listens, once it does: an upstream on that address is refused (self-loop.ts) */
  let listening: AddressInfo | undefined;
  const control = new ProxyControl(initial, {
    configPath: options.configPath,
    persist: options.persistState,
    log,
    accept: (next) => {
      if (listening) refuseSelfUpstreams(next, listening); // before anything of it applies: the old config keeps serving
    },
    onApply: (effective) => {
      table = buildTable(effective, forwarder, counters, log); // atomic swap: requests in flight keep their route objects
      shadower.setBudget(effective.memory.shadowBytes);
      shadower.configure?.(effective);
      // the rest of the file applied; these keep what the process started with (names only: one is the token)
      // (said once per new set, not again on every mode change after it)
      const stale = startupOnlyChanges(initial, effective);
      if (stale.join() !== staleWarned) {
        staleWarned = stale.join();
        if (stale.length > 0) log.warn({ settings: stale }, `${stale.join(', ')}: read at start-up only, the new values apply after a restart`);
      }
    },
    stats: (id, mode, service, since) => countersFor(counters, id).toStats(mode, service, since),
    snapshot: (id) => countersFor(counters, id).snapshot(),
    latency: (id) => countersFor(counters, id).latency(),
    copyLimits,
  });
  table = buildTable(control.effective(), forwarder, counters, log);
  // the process that owns the mode state runs the canary guard (with --workers: the primary, on merged counters)
  const guard = options.persistState === false ? undefined : new CanaryGuard(control, log);


  const { keepAliveTimeoutMs, headersTimeoutMs, requestTimeoutMs } = initial.listen;
  const server = http.createServer(
    {
      keepAliveTimeout: keepAliveTimeoutMs,
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // node looks for requests past their timeouts this often (30 s by default): a fraction of the shorter timeout
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(Math.min(headersTimeoutMs, requestTimeoutMs || headersTimeoutMs) / 4))),
    },
    handle,
  );
  server.on('upgrade', upgrade);
  // what Node's parser refuses before the handler sees a request (a bad request line, headers too large, a timeout):
  // answered as Node answered it, and counted and logged as the proxy's own refusals are
  server.on('clientError', onClientError(refusals));
  await listen(server, options.port ?? initial.listen.port, options.host ?? initial.listen.host, { port: '--port or listen.port', host: 'listen.host' });
  const bound = server.address() as AddressInfo;
  try {
    refuseSelfUpstreams(control.effective(), bound);
  } catch (err) {
    await closeServer(server);
    throw err;
  }
  listening = bound;

  let adminServer: http.Server | undefined;
  if (options.admin !== false) {
    const app = createAdminApp({
      config: () => control.effective(),
      routes: () => control.views(),
      defaultRoute: () => statsOf(table.defaultRoute),
      patchRoute: (id, patch, who) => control.patch(id, patch, who),
      reload: () => control.reload(),
      audit: () => control.audit(),
      startOver: (id) => control.startOver(id),
      refused: () => refusals.counts,
      metrics: createMetrics(() => [...stats(), statsOf(table.defaultRoute)], guard && (() => guard.moves), () => refusals.counts, copyLimits),
      tokens,
      extraRoutes: options.adminRoutes,
      log,
    });
    adminServer = http.createServer(app);
    try {
      // without a token the admin API only ever listens on loopback
      await listen(adminServer, options.adminPort ?? initial.admin.port, tokens ? initial.admin.host : '127.0.0.1', ADMIN_LISTEN);
    } catch (err) {
      await closeServer(server);
      throw err;
    }
  }

  let watcher: ConfigWatcher | undefined;
  if (options.configPath && options.watch !== false) {
    watcher = watchConfig(
      options.configPath,
      (next) => control.apply(next),
      (err) => log.error({ errors: err.message }, 'config reload refused: the previous config keeps serving'),
    );
  }

  const url = urlOf(server);
  const adminUrl = adminServer ? urlOf(adminServer) : '';
  log.info({ url, adminUrl, routes: initial.routes.length }, 'strangler proxy listening');
  guard?.start(options.guardIntervalMs); // once listening: a proxy that failed to start leaves no timer behind

  return {
    url,
    adminUrl,
    address: listening,
    config: () => control.effective(),
    stats,
    reload: () => control.reload(),
    snapshot: () => [...table.routes.map((r) => r.counters), table.defaultRoute.counters].map((c) => c.snapshot()),
    refused: () => ({ ...refusals.counts }),
    copyLimits,
    async close() {
      guard?.stop();
      refusals.flush();
      watcher?.close();
      for (const s of upgraded) s.destroy();
      await Promise.all([closeServer(server), adminServer && closeServer(adminServer)]);
      forwarder.close();
      await shadower.close();
    },
  };
}

/**
 * The refusals a proxy makes from its config alone: no admin token (without --admin-insecure-local), a state file
 * that cannot be read or is corrupt. startProxy makes them too; `strangler proxy` makes them first, before it opens
 * the diff store or the --record file, so a start that is refused leaves no file behind.
 */
export function checkStartup(config: ProxyConfig, options: Pick<ProxyOptions, 'admin' | 'adminToken' | 'adminInsecureLocal' | 'configPath'>): void {
  if (options.admin !== false) adminTokens(config.admin.token, { override: options.adminToken, insecureLocal: options.adminInsecureLocal });
  new ModeState(statePath(config, options.configPath), true); // read only: throws on a file it cannot read or parse
}

const TRANSFER_CODING_REFUSED = JSON.stringify({ error: 'transfer coding not supported: a request body is sent chunked or with a content-length' });

/** 501 for a request body in a transfer coding the proxy does not pass on; the body is not read, the connection ends. */
function refuseTransferCoding(res: ServerResponse, id: string): void {
  refuseWith(res, 501, TRANSFER_CODING_REFUSED, id);
}

/** The proxy's own answer to a request it refuses: JSON, the request's id, and the connection closed after it. */
function refuseWith(res: ServerResponse, status: number, body: string, id: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': id, connection: 'close' });
  res.end(body);
}

/**
 * Whether a request's target is, or has been made, a path: a path as it is, an absolute-form target once made the
 * origin-form request it names (fromAbsoluteForm). False for the asterisk form and for a target the proxy refuses.
 */
function originForm(req: IncomingMessage): boolean {
  return (req.url ?? '/').charCodeAt(0) === 47 /* / */ || fromAbsoluteForm(req);
}

/** `OPTIONS *` (RFC 9112 §3.2.4): the one request the asterisk form is for. Asked only of a target that is no path. */
function isServerOptions(req: IncomingMessage): boolean {
  return req.url === '*' && req.method === 'OPTIONS';
}

/**
 * RFC 9112 §3.2.2: the authority of an absolute-form target is the request's host, whatever its Host header said.
 * The request becomes the origin-form one it names (target path and query; Host the authority) before anything reads
 * it, so the route, the upstream's request line and Host, x-forwarded-host, the shadow copy and the recorder all see
 * the same request. False for a target the proxy refuses (target.ts).
 */
function fromAbsoluteForm(req: IncomingMessage): boolean {
  const target = absoluteTarget(req.url ?? '');
  if (target === undefined) return false;
  req.url = target.path;
  req.headers.host = target.authority;
  return true;
}

const TARGET_REFUSED = JSON.stringify({ error: 'invalid request target: a target is a path, or http:// or https:// and host[:port] before it (RFC 9112 section 3.2)' });
const ASTERISK_REFUSED = JSON.stringify({ error: 'invalid request target: the asterisk form (*) is only for OPTIONS (RFC 9112 section 3.2.4)' });

/** The body of the 400 for a refused target: the asterisk form with a method other than OPTIONS, or any other. */
function targetRefused(req: IncomingMessage): string {
  return req.url === '*' ? ASTERISK_REFUSED : TARGET_REFUSED;
}

/**
 * 400 for an absolute-form target with another scheme, user info, or no valid host, and for `*` with a method other
 * than OPTIONS; never forwarded, the connection ends.
 */
function refuseTarget(res: ServerResponse, req: IncomingMessage, id: string): void {
  refuseWith(res, 400, targetRefused(req), id);
}

const HOST_REFUSED: Record<HostProblem, string> = {
  duplicate: JSON.stringify({ error: 'more than one Host header: a request names one host (RFC 9112 section 3.2)' }),
  invalid: JSON.stringify({ error: 'invalid Host header: expected host[:port], a name or an IP address and digits (RFC 9112 section 3.2)' }),
};

const HOST_REASON: Record<HostProblem, RefusalReason> = { duplicate: 'host-duplicate', invalid: 'host-invalid' };

/** 400 for a request with more than one Host or an invalid one; never forwarded, the connection ends. */
function refuseHost(res: ServerResponse, problem: HostProblem, id: string): void {
  refuseWith(res, 400, HOST_REFUSED[problem], id);
}

/** The admin API's listener settings, as its listen errors name them. */
export const ADMIN_LISTEN: ListenSettings = { port: 'admin.port (or admin.host)', host: 'admin.host' };

const USABLE_REQUEST_ID = /^[!#-[\]-~]{1,200}$/;

/** The settings that choose a listener's port and host, named in its errors (e.g. "--port or listen.port", "listen.host"). */
export interface ListenSettings {
  port: string;
  host: string;
}

/** Listens, or fails with one line naming the setting to change: the port's when it is taken or not allowed, the host's when that cannot be bound. */
export function listen(server: http.Server, port: number, host: string, fix: ListenSettings): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new UserError(`port ${port} on ${host} is already in use; pick another with ${fix.port}`));
      else if (err.code === 'EACCES') reject(new UserError(`cannot listen on ${host}:${port} (${err.code}); check ${fix.port}`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') reject(new UserError(`cannot listen on ${host}:${port} (${err.code}); check ${fix.host}`));
      else reject(err);
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

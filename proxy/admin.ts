// The admin API (express, its own port, loopback by default): routes with live counters, mode changes,
// reload, audit, Prometheus metrics. Every endpoint but /healthz needs `Authorization: Bearer <token>`.
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Registry } from 'prom-client';
import { quoteInput, showInput } from '../common/unprintable.ts';
import { UserError } from '../common/user-error.ts';
import type { Logger } from '../common/log.ts';
import type { GuardSettings, ProxyConfig } from './config.ts';
import { MAX_AUDIT, type AuditEntry } from './state.ts';
import type { RefusalCounts } from './refusals.ts';
import type { CopyLimit } from './copy-slots.ts';
import type { RouteStats } from './stats.ts';
import { mountDashboard } from './dashboard.ts';

export interface RouteView {
  id: string;
  method: string;
  path: string;
  service: string;
  owner?: string;
  mode: string;
  canary?: { percent: number; stickyBy: string };
  fallback: boolean;
  stats: RouteStats;
  /**
   * A shadowed route whose service's candidate is much slower than the monolith: the copies in flight it is held to
   * (shadow.adaptive), under its cap; absent while the cap alone applies. With --workers, the lowest of the workers'.
   */
  copyLimit?: CopyLimit;
  /** when the route was started over (reset-diffs) in this process's life: `stats` count from then */
  countedSince?: string;
  /** the canary guard's limits on this route (defaults and the route's own merged), when it has one */
  guard?: GuardSettings;
  /** the route's latest mode change in the audit log (admin, config file edit or canary guard), if any */
  lastChange?: { at: string; who: string; source: string; from: string; to: string; reason?: string };
}

export interface RoutePatch {
  mode?: string;
  percent?: number;
}

/** What the admin API tells the endpoints mounted on it. */
export interface AdminContext {
  /** a route of the running config */
  hasRoute(id: string): boolean;
  /** a route's comparisons were started over: its live stats count from now too */
  startedOver(id: string): void;
}

/** A refusal the admin API answers with its status and message. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AdminDeps {
  config(): ProxyConfig;
  routes(): RouteView[];
  defaultRoute(): RouteStats;
  /** the requests the proxy answered itself and never forwarded, by reason (refusals.ts) */
  refused?(): RefusalCounts;
  patchRoute(id: string, patch: RoutePatch, who: string): RouteView;
  reload(): Promise<void>;
  audit(): readonly AuditEntry[];
  /** a route's comparisons were started over (POST /api/routes/:id/reset-diffs): its views' stats count from now */
  startOver?(id: string): void;
  metrics: Registry;
  /** token → who; undefined means no auth (only with --admin-insecure-local) */
  tokens: Map<string, string> | undefined;
  /** more endpoints behind the same auth (the diff report's), told about the proxy's routes */
  extraRoutes?: (router: Router, admin: AdminContext) => void;
  log: Logger;
}

/**
 * Resolves admin.token ("env:NAME", a literal, or { who: spec }) into token → who.
 * Returns undefined when no token is available.
 */
export function resolveTokens(spec: ProxyConfig['admin']['token'], override?: string): Map<string, string> | undefined {
  if (override) return new Map([[override, 'admin']]);
  const entries = typeof spec === 'string' ? [['admin', spec] as const] : Object.entries(spec);
  const tokens = new Map<string, string>();
  for (const [who, s] of entries) {
    // a blank value is no token (the Authorization header is read trimmed, so it could never match)
    const value = (s.startsWith('env:') ? process.env[s.slice(4)] : s)?.trim();
    if (value) tokens.set(value, who);
  }
  return tokens.size ? tokens : undefined;
}

/**
 * The named tokens (admin.token as { name: "env:NAME" }) whose variable is unset or blank: names and variables only,
 * never a value. The proxy runs with the tokens it found, so these are said at start, not refused.
 */
export function unsetNamedTokens(spec: ProxyConfig['admin']['token'], env: NodeJS.ProcessEnv = process.env): { token: string; variable: string }[] {
  if (typeof spec === 'string') return [];
  return Object.entries(spec)
    .filter(([, s]) => s.startsWith('env:') && !env[s.slice(4)]?.trim())
    .map(([token, s]) => ({ token, variable: s.slice(4) }));
}

/**
 * The admin API's tokens for a proxy about to start (token → who): with none found the start is refused, unless
 * insecureLocal (--admin-insecure-local); with `log`, each named token whose variable is unset is a warning.
 */
export function adminTokens(
  spec: ProxyConfig['admin']['token'],
  options: { override?: string; insecureLocal?: boolean },
  log?: Logger,
): Map<string, string> | undefined {
  const tokens = resolveTokens(spec, options.override);
  if (!tokens && !options.insecureLocal) throw missingTokenError(spec);
  if (log && !options.override) {
    const rest = tokens ? 'the admin API accepts the other tokens' : 'the admin API runs without auth on 127.0.0.1 (--admin-insecure-local)';
    for (const { token, variable } of unsetNamedTokens(spec)) {
      log.warn({ token, variable }, `admin token "${token}" is missing: ${variable} is unset or empty; ${rest}`);
    }
  }
  return tokens;
}

export function missingTokenError(spec: ProxyConfig['admin']['token']): UserError {
  const where = typeof spec === 'string' && spec.startsWith('env:') ? `set ${spec.slice(4)}` : 'set admin.token in the config';
  return new UserError(`admin API has no token: ${where} (admin.token = ${JSON.stringify(spec)}), or pass --admin-insecure-local to run it without auth on 127.0.0.1`);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Answers a client error as one line of JSON; the admin app logs it (below error, without a stack). */
export function refuse(res: Response, status: number, message: string): void {
  res.locals.refusal = message;
  res.status(status).json({ error: message });
}

/** The handler for the other methods on a path that exists: 405 with the methods it takes. */
export function methodNotAllowed(allow: string) {
  return (req: Request, res: Response): void => {
    res.set('allow', allow);
    refuse(res, 405, `${showInput(req.method)} is not allowed on ${showInput(req.baseUrl + req.path)}; use ${allow}`);
  };
}

/**
 * The query string of an endpoint, each parameter once: one it does not take, or one given twice or as
 * `name[]=`, is a 400 naming it (never silently read as absent).
 */
export function readQuery<K extends string>(req: Request, accepted: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [key, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (!(accepted as readonly string[]).includes(key)) {
      throw new AdminError(400, `unknown query parameter ${quoteInput(key)}; ${req.baseUrl}${req.path} takes ${accepted.join(', ')}`);
    }
    if (typeof value !== 'string') throw new AdminError(400, `${key}: give it once, as a single value`);
    out[key as K] = value;
  }
  return out;
}

/** An integer query parameter in [min, max], or undefined when absent. */
export function integerParam(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new AdminError(400, `${name}: expected an integer ${min}–${max}, got ${quoteInput(value)}`);
  return n;
}

function authenticate(tokens: Map<string, string>) {
  const known = [...tokens].map(([token, who]) => ({ hash: digest(token), who }));
  return (req: Request, res: Response, next: NextFunction) => {
    // the scheme is case-insensitive (RFC 7235): bearer, Bearer, BEARER
    const presented = /^bearer +(.*)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
    // hashes have equal length, so the comparison takes the same time whatever was sent
    const h = digest(presented);
    let who: string | undefined;
    for (const k of known) if (timingSafeEqual(h, k.hash) && presented) who = k.who;
    if (!who) {
      res.set('www-authenticate', 'Bearer');
      refuse(res, 401, 'missing or wrong admin token (Authorization: Bearer <token>)');
      return;
    }
    res.locals.who = who;
    next();
  };
}

const PATCH_KEYS = ['mode', 'percent'];
const PATCH_EXAMPLE = '{"mode":"shadow"} or {"mode":"canary","percent":10}';
const BODY_LIMIT = '64kb';

/** The body of PATCH /api/routes/:id, read as strictly as the config file is. */
function routePatch(req: Request): RoutePatch {
  if (!req.is('application/json')) throw new AdminError(415, `the header content-type: application/json is required, with a body like ${PATCH_EXAMPLE}`);
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AdminError(400, `expected a JSON object like ${PATCH_EXAMPLE}`);
  const keys = Object.keys(body);
  const unknown = keys.filter((k) => !PATCH_KEYS.includes(k));
  if (unknown.length > 0) throw new AdminError(400, `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => quoteInput(k)).join(', ')}; accepted: ${PATCH_KEYS.join(', ')}`);
  if (keys.length === 0) throw new AdminError(400, `nothing to change: send ${PATCH_EXAMPLE}`);
  const { mode, percent } = body as Record<string, unknown>;
  if (mode !== undefined && typeof mode !== 'string') throw new AdminError(400, 'mode: expected one of legacy|shadow|canary|migrated');
  if (percent !== undefined && typeof percent !== 'number') throw new AdminError(400, 'percent: expected a number 0..100');
  return { mode, percent };
}

/** Client errors at info (a wrong token at warn), without a stack: they are the caller's to fix, not the proxy's. */
function logRefusals(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      const status = res.statusCode;
      if (status < 400 || status >= 500) return;
      const fields = { status, method: req.method, path: req.originalUrl, error: res.locals.refusal as string | undefined };
      if (status === 401) log.warn(fields, 'admin request refused');
      else log.info(fields, 'admin request refused');
    });
    next();
  };
}

export function createAdminApp(deps: AdminDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(logRefusals(deps.log));
  app.route('/healthz')
    .get((_req, res) => {
      res.json({ ok: true });
    })
    .all(methodNotAllowed('GET, HEAD'));
  // the page holds no data: its API calls carry the token, so it is served before auth
  for (const path of mountDashboard(app)) app.all(path, methodNotAllowed('GET, HEAD'));
  if (deps.tokens) app.use(authenticate(deps.tokens));
  else app.use((_req, res, next) => ((res.locals.who = 'insecure-local'), next()));

  const api = express.Router();
  api.route('/routes')
    .get((_req, res) => {
      res.json({ routes: deps.routes(), default: deps.defaultRoute(), refused: deps.refused?.() });
    })
    .all(methodNotAllowed('GET, HEAD'));
  api.route('/routes/:id')
    .get((req, res) => {
      const route = deps.routes().find((r) => r.id === req.params.id);
      if (!route) throw new AdminError(404, `no route with id ${quoteInput(String(req.params.id))}`);
      res.json(route);
    })
    // strict: false so that a body like "shadow" or null is answered "expected a JSON object", not "not valid JSON"
    .patch(express.json({ limit: BODY_LIMIT, strict: false }), (req, res) => {
      res.json(deps.patchRoute(req.params.id!, routePatch(req), String(res.locals.who)));
    })
    .all(methodNotAllowed('GET, HEAD, PATCH'));
  api.route('/reload')
    .post(async (_req, res) => {
      try {
        await deps.reload();
      } catch (err) {
        if (err instanceof AdminError) throw err;
        throw new AdminError(400, (err as Error).message);
      }
      res.json({ ok: true, routes: deps.config().routes.length });
    })
    .all(methodNotAllowed('POST'));
  api.route('/audit')
    .get((req, res) => {
      const limit = integerParam('limit', readQuery(req, ['limit']).limit, 1, MAX_AUDIT);
      const entries = deps.audit();
      res.json({ entries: limit === undefined ? entries : entries.slice(-limit) });
    })
    .all(methodNotAllowed('GET, HEAD'));
  api.route('/config')
    .get((_req, res) => {
      const { admin, ...rest } = deps.config();
      res.json({ ...rest, admin: { host: admin.host, port: admin.port } }); // never echo tokens
    })
    .all(methodNotAllowed('GET, HEAD'));
  app.use('/api', api);
  app.route('/metrics')
    .get(async (_req, res) => {
      res.set('content-type', deps.metrics.contentType).send(await deps.metrics.metrics());
    })
    .all(methodNotAllowed('GET, HEAD'));
  if (deps.extraRoutes) {
    const extra = express.Router();
    deps.extraRoutes(extra, { hasRoute: (id) => deps.config().routes.some((r) => r.id === id), startedOver: (id) => deps.startOver?.(id) });
    app.use(extra);
  }
  app.use((req: Request, res: Response) => {
    refuse(res, 404, `no admin endpoint ${showInput(req.method)} ${showInput(req.path)}`);
  });
  app.use((err: Error & { status?: number; type?: string; expose?: boolean }, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof AdminError && err.status < 500) return refuse(res, err.status, err.message);
    if (err instanceof AdminError) {
      // a failure the message explains in full (the state file that cannot be written): no stack
      deps.log.error({ status: err.status, method: req.method, path: req.originalUrl, error: err.message }, 'admin request failed');
      res.status(err.status).json({ error: err.message });
      return;
    }
    // the body parser's refusals: a client error, said in the API's words
    if (err.type === 'entity.parse.failed') return refuse(res, 400, 'body is not valid JSON');
    if (err.type === 'entity.too.large') return refuse(res, 413, `body too large: the admin API takes at most ${BODY_LIMIT}`);
    if (err.status !== undefined && err.status >= 400 && err.status < 500) return refuse(res, err.status, err.message);
    deps.log.error({ err, method: req.method, path: req.originalUrl }, 'admin endpoint failed');
    res.status(500).json({ error: err.message });
  });
  return app;
}

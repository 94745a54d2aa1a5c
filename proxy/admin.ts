// The admin API (express, its own port, loopback by default): routes with live counters, mode changes,
// reload, audit, Prometheus metrics. Every endpoint but /healthz needs `Authorization: Bearer <token>`.
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Registry } from 'prom-client';
import { UserError } from '../common/user-error.ts';
import type { Logger } from '../common/log.ts';
import type { ProxyConfig } from './config.ts';
import type { AuditEntry } from './state.ts';
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
}

export interface RoutePatch {
  mode?: string;
  percent?: number;
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
  patchRoute(id: string, patch: RoutePatch, who: string): RouteView;
  reload(): Promise<void>;
  audit(): readonly AuditEntry[];
  metrics: Registry;
  /** token → who; undefined means no auth (only with --admin-insecure-local) */
  tokens: Map<string, string> | undefined;
  extraRoutes?: (router: Router) => void;
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

export function missingTokenError(spec: ProxyConfig['admin']['token']): UserError {
  const where = typeof spec === 'string' && spec.startsWith('env:') ? `set ${spec.slice(4)}` : 'set admin.token in the config';
  return new UserError(`admin API has no token: ${where} (admin.token = ${JSON.stringify(spec)}), or pass --admin-insecure-local to run it without auth on 127.0.0.1`);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function authenticate(tokens: Map<string, string>) {
  const known = [...tokens].map(([token, who]) => ({ hash: digest(token), who }));
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    // hashes have equal length, so the comparison takes the same time whatever was sent
    const h = digest(presented);
    let who: string | undefined;
    for (const k of known) if (timingSafeEqual(h, k.hash) && presented) who = k.who;
    if (!who) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'missing or wrong admin token (Authorization: Bearer <token>)' });
      return;
    }
    res.locals.who = who;
    next();
  };
}

export function createAdminApp(deps: AdminDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  mountDashboard(app); // the page holds no data: its API calls carry the token, so it is served before auth
  if (deps.tokens) app.use(authenticate(deps.tokens));
  else app.use((_req, res, next) => ((res.locals.who = 'insecure-local'), next()));

  const api = express.Router();
  api.use(express.json({ limit: '64kb' }));
  api.get('/routes', (_req, res) => {
    res.json({ routes: deps.routes(), default: deps.defaultRoute() });
  });
  api.get('/routes/:id', (req, res) => {
    const route = deps.routes().find((r) => r.id === req.params.id);
    if (!route) throw new AdminError(404, `no route with id "${req.params.id}"`);
    res.json(route);
  });
  api.patch('/routes/:id', (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null) throw new AdminError(400, 'expected a JSON body like {"mode":"shadow"} or {"mode":"canary","percent":10}');
    const { mode, percent } = body as Record<string, unknown>;
    if (mode !== undefined && typeof mode !== 'string') throw new AdminError(400, 'mode: expected one of legacy|shadow|canary|migrated');
    if (percent !== undefined && typeof percent !== 'number') throw new AdminError(400, 'percent: expected a number 0..100');
    res.json(deps.patchRoute(req.params.id, { mode, percent }, String(res.locals.who)));
  });
  api.post('/reload', async (_req, res) => {
    try {
      await deps.reload();
    } catch (err) {
      throw new AdminError(400, (err as Error).message);
    }
    res.json({ ok: true, routes: deps.config().routes.length });
  });
  api.get('/audit', (_req, res) => {
    res.json({ entries: deps.audit() });
  });
  api.get('/config', (_req, res) => {
    const { admin, ...rest } = deps.config();
    res.json({ ...rest, admin: { host: admin.host, port: admin.port } }); // never echo tokens
  });
  app.use('/api', api);
  app.get('/metrics', async (_req, res) => {
    res.set('content-type', deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  if (deps.extraRoutes) {
    const extra = express.Router();
    deps.extraRoutes(extra);
    app.use(extra);
  }
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: `no admin endpoint ${req.method} ${req.path}` });
  });
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof AdminError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    if (err.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'body is not valid JSON' });
      return;
    }
    deps.log.error({ err }, 'admin endpoint failed');
    res.status(err.status ?? 500).json({ error: err.message });
  });
  return app;
}

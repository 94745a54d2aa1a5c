// The proxy config emitted from a plan (strangler.config.json): every extracted route in mode `legacy` with its
// candidate service, and a placeholder URL per service — ready to be put in front of the monolith unchanged.
import type { Plan } from './plan-schema.ts';

export interface ProxyConfigOptions {
  /** the monolith (default http://127.0.0.1:3000) */
  legacyUrl?: string;
  /** services get http://127.0.0.1:<basePort + i> in plan order (default 4001) */
  basePort?: number;
  /** proxy listen port (default 8080) */
  port?: number;
}

export interface EmittedProxyConfig {
  version: 1;
  listen: { host: string; port: number };
  legacy: { url: string };
  services: Record<string, { url: string; owner: string }>;
  defaults: {
    mode: 'legacy';
    shadow: { sample: number; concurrency: number; timeoutMs: number; maxBodyBytes: number; writes: boolean };
    noise: { learn: boolean; sample: number; settleAfter: number; settledSample: number; relative: number; absolute: number };
  };
  routes: Array<{ id: string; method: string; path: string; service: string; mode: 'legacy' }>;
  store: { path: string; samplesPerFingerprint: number };
  redact: { headers: string[]; fields: string[] };
  admin: { host: string; port: number; token: string };
}

export function toProxyConfig(plan: Plan, options: ProxyConfigOptions = {}): EmittedProxyConfig {
  const basePort = options.basePort ?? 4001;
  const services: EmittedProxyConfig['services'] = {};
  plan.services.forEach((s, i) => {
    services[s.name] = { url: `http://127.0.0.1:${basePort + i}`, owner: s.owner };
  });
  // Declared order matters (first match wins): literal segments before parameters, so /books/search is not
  // swallowed by /books/:id.
  const routes = plan.services
    .flatMap((s) => s.routes.map((r) => ({ id: r.id, method: proxyMethod(r.method), path: r.path, service: s.name, mode: 'legacy' as const })))
    .sort((a, b) => specificity(b.path) - specificity(a.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || (a.method < b.method ? -1 : 1));
  return {
    version: 1,
    listen: { host: '0.0.0.0', port: options.port ?? 8080 },
    legacy: { url: options.legacyUrl ?? 'http://127.0.0.1:3000' },
    services,
    defaults: {
      mode: 'legacy',
      shadow: { sample: 1.0, concurrency: 64, timeoutMs: 2000, maxBodyBytes: 1048576, writes: false },
      noise: { learn: true, sample: 0.1, settleAfter: 1000, settledSample: 0.01, relative: 20, absolute: 0.03 },
    },
    routes,
    store: { path: 'data/diffs.sqlite', samplesPerFingerprint: 20 },
    redact: { headers: ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'], fields: ['$..password', '$..cardNumber'] },
    admin: { host: '127.0.0.1', port: 9090, token: 'env:STRANGLER_ADMIN_TOKEN' },
  };
}

/** Express's app.all() matches every method; the proxy spells that `*`. */
function proxyMethod(method: string): string {
  return method === 'ALL' ? '*' : method;
}

/** Literal segments score 2, parameters 1, wildcards 0: a more specific path sorts first. */
function specificity(path: string): number {
  let score = 0;
  for (const s of path.split('/').filter(Boolean)) score += s.includes('*') ? 0 : s.startsWith(':') || s.startsWith('{') ? 1 : 2;
  return score * 1000 - path.split('/').length;
}

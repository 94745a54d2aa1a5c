// The proxy config emitted from a plan (strangler.config.json): every extracted route in mode `legacy` with its
// candidate service, and a placeholder URL per service — ready to be put in front of the monolith unchanged.
import { RULE_METHODS } from '../proxy/methods.ts';
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
    shadow: { sample: number; concurrency: number; adaptive: boolean; timeoutMs: number; maxBodyBytes: number; writes: boolean };
    noise: { learn: boolean; sample: number; settleAfter: number; settledSample: number; relative: number; absolute: number };
    guard: { maxErrorRate: number; minRequests: number; windowSeconds: number; rollbackTo: 'shadow' | 'legacy' };
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
  // A path no proxy rule can say is left out (plan.ts warns about it): the monolith keeps serving it by default.
  const ids = new Set(plan.services.flatMap((s) => s.routes.map((r) => r.id)));
  const routes = plan.services
    .flatMap((s) =>
      s.routes.flatMap((r) => {
        const method = proxyMethod(r.method);
        if (method === undefined) return [];
        return (proxyPaths(r.path) ?? []).map((path, i) => ({ id: i === 0 ? r.id : variantId(r.id, i, ids), method, path, service: s.name, mode: 'legacy' as const }));
      }),
    )
    .sort((a, b) => specificity(b.path) - specificity(a.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || methodOrder(a.method, b.method));
  return {
    version: 1,
    listen: { host: '0.0.0.0', port: options.port ?? 8080 },
    legacy: { url: options.legacyUrl ?? 'http://127.0.0.1:3000' },
    services,
    defaults: {
      mode: 'legacy',
      shadow: { sample: 1.0, concurrency: 64, adaptive: true, timeoutMs: 2000, maxBodyBytes: 1048576, writes: false },
      noise: { learn: true, sample: 0.1, settleAfter: 1000, settledSample: 0.01, relative: 20, absolute: 0.03 },
      // a canary that fails is moved back to shadow (proxy/guard.ts)
      guard: { maxErrorRate: 0.05, minRequests: 20, windowSeconds: 60, rollbackTo: 'shadow' },
    },
    routes,
    store: { path: 'data/diffs.sqlite', samplesPerFingerprint: 20 },
    redact: { headers: ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'], fields: ['$..password', '$..cardNumber'] },
    admin: { host: '127.0.0.1', port: 9090, token: 'env:STRANGLER_ADMIN_TOKEN' },
  };
}

/**
 * On one path, named methods before `*`: the first declared rule wins, so an `app.all()` (or a Next.js handler's
 * fall-through) declared first would take the method that has a route (and a mode) of its own.
 */
function methodOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '*' || b === '*') return a === '*' ? 1 : -1;
  return a < b ? -1 : 1;
}

/** The methods a proxy rule can name (proxy/methods.ts). */
const RULE_METHOD_SET = new Set<string>(RULE_METHODS);

/**
 * Express's app.all() matches every method; the proxy spells that `*`. Undefined for a method no rule can name
 * (Hono's `on('PURGE', …)`): the route is left out, like a path no rule can say (plan.ts warns about it).
 */
export function proxyMethod(method: string): string | undefined {
  return method === 'ALL' ? '*' : RULE_METHOD_SET.has(method) ? method : undefined;
}

/** Literal segments score 2, parameters 1, wildcards 0: a more specific path sorts first. */
function specificity(path: string): number {
  let score = 0;
  for (const s of path.split('/').filter(Boolean)) score += s.includes('*') ? 0 : s.startsWith(':') || s.startsWith('{') ? 1 : 2;
  return score * 1000 - path.split('/').length;
}

/** `catalog.getBook.2` for a route's second rule (an optional part written out), unique among the ids. */
function variantId(id: string, index: number, ids: Set<string>): string {
  let n = index + 1;
  while (ids.has(`${id}.${n}`)) n++;
  const variant = `${id}.${n}`;
  ids.add(variant);
  return variant;
}

/** At most this many rules for one route (each optional part doubles them). */
const MAX_VARIANTS = 8;
/** A segment that is one parameter, with an optional regex constraint and modifier: `:id`, `:id(\\d+)`, `:id?`, `:rest*`. */
const PARAM = /^:([A-Za-z0-9_]+)(\((?:[^()\\]|\\.)*\))?([?*+]?)$/;
/** A constraint that crosses segments (`:path(.*)`): the parameter is a wildcard. */
const ANY_DEPTH = /^\(\.[*+]\??\)$/;

/**
 * A route path as the frameworks write it (Express 4 and 5, Fastify, Koa and Nest: dialects of path-to-regexp) as the
 * proxy's rule paths (literal segments, `:param`, a final `*` or `*name`: proxy/config.ts isValidRoutePath).
 * - An optional part gives one rule without it and one with it: `/books/:id?` and Express 5's `/books{/:id}` are
 *   `/books` and `/books/:id`.
 * - A parameter's regex constraint is dropped (`/:id(\\d+)` is `/:id`): the rule matches a little more, and sends
 *   it to the same service; a final parameter that may span segments (`:path(.*)`, `:path*`, `(.*)`) is a wildcard.
 * - undefined when no rule can say it: a wildcard before the end, a parameter inside a segment (`/:from-:to`,
 *   `/file.:ext`), path-to-regexp's character operators (`/ab?cd`), more than MAX_VARIANTS rules.
 */
export function proxyPaths(path: string): string[] | undefined {
  if (!path.startsWith('/')) return undefined;
  const expanded = expandOptionalGroups(path);
  if (!expanded) return undefined;
  const out: string[] = [];
  for (const variant of expanded) {
    const segments = variant.split('/').slice(1);
    let rules: string[][] = [[]];
    for (let i = 0; i < segments.length; i++) {
      const choices = segmentRules(segments[i], i === segments.length - 1);
      if (!choices) return undefined;
      rules = rules.flatMap((r) => choices.map((c) => (c === undefined ? r : [...r, c])));
      if (rules.length > MAX_VARIANTS) return undefined;
    }
    for (const r of rules) {
      const rule = r.length === 0 ? '/' : `/${r.join('/')}`.replace(/(.)\/$/, '$1');
      if (!out.includes(rule)) out.push(rule);
    }
  }
  return out.length > MAX_VARIANTS ? undefined : out;
}

/** One segment's rule segments (undefined in the list: the segment left out); undefined when none can say it. */
function segmentRules(segment: string, last: boolean): (string | undefined)[] | undefined {
  if (segment === '') return [''];
  if (/^[^:*?+(){}]+$/.test(segment)) return [segment];
  if (segment === '*' || segment === '(.*)' || /^\*[A-Za-z0-9_]+$/.test(segment)) return last ? [segment.startsWith('*') ? segment : '*'] : undefined;
  if (segment === '(.*)?') return last ? ['*'] : undefined;
  const param = PARAM.exec(segment);
  if (!param) return undefined;
  const [, name, constraint, modifier] = param;
  if (modifier === '*' || modifier === '+' || (constraint && ANY_DEPTH.test(constraint))) return last ? [`*${name}`] : undefined;
  return modifier === '?' ? [undefined, `:${name}`] : [`:${name}`];
}

/** Express 5's optional groups written out, both ways each: `/books{/:id}` → `/books`, `/books/:id`. */
function expandOptionalGroups(path: string): string[] | undefined {
  const open = path.indexOf('{');
  if (open === -1) return path.includes('}') ? undefined : [path];
  let depth = 0;
  for (let i = open; i < path.length; i++) {
    if (path[i] === '{') depth++;
    else if (path[i] === '}' && --depth === 0) {
      const before = path.slice(0, open);
      const inner = path.slice(open + 1, i);
      const after = path.slice(i + 1);
      const without = expandOptionalGroups(before + after);
      const withIt = expandOptionalGroups(before + inner + after);
      if (!without || !withIt) return undefined;
      const all = [...without, ...withIt];
      return all.length > MAX_VARIANTS ? undefined : all;
    }
  }
  return undefined;
}

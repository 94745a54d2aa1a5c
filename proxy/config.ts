// The proxy config contract (the analyzer emits it, operators edit it): one zod schema with defaults,
// loading with every error listed, and a file watcher for atomic hot reload.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../common/user-error.ts';
import { parseJsonText } from '../common/json-text.ts';
import { hasUnprintable } from '../common/unprintable.ts';
import { compileRules } from './compare/rules.ts';
import { RULE_METHODS } from './methods.ts';
import { createRedactor, DEFAULT_REDACT } from './store/redact.ts';
import type { CompareRules } from './types.ts';

export const MODES = ['legacy', 'shadow', 'canary', 'migrated'] as const;
/** memory.compareQueueBytes when not configured (also the comparator's own default) */
export const DEFAULT_COMPARE_QUEUE_BYTES = 16 * 1024 * 1024;
/** A rule's method: one of RULE_METHODS (methods.ts), or `*` for any */
export const METHODS = [...RULE_METHODS, '*'] as const;

const oneOf = (values: readonly string[]) => ({ error: `expected one of ${values.join('|')}` });
/** The Host header an upstream gets: the client's (default), or its own URL's host (behind a virtual-host router) */
const hostHeader = z.enum(['client', 'upstream'], oneOf(['client', 'upstream'])).default('client');
const url = z.string({ error: 'expected a URL string like http://127.0.0.1:3000' }).refine(isHttpUrl, {
  error: 'expected an http:// or https:// URL like http://127.0.0.1:3000',
});

const compareRules = z.strictObject({
  ignore: z.array(z.string()).optional(),
  unordered: z.array(z.union([z.string(), z.strictObject({ path: z.string(), key: z.string() })])).optional(),
  tolerance: z.number().min(0).optional(),
  headers: z.array(z.string()).optional(),
});

const shadowShape = {
  sample: z.number().min(0).max(1),
  concurrency: z.number().int().min(1),
  adaptive: z.boolean(),
  timeoutMs: z.number().int().min(1),
  maxBodyBytes: z.number().int().min(0),
  writes: z.boolean(),
};
const shadowDefaults = z.strictObject({
  sample: shadowShape.sample.default(1),
  concurrency: shadowShape.concurrency.default(64),
  adaptive: shadowShape.adaptive.default(true),
  timeoutMs: shadowShape.timeoutMs.default(2000),
  maxBodyBytes: shadowShape.maxBodyBytes.default(1_048_576),
  writes: shadowShape.writes.default(false),
});

const stickyBy = z
  .string()
  .regex(/^(ip|header:[A-Za-z0-9!#$%&'*+.^_`|~-]+|cookie:[^\s;=]+)$/, {
    error: 'expected ip, header:<name> or cookie:<name>',
  });

/**
 * The canary guard (proxy/guard.ts): a route in canary whose candidate answers more than maxErrorRate of its requests
 * with a 5xx (or fails: refused, reset, timed out) over the last windowSeconds, with at least minRequests of them, is
 * moved to rollbackTo; so is one whose candidate's p99 latency over the window is above maxP99Ms, or above
 * maxP99Ratio times the monolith's (both off unless set). `false` turns it off; in `defaults` it applies to every
 * route, a route's own overrides it.
 */
const guardSettings = z.union([
  z.literal(false),
  z.strictObject({
    maxErrorRate: z.number().min(0).max(1),
    minRequests: z.number().int().min(1),
    windowSeconds: z.number().int().min(1).max(3600),
    rollbackTo: z.enum(['shadow', 'legacy'], oneOf(['shadow', 'legacy'])),
    maxP99Ms: z.number().positive(),
    maxP99Ratio: z.number().min(1, { error: 'expected a ratio of at least 1 (the candidate p99 over the monolith p99)' }),
  }).partial(),
]);
export const DEFAULT_GUARD = { maxErrorRate: 0.05, minRequests: 20, windowSeconds: 60, rollbackTo: 'shadow' } as const;
export type GuardSettings = {
  maxErrorRate: number;
  minRequests: number;
  windowSeconds: number;
  rollbackTo: 'shadow' | 'legacy';
  /** the candidate's p99 over the window, ms, above which the route moves back (off when absent) */
  maxP99Ms?: number;
  /** the candidate's p99 over the monolith's, over the same window, above which the route moves back (off when absent) */
  maxP99Ratio?: number;
};

/** Half of a surrogate pair without its other half: encodeURIComponent throws on it. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const route = z.strictObject({
  id: z
    .string()
    .min(1)
    .refine((id) => !hasUnprintable(id), { error: 'no control or bidi characters (the id shows in logs, reports and the dashboard)' })
    // the admin API and the dashboard address a route as /api/routes/<encodeURIComponent(id)>: every character but
    // the dot is encoded there, and a URL resolves a segment "." or ".." away (browsers and fetch() before sending)
    .refine((id) => id !== '.' && id !== '..', {
      error: (issue) => `"${String(issue.input)}" cannot be a route id: in the admin API's and the dashboard's URLs it is a dot segment (/api/routes/${String(issue.input)} is not the route); use a name`,
    })
    .refine((id) => !LONE_SURROGATE.test(id), {
      error: (issue) => `not well-formed Unicode (a lone surrogate: JSON ${JSON.stringify(LONE_SURROGATE.exec(String(issue.input))?.[0])} without its pair); the dashboard cannot put it in a URL`,
    }),
  method: z.enum(METHODS, oneOf(METHODS)),
  path: z.string().refine(isValidRoutePath, {
    error: 'expected a path starting with "/", with :params and an optional trailing *, and no control characters',
  }),
  service: z.string().min(1),
  mode: z.enum(MODES, oneOf(MODES)).optional(),
  canary: z
    .strictObject({ percent: z.number().min(0).max(100), stickyBy: stickyBy.default('ip') })
    .optional(),
  fallback: z.boolean().optional(),
  writes: z.boolean().optional(),
  shadow: z.strictObject(shadowShape).partial().optional(),
  compare: compareRules.optional(),
  timeoutMs: z.number().int().min(1).optional(),
  guard: guardSettings.optional(),
});

/** A route's guard: off unless `guard` is set in the defaults or on the route (the route's `false` wins). */
export function guardOf(config: ProxyConfig, route: ProxyConfig['routes'][number]): GuardSettings | undefined {
  const own = route.guard;
  const base = config.defaults.guard;
  if (own === false || (own === undefined && (base === undefined || base === false))) return undefined;
  return { ...DEFAULT_GUARD, ...(base || {}), ...(own || {}) };
}

/** admin.token: "env:NAME", a literal token, or several named tokens ({ name: "env:NAME" }) so the audit says who. */
const adminToken = z.union([z.string().min(1), z.record(z.string(), z.string().min(1))]);

export const proxyConfigSchema = z
  .strictObject({
    version: z.literal(1, { error: 'expected 1 (the only config version so far)' }),
    listen: z
      .strictObject({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(8080),
        // how long an idle client connection is kept open (node's default): behind a load balancer, set it above the
        // balancer's own idle timeout, or the balancer reuses connections the proxy is closing and answers 502
        keepAliveTimeoutMs: z.number().int().min(0).default(5_000),
        // how long a client may take to send a request's headers, and the whole request (408 after; 0: no limit)
        headersTimeoutMs: z.number().int().min(1).default(60_000),
        requestTimeoutMs: z.number().int().min(0).default(300_000),
      })
      .prefault({}),
    legacy: z.strictObject({ url, hostHeader }),
    services: z.record(z.string(), z.strictObject({ url, owner: z.string().optional(), hostHeader })),
    defaults: z
      .strictObject({
        mode: z.enum(MODES, oneOf(MODES)).default('legacy'),
        shadow: shadowDefaults.prefault({}),
        noise: z
          .strictObject({
            learn: z.boolean().default(true),
            sample: z.number().min(0).max(1).default(0.1),
            // once a route has this many noise samples (per proxy process) its rate drops to settledSample
            settleAfter: z.number().int().min(0).default(1000),
            settledSample: z.number().min(0).max(1).default(0.01),
            relative: z.number().min(0).default(20),
            absolute: z.number().min(0).default(0.03),
          })
          .prefault({}),
        compare: compareRules.optional(),
        guard: guardSettings.optional(),
      })
      .prefault({}),
    routes: z.array(route).default([]),
    store: z
      .strictObject({
        path: z.string().default('data/diffs.sqlite'),
        samplesPerFingerprint: z.number().int().min(1).default(20),
      })
      .prefault({}),
    // the readiness bar of the live report and the dashboard's verdicts (strangler report takes the same as flags)
    report: z
      .strictObject({
        minSamples: z.number().int().min(1),
        readyAt: z.number().min(0).max(100),
        maxP99Ratio: z.number().min(1, { error: 'expected a ratio of at least 1 (the candidate p99 over the monolith p99)' }),
      })
      .partial()
      .optional(),
    redact: z
      .strictObject({
        headers: z.array(z.string()).default(() => [...DEFAULT_REDACT.headers]),
        fields: z.array(z.string()).default(() => [...DEFAULT_REDACT.fields]),
      })
      .prefault({}),
    admin: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(9090),
        token: adminToken.default('env:STRANGLER_ADMIN_TOKEN'),
      })
      .prefault({}),
    state: z.string().optional(),
    // shadow copies, their comparison and the diff store in a worker thread (read at start-up only): true for every
    // copy, "slow" for the copies of a service whose candidate is much slower than the monolith (shadow-split.ts)
    shadowThread: z.union([z.boolean(), z.literal('slow')], { error: 'expected true, false or "slow"' }).default('slow'),
    memory: z
      .strictObject({
        // bodies held by shadow copies in flight (requests, both answers), all routes together
        shadowBytes: z.number().int().min(0).default(16 * 1024 * 1024),
        // bodies of pairs waiting for the comparison
        compareQueueBytes: z.number().int().min(0).default(DEFAULT_COMPARE_QUEUE_BYTES),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    for (const issue of crossCheck(cfg)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    const { headersTimeoutMs, requestTimeoutMs } = cfg.listen;
    if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['listen', 'headersTimeoutMs'], message: `expected at most listen.requestTimeoutMs (${requestTimeoutMs}): the headers are part of the request` });
    }
  });

interface Issue {
  path: (string | number)[];
  message: string;
}

/**
 * Rules across fields (service exists, unique ids, canary settings present). Written against raw input so they
 * are reported together with the schema's own errors, not only after those are fixed.
 */
function crossCheck(raw: unknown): Issue[] {
  const issues: Issue[] = [];
  if (!isRecord(raw) || !Array.isArray(raw.routes)) return issues;
  const services = isRecord(raw.services) ? raw.services : {};
  const defaultMode = isRecord(raw.defaults) && typeof raw.defaults.mode === 'string' ? raw.defaults.mode : 'legacy';
  const seen = new Map<unknown, number>();
  raw.routes.forEach((r: unknown, i: number) => {
    if (!isRecord(r)) return;
    if (typeof r.service === 'string' && !Object.hasOwn(services, r.service)) {
      const known = Object.keys(services).join('|') || '(none declared)';
      issues.push({ path: ['routes', i, 'service'], message: `unknown service "${r.service}"; expected one of ${known}` });
    }
    const first = seen.get(r.id);
    if (first !== undefined) {
      issues.push({ path: ['routes', i, 'id'], message: `duplicate route id "${String(r.id)}" (first used by routes[${first}])` });
    } else seen.set(r.id, i);
    if ((r.mode ?? defaultMode) === 'canary' && r.canary === undefined) {
      issues.push({ path: ['routes', i, 'canary'], message: 'mode canary needs canary: { percent }' });
    }
    if (isRecord(r.compare)) checkRules(r.compare, ['routes', i, 'compare'], issues);
  });
  if (isRecord(raw.defaults) && isRecord(raw.defaults.compare)) checkRules(raw.defaults.compare, ['defaults', 'compare'], issues);
  if (isRecord(raw.redact) && Array.isArray(raw.redact.fields) && raw.redact.fields.every((f) => typeof f === 'string')) {
    try {
      createRedactor({ headers: [], fields: raw.redact.fields as string[] });
    } catch (err) {
      if (err instanceof UserError) issues.push({ path: ['redact', 'fields'], message: err.message });
    }
  }
  return issues;
}

/** Compare rules are compiled at load, so a bad JSON path is exit 2 at start, not a failure on every pair. */
function checkRules(rules: Record<string, unknown>, path: (string | number)[], issues: Issue[]): void {
  try {
    compileRules(rules as CompareRules);
  } catch (err) {
    // shapes the schema rejects anyway (a number where a list goes) are its to report
    if (err instanceof UserError) issues.push({ path, message: err.message });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type ProxyConfig = z.output<typeof proxyConfigSchema>;
export type ProxyConfigInput = z.input<typeof proxyConfigSchema>;
export type RouteConfig = ProxyConfig['routes'][number];
export type ShadowSettings = ProxyConfig['defaults']['shadow'];

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** "/", "/books/:id", "/static/*", "/files/*rest": params are whole segments; a wildcard only at the end. */
/**
 * The settings a running proxy reads once, at start-up: its listeners, the admin API's token, the diff store, the
 * comparison queue's size, the state file, the shadow thread. A reload applies everything else (routes, modes,
 * upstreams, shadow and noise settings, the shadow byte budget, and `redact`: the diff store and the --record file
 * redact with the live config from the next pair or request on).
 */
const STARTUP_ONLY: readonly ((c: ProxyConfig) => [string, unknown])[] = [
  (c) => ['listen', c.listen],
  (c) => ['admin.host', c.admin.host],
  (c) => ['admin.port', c.admin.port],
  (c) => ['admin.token', c.admin.token],
  (c) => ['store', c.store],
  (c) => ['memory.compareQueueBytes', c.memory.compareQueueBytes],
  (c) => ['state', c.state],
  (c) => ['shadowThread', c.shadowThread],
];

/** Which start-up-only settings differ between the config a proxy started with and a newer one (names only). */
export function startupOnlyChanges(running: ProxyConfig, next: ProxyConfig): string[] {
  return STARTUP_ONLY.map((pick) => [pick(running), pick(next)] as const)
    .filter(([[, a], [, b]]) => JSON.stringify(a) !== JSON.stringify(b))
    .map(([[name]]) => name);
}

export function isValidRoutePath(path: string): boolean {
  if (!path.startsWith('/') || hasUnprintable(path)) return false;
  const segments = path.split('/').slice(1);
  return segments.every((s, i) => {
    if (s.startsWith('*')) return i === segments.length - 1 && /^\*[A-Za-z0-9_]*$/.test(s);
    if (s.startsWith(':')) return /^:[A-Za-z0-9_]+$/.test(s);
    return !s.includes('*') && !s.includes(':');
  });
}

/** `routes[3].mode` from zod's path array. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

/** Every problem in one list, one per line, e.g. `routes[3].mode: expected one of legacy|shadow|canary|migrated`. */
export function configErrors(json: unknown): string[] {
  const result = proxyConfigSchema.safeParse(json);
  if (result.success) return [];
  const lines = result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  // the schema skips its refinement when fields are already invalid; add the cross-field errors it skipped
  for (const issue of crossCheck(json)) {
    const line = `${formatPath(issue.path)}: ${issue.message}`;
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}

export function parseConfig(json: unknown, source = 'config'): ProxyConfig {
  const result = proxyConfigSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = configErrors(json).map((l) => `  ${l}`);
  throw new UserError(`invalid proxy config ${source} (${lines.length} error${lines.length > 1 ? 's' : ''}):\n${lines.join('\n')}`);
}

export function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(`config file not found: ${path} (run \`strangler analyze\` to emit one, or pass --config <file>)`);
    }
    throw new UserError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    return parseJsonText(text);
  } catch (err) {
    throw new UserError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

export function loadConfig(path: string): ProxyConfig {
  return parseConfig(readConfigJson(path), path);
}

export interface ConfigWatcher {
  close(): void;
}

/**
 * Watches the config file (through its directory, so editors that write a temp file and rename are seen)
 * and calls onValid with each new valid config, onInvalid with the error of each invalid one.
 */
export function watchConfig(
  path: string,
  onValid: (config: ProxyConfig) => void,
  onInvalid: (error: Error) => void,
  debounceMs = 40,
): ConfigWatcher {
  const full = resolve(path);
  const name = basename(full);
  let timer: NodeJS.Timeout | undefined;
  let lastText: string | undefined = safeRead(full);
  const fire = () => {
    timer = undefined;
    const text = safeRead(full);
    if (text === undefined || text === lastText) return; // mid-rename or unchanged content
    lastText = text;
    try {
      onValid(parseConfig(parseJsonText(text), path));
    } catch (err) {
      onInvalid(err instanceof SyntaxError ? new UserError(`config file ${path} is not valid JSON: ${err.message}`) : (err as Error));
    }
  };
  const watcher: FSWatcher = watch(dirname(full), (_event, filename) => {
    if (filename !== null && filename !== name) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  });
  watcher.on('error', onInvalid);
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

// Mode changes made through the admin API: kept in a small JSON file next to the config so a restart keeps
// them, with an audit trail (when, who, from, to). An override remembers what the config file said when it
// was made; once someone edits that route's mode in the file, the file wins again (editing is deliberate).
import { readFileSync, renameSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseJsonText } from '../common/json-text.ts';
import { UserError } from '../common/user-error.ts';
import { MODES, type ProxyConfig } from './config.ts';
import type { Mode } from './types.ts';

const setting = z.object({ mode: z.enum(MODES), percent: z.number().min(0).max(100).optional() });
export type RouteSetting = z.infer<typeof setting>;

const auditEntry = z.object({
  at: z.string(),
  who: z.string(),
  routeId: z.string(),
  from: setting,
  to: setting,
  source: z.enum(['admin', 'config', 'guard']).default('admin'),
  /** why, when the change says (the canary guard: which limit tripped) */
  reason: z.string().optional(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

const stateFile = z.object({
  version: z.literal(1),
  overrides: z.record(z.string(), z.object({ to: setting, base: setting })).default({}),
  audit: z.array(auditEntry).default([]),
});

/** audit entries kept, in the file and in memory; older ones are dropped */
export const MAX_AUDIT = 10_000;

type Overrides = Map<string, { to: RouteSetting; base: RouteSetting }>;

/** The state file could not be written; nothing in memory changed (the file keeps its previous content). */
export class StateWriteError extends UserError {
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`cannot write the proxy state file ${path} (${code}): check that it is a file in a writable folder`);
    this.name = 'StateWriteError';
  }
}

export class ModeState {
  private overrides: Overrides = new Map();
  private entries: AuditEntry[] = [];

  /**
   * path undefined: changes live in memory only (no config file to sit next to). readOnly: the file is read (and
   * re-read) but never written: with --workers only the primary writes it, the workers follow.
   */
  constructor(
    readonly path: string | undefined,
    private readonly readOnly = false,
  ) {
    if (path) this.load(path);
  }

  /** Picks up changes another process wrote (with --workers the primary writes, the workers read). */
  reread(): void {
    if (this.path) this.load(this.path);
  }

  private load(path: string): void {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new UserError(`cannot read proxy state file ${path}: ${(err as Error).message}`);
    }
    const corrupt = (why: string) => new UserError(`proxy state file ${path} is corrupt (${why}); fix or delete it to start from the config's modes`);
    let json: unknown;
    try {
      json = parseJsonText(text);
    } catch (err) {
      throw corrupt(`not valid JSON: ${(err as Error).message}`);
    }
    const parsed = stateFile.safeParse(json);
    if (!parsed.success) throw corrupt(parsed.error.issues[0]?.message ?? 'unexpected shape');
    this.overrides = new Map(Object.entries(parsed.data.overrides));
    this.entries = parsed.data.audit;
  }

  /** Writes the next state, then makes it the current one: a change that cannot be persisted is not made. */
  private commit(overrides: Overrides, entries: AuditEntry[]): void {
    if (this.path && !this.readOnly) save(this.path, { version: 1, overrides: Object.fromEntries(overrides), audit: entries });
    this.overrides = overrides;
    this.entries = entries;
  }

  /** The config with admin overrides applied; overrides the file has since moved away from are dropped. */
  apply(config: ProxyConfig): ProxyConfig {
    if (this.overrides.size === 0) return config;
    const overrides: Overrides = new Map(this.overrides);
    const dropped: AuditEntry[] = [];
    const routes = config.routes.map((r) => {
      const o = overrides.get(r.id);
      if (!o) return r;
      const fileSays = settingOf(config, r.id)!;
      if (!sameSetting(fileSays, o.base)) {
        overrides.delete(r.id);
        dropped.push(entry({ routeId: r.id, who: 'config file', from: o.to, to: fileSays, source: 'config' }));
        return r;
      }
      return withSetting(r, o.to);
    });
    if (dropped.length > 0) this.commit(overrides, appendAudit(this.entries, dropped));
    return { ...config, routes };
  }

  /** Records a change of a route made through the admin API (or by the canary guard) (the config passed is the file's, without overrides). */
  change(
    fileConfig: ProxyConfig,
    routeId: string,
    from: RouteSetting,
    to: RouteSetting,
    who: string,
    source: AuditEntry['source'] = 'admin',
    reason?: string,
  ): AuditEntry {
    const base = settingOf(fileConfig, routeId)!;
    const overrides: Overrides = new Map(this.overrides);
    if (sameSetting(base, to)) overrides.delete(routeId);
    else overrides.set(routeId, { to, base });
    const e = entry({ routeId, who, from, to, source, ...(reason !== undefined && { reason }) });
    this.commit(overrides, appendAudit(this.entries, [e]));
    return e;
  }

  audit(): readonly AuditEntry[] {
    return this.entries;
  }
}

const entry = (e: Omit<AuditEntry, 'at'>): AuditEntry => ({ at: new Date().toISOString(), ...e });

/** A new array (the one handed out by audit() never changes under its reader), the oldest entries past MAX_AUDIT dropped. */
function appendAudit(entries: readonly AuditEntry[], added: AuditEntry[]): AuditEntry[] {
  const all = [...entries, ...added];
  return all.length > MAX_AUDIT ? all.slice(all.length - MAX_AUDIT) : all;
}

function save(path: string, data: object): void {
  // write then rename: a crash mid-write never leaves half a file
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, JSON.stringify(data, null, 2));
    renameSync(tmp, path);
  } catch (err) {
    try {
      rmSync(tmp, { force: true }); // never a folder: without recursive it refuses one
    } catch {
      // the error worth reporting is the first one
    }
    const e = err as NodeJS.ErrnoException;
    throw new StateWriteError(path, e.code ?? e.message);
  }
}

export function settingOf(config: ProxyConfig, routeId: string): RouteSetting | undefined {
  const r = config.routes.find((x) => x.id === routeId);
  if (!r) return undefined;
  const s: RouteSetting = { mode: (r.mode ?? config.defaults.mode) as Mode };
  if (r.canary) s.percent = r.canary.percent;
  return s;
}

function withSetting<R extends ProxyConfig['routes'][number]>(r: R, s: RouteSetting): R {
  const out = { ...r, mode: s.mode };
  if (s.percent !== undefined) out.canary = { stickyBy: 'ip', ...r.canary, percent: s.percent };
  return out;
}

export function applySetting(config: ProxyConfig, routeId: string, s: RouteSetting): ProxyConfig {
  return { ...config, routes: config.routes.map((r) => (r.id === routeId ? withSetting(r, s) : r)) };
}

export const sameSetting = (a: RouteSetting, b: RouteSetting): boolean => a.mode === b.mode && a.percent === b.percent;

// Mode changes made through the admin API: kept in a small JSON file next to the config so a restart keeps
// them, with an audit trail (when, who, from, to). An override remembers what the config file said when it
// was made; once someone edits that route's mode in the file, the file wins again (editing is deliberate).
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
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
  source: z.enum(['admin', 'config']).default('admin'),
});
export type AuditEntry = z.infer<typeof auditEntry>;

const stateFile = z.object({
  version: z.literal(1),
  overrides: z.record(z.string(), z.object({ to: setting, base: setting })).default({}),
  audit: z.array(auditEntry).default([]),
});

const MAX_AUDIT = 10_000;

export class ModeState {
  private overrides = new Map<string, { to: RouteSetting; base: RouteSetting }>();
  private entries: AuditEntry[] = [];

  /** path undefined: changes live in memory only (no config file to sit next to) */
  constructor(readonly path: string | undefined) {
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
    const parsed = stateFile.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new UserError(`proxy state file ${path} is corrupt (${parsed.error.issues[0]?.message}); fix or delete it to start from the config's modes`);
    }
    this.overrides = new Map(Object.entries(parsed.data.overrides));
    this.entries = parsed.data.audit;
  }

  private save(): void {
    if (!this.path) return;
    const data = { version: 1, overrides: Object.fromEntries(this.overrides), audit: this.entries };
    mkdirSync(dirname(this.path), { recursive: true });
    // write then rename: a crash mid-write never leaves half a file
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2));
    renameSync(tmp, this.path);
  }

  /** The config with admin overrides applied; overrides the file has since moved away from are dropped. */
  apply(config: ProxyConfig): ProxyConfig {
    if (this.overrides.size === 0) return config;
    const routes = config.routes.map((r) => {
      const o = this.overrides.get(r.id);
      if (!o) return r;
      const fileSays = settingOf(config, r.id)!;
      if (!sameSetting(fileSays, o.base)) {
        this.overrides.delete(r.id);
        this.record({ routeId: r.id, who: 'config file', from: o.to, to: fileSays, source: 'config' });
        return r;
      }
      return withSetting(r, o.to);
    });
    return { ...config, routes };
  }

  /** Records an admin change of a route (the config passed is the file's, without overrides). */
  change(fileConfig: ProxyConfig, routeId: string, from: RouteSetting, to: RouteSetting, who: string): AuditEntry {
    const base = settingOf(fileConfig, routeId)!;
    if (sameSetting(base, to)) this.overrides.delete(routeId);
    else this.overrides.set(routeId, { to, base });
    return this.record({ routeId, who, from, to, source: 'admin' });
  }

  audit(): readonly AuditEntry[] {
    return this.entries;
  }

  private record(e: Omit<AuditEntry, 'at'>): AuditEntry {
    const entry = { at: new Date().toISOString(), ...e };
    this.entries.push(entry);
    if (this.entries.length > MAX_AUDIT) this.entries.splice(0, this.entries.length - MAX_AUDIT);
    this.save();
    return entry;
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

const sameSetting = (a: RouteSetting, b: RouteSetting) => a.mode === b.mode && a.percent === b.percent;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

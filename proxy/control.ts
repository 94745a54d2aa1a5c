// The control plane behind the admin API: the config file's content, the admin overrides on top of it, mode
// changes (validated, persisted, audited), reloads, and the route views with live stats. One process runs it;
// with --workers the primary runs it and tells the workers to reload.
import type { Logger } from '../common/log.ts';
import { quoteInput } from '../common/unprintable.ts';
import { AdminError, type RoutePatch, type RouteView } from './admin.ts';
import { guardOf, loadConfig, MODES, type ProxyConfig } from './config.ts';
import { ModeState, sameSetting, settingOf, StateWriteError, type AuditEntry, type RouteSetting } from './state.ts';
import type { CopyLimit } from './copy-slots.ts';
import type { CountersSnapshot, RouteLatency, RouteStats } from './stats.ts';
import type { Mode } from './types.ts';
import { unreachableRoutes } from './unreachable.ts';

export interface ControlOptions {
  configPath?: string;
  log: Logger;
  /** called with the effective config (file + overrides) whenever it changes */
  onApply: (effective: ProxyConfig) => void;
  /** live stats of a route; with `since`, what was counted after that snapshot of its counters */
  stats: (routeId: string, mode: string, service: string | undefined, since?: CountersSnapshot) => RouteStats;
  /** a route's counters as they stand: taken when its comparisons are started over, so its stats count from then */
  snapshot?: (routeId: string) => CountersSnapshot;
  /** a route's latency histograms as they stand (the canary guard's latency limits take windows of them) */
  latency?: (routeId: string) => RouteLatency;
  /** the copy limits of the shadowed routes whose candidate is slow, by route id (read for the route views) */
  copyLimits?: () => ReadonlyMap<string, CopyLimit>;
  /** false: read the state file, never write it (a --workers worker: the primary writes it) */
  persist?: boolean;
  /** throws (a UserError) to refuse a new config file content before anything of it is applied or recorded */
  accept?: (next: ProxyConfig) => void;
}

export class ProxyControl {
  private fileConfig: ProxyConfig;
  private current: ProxyConfig;
  private readonly state: ModeState;
  /** routes started over (reset-diffs) while this process ran: when, and their counters then */
  private readonly startedOver = new Map<string, { at: string; counts: CountersSnapshot }>();

  constructor(
    initial: ProxyConfig,
    private readonly options: ControlOptions,
  ) {
    this.fileConfig = initial;
    this.state = new ModeState(statePath(initial, options.configPath), options.persist === false);
    this.current = this.state.apply(initial);
    this.warnUnreachable(initial);
  }

  effective(): ProxyConfig {
    return this.current;
  }

  /** A new config file content (already validated): overrides re-applied, then swapped in. */
  apply(next: ProxyConfig): void {
    this.options.accept?.(next);
    // settings read at start-up only (listen among them) are named by the proxy's onApply (startupOnlyChanges)
    this.state.reread();
    const effective = this.state.apply(next);
    this.options.onApply(effective);
    this.fileConfig = next;
    this.current = effective;
    this.options.log.info({ routes: next.routes.length }, 'config applied');
    this.warnUnreachable(next);
  }

  /**
   * One warning per route that can never match (first declared match wins: a config may hold such routes), at start
   * and on every reload. Said by the process that owns the state (with --workers the primary), not by every worker.
   */
  private warnUnreachable(config: ProxyConfig): void {
    if (this.options.persist === false) return;
    for (const { route, shadowedBy } of unreachableRoutes(config.routes)) {
      this.options.log.warn(
        { route, shadowedBy },
        `route ${route} can never match: ${shadowedBy}, declared before it, matches every request it would (first declared match wins); remove it, or declare it before ${shadowedBy} if it should win`,
      );
    }
  }

  /** Re-reads the config file (throws a UserError listing every problem; the old config keeps serving). */
  async reload(): Promise<void> {
    const next = this.options.configPath ? loadConfig(this.options.configPath) : this.fileConfig;
    try {
      this.apply(next);
    } catch (err) {
      // the file is fine; the proxy cannot record what it did to the overrides (not the caller's fault)
      if (err instanceof StateWriteError) throw new AdminError(500, `config not applied: ${err.message}`);
      throw err;
    }
  }

  /** A mode change: validated, persisted, audited, applied; all of it or (when the state file cannot be written) none. */
  patch(id: string, patch: RoutePatch, who: string, source: AuditEntry['source'] = 'admin', reason?: string): RouteView {
    const from = settingOf(this.current, id);
    if (!from) throw new AdminError(404, `no route with id ${quoteInput(id)}`);
    if (patch.mode !== undefined && !(MODES as readonly string[]).includes(patch.mode)) {
      throw new AdminError(400, `mode: expected one of ${MODES.join('|')}`);
    }
    if (patch.percent !== undefined && !(patch.percent >= 0 && patch.percent <= 100)) {
      throw new AdminError(400, 'percent: expected a number 0..100');
    }
    const to: RouteSetting = { mode: (patch.mode as Mode | undefined) ?? from.mode };
    // a percent on a route that does not serve canary would sit there unused and show as its canary share
    if (patch.percent !== undefined && to.mode !== 'canary') {
      throw new AdminError(400, 'percent applies to canary mode; send it with mode: canary or on a route in canary');
    }
    const percent = patch.percent ?? from.percent;
    if (percent !== undefined) to.percent = percent;
    if (to.mode === 'canary' && to.percent === undefined) {
      throw new AdminError(400, 'mode canary needs a percent: send {"mode":"canary","percent":10}');
    }
    if (!sameSetting(from, to)) this.change(id, from, to, who, source, reason);
    return this.views().find((v) => v.id === id)!;
  }

  private change(id: string, from: RouteSetting, to: RouteSetting, who: string, source: AuditEntry['source'], reason?: string): void {
    let entry: AuditEntry;
    try {
      entry = this.state.change(this.fileConfig, id, from, to, who, source, reason);
    } catch (err) {
      if (err instanceof StateWriteError) throw new AdminError(500, `route ${id} not changed: ${err.message}`);
      throw err;
    }
    const effective = this.state.apply(this.fileConfig);
    this.options.onApply(effective);
    this.current = effective;
    this.options.log.info({ route: id, from: entry.from, to: entry.to, who }, 'route mode changed');
  }

  /**
   * A route's comparisons were started over after a fix to its candidate: from now on its views count traffic, drops,
   * errors and latency from here, as the diff store counts its comparisons (what the metrics and the guard read is
   * left as it is).
   */
  startOver(id: string, at = new Date()): void {
    if (this.options.snapshot) this.startedOver.set(id, { at: at.toISOString(), counts: this.options.snapshot(id) });
  }

  /** Every route with its live stats: since it was last started over, or `sinceStart` (the guard) since the process started. */
  views(sinceStart = false): RouteView[] {
    const cfg = this.current;
    const last = new Map<string, AuditEntry>();
    for (const e of this.state.audit()) last.set(e.routeId, e); // oldest first: the last one stays
    // what the admin API shows (the guard and the metrics, sinceStart, do not read it)
    const limits = sinceStart ? undefined : this.options.copyLimits?.();
    return cfg.routes.map((r) => {
      const mode = r.mode ?? cfg.defaults.mode;
      const change = last.get(r.id);
      const guard = guardOf(cfg, r);
      const since = sinceStart ? undefined : this.startedOver.get(r.id);
      const copyLimit = limits?.get(r.id);
      return {
        id: r.id,
        method: r.method,
        path: r.path,
        service: r.service,
        owner: cfg.services[r.service]?.owner,
        mode,
        canary: r.canary,
        fallback: r.fallback ?? false,
        stats: this.options.stats(r.id, mode, r.service, since?.counts),
        ...(copyLimit && { copyLimit }),
        ...(since && { countedSince: since.at }),
        ...(guard && { guard }),
        ...(change && {
          lastChange: {
            at: change.at,
            who: change.who,
            source: change.source,
            from: change.from.mode,
            to: change.to.mode,
            ...(change.reason !== undefined && { reason: change.reason }),
          },
        }),
      };
    });
  }

  latency(id: string): RouteLatency | undefined {
    return this.options.latency?.(id);
  }

  audit(): readonly AuditEntry[] {
    return this.state.audit();
  }
}

export function statePath(config: ProxyConfig, configPath: string | undefined): string | undefined {
  return config.state ?? (configPath ? `${configPath}.state.json` : undefined);
}

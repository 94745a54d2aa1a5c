// The comparison step beside the proxy: onPair queues a shadowed exchange and returns at once;
// the diff, the noise sample and the store writes run later in small setImmediate batches.
import { createLogger, type Logger } from '../common/log.ts';
import { compileRules, diffResponses, fingerprint, foldPath, noiseFields, type CompiledRules } from './compare/index.ts';
import type { ProxyConfig } from './config.ts';
import type { DiffStore, FieldKey, RouteCounters, RouteMeta } from './store/types.ts';
import type { CompareRules, DiffEntry, Pair } from './types.ts';
import { openStore } from './store.ts';
import { diffAdminRoutes } from './report/admin-routes.ts';

export { diffAdminRoutes };

export interface RouteInfo {
  service: string;
  owner?: string;
  mode: string;
  /** the proxy's noise thresholds for this route, recorded so reports judge with the same numbers */
  noise?: { relative: number; absolute: number };
}

export interface ProxyRouteCounters extends RouteCounters {
  routeId: string;
}

export interface ComparatorOptions {
  store: DiffStore;
  rulesFor(routeId: string): CompareRules;
  routeInfo(routeId: string): RouteInfo;
  logger?: Logger;
  /** pairs waiting beyond this are dropped and counted (default 10,000) */
  maxQueue?: number;
  /** pairs compared per event-loop turn (default 64), so a burst never blocks the proxy for long */
  batchSize?: number;
  /** live proxy counters (dropped copies, skipped unsafe, fallbacks), copied into the store */
  proxyStats?: () => readonly ProxyRouteCounters[];
  /** how often proxyStats is copied (default 5,000 ms) */
  statsEveryMs?: number;
}

export interface ComparatorStats {
  queued: number;
  compared: number;
  noiseSamples: number;
  /** pairs dropped because the queue was full */
  dropped: number;
  /** pairs that could not be compared (logged) */
  failed: number;
}

export interface Comparator {
  /** never throws, never does the work on the caller's turn */
  onPair(pair: Pair): void;
  stats(): ComparatorStats;
  /** compares what is queued, copies proxy counters once more and flushes the store (which stays open) */
  close(): Promise<void>;
}

export function createComparator(options: ComparatorOptions): Comparator {
  const { store } = options;
  const log = options.logger ?? createLogger('comparator');
  const maxQueue = options.maxQueue ?? 10_000;
  const batchSize = options.batchSize ?? 64;
  const queue: Pair[] = [];
  let head = 0;
  let scheduled: NodeJS.Immediate | undefined;
  let closed = false;
  const counts = { compared: 0, noiseSamples: 0, dropped: 0, failed: 0 };
  const known = new Map<string, string>(); // routeId -> last meta written, to upsert only on change
  const compiled = new WeakMap<CompareRules, CompiledRules>();

  function rules(routeId: string): CompiledRules {
    const raw = options.rulesFor(routeId);
    let c = compiled.get(raw);
    if (!c) compiled.set(raw, (c = compileRules(raw)));
    return c;
  }

  function noteRoute(pair: Pair): RouteMeta['noise'] {
    let info: RouteInfo;
    try {
      info = options.routeInfo(pair.routeId);
    } catch {
      info = { service: pair.service, mode: 'shadow' };
    }
    const meta: RouteMeta = { routeId: pair.routeId, service: info.service, owner: info.owner, mode: info.mode, noise: info.noise };
    const key = JSON.stringify(meta);
    if (known.get(pair.routeId) !== key) {
      known.set(pair.routeId, key);
      store.upsertRoute(meta);
    }
    return info.noise;
  }

  function compare(pair: Pair): void {
    noteRoute(pair);
    const r = rules(pair.routeId);
    let entries: DiffEntry[] = [];
    if (pair.candidate) entries = diffResponses(pair.monolith, pair.candidate, r);
    store.recordComparison({
      routeId: pair.routeId,
      request: pair.request,
      monolith: pair.monolith,
      candidate: pair.candidate,
      candidateError: pair.candidateError,
      entries,
      fields: fieldsOf(entries),
      fingerprint: entries.length > 0 ? fingerprint(pair.routeId, entries) : undefined,
    });
    counts.compared++;
    if (pair.monolithAgain) {
      store.recordNoise({ routeId: pair.routeId, at: pair.request.receivedAt, fields: fieldsOf(noiseFields(pair.monolith, pair.monolithAgain, r)) });
      counts.noiseSamples++;
    }
  }

  function drain(): void {
    scheduled = undefined;
    const end = Math.min(queue.length, head + batchSize);
    for (; head < end; head++) {
      const pair = queue[head];
      queue[head] = undefined as unknown as Pair; // let the bodies go as soon as they are compared
      try {
        compare(pair);
      } catch (err) {
        counts.failed++;
        log.warn({ err, route: pair?.routeId }, 'pair could not be compared; skipped');
      }
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else {
      scheduled = setImmediate(drain);
    }
  }

  function syncProxyStats(): void {
    if (!options.proxyStats) return;
    try {
      for (const s of options.proxyStats()) {
        store.recordRouteCounters(s.routeId, { dropped: s.dropped, skippedUnsafe: s.skippedUnsafe, fallbacks: s.fallbacks });
      }
    } catch (err) {
      log.warn({ err }, 'proxy counters could not be copied to the diff store');
    }
  }
  const statsTimer = options.proxyStats ? setInterval(syncProxyStats, options.statsEveryMs ?? 5_000) : undefined;
  statsTimer?.unref();

  return {
    onPair(pair) {
      if (closed || queue.length - head >= maxQueue) {
        counts.dropped++;
        return;
      }
      queue.push(pair);
      scheduled ??= setImmediate(drain);
    },
    stats() {
      return { queued: queue.length - head, ...counts };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (statsTimer) clearInterval(statsTimer);
      if (scheduled) clearImmediate(scheduled);
      while (head < queue.length) drain();
      if (scheduled) clearImmediate(scheduled);
      syncProxyStats();
      store.flush();
    },
  };
}

/** Distinct folded (path, kind) pairs: what counters and fingerprints are keyed on. */
export function fieldsOf(entries: readonly DiffEntry[]): FieldKey[] {
  const seen = new Map<string, FieldKey>();
  for (const e of entries) {
    const path = foldPath(e.path);
    seen.set(`${path}\u0000${e.kind}`, { path, kind: e.kind });
  }
  return [...seen.values()];
}

/** rulesFor and routeInfo read from the live proxy config: route rules over defaults.compare. */
export function configLookup(config: () => ProxyConfig): Pick<ComparatorOptions, 'rulesFor' | 'routeInfo'> {
  const byId = (id: string) => config().routes.find((r) => r.id === id);
  return {
    rulesFor(routeId) {
      const cfg = config();
      const route = byId(routeId);
      return { ...cfg.defaults.compare, ...route?.compare };
    },
    routeInfo(routeId) {
      const cfg = config();
      const route = byId(routeId);
      const service = route?.service ?? 'unknown';
      const { relative, absolute } = cfg.defaults.noise;
      return { service, owner: cfg.services[service]?.owner, mode: route?.mode ?? cfg.defaults.mode, noise: { relative, absolute } };
    },
  };
}

export interface DiffPipeline {
  store: DiffStore;
  comparator: Comparator;
  adminRoutes: ReturnType<typeof diffAdminRoutes>;
  /** finish comparing, then close the store */
  close(): Promise<void>;
}

/** Everything the proxy needs for diffing, from its config: store (with redaction), comparator, admin routes. */
export function createDiffPipeline(config: () => ProxyConfig, extra: Partial<Omit<ComparatorOptions, 'store'>> = {}): DiffPipeline {
  const cfg = config();
  const store = openStore(cfg.store.path, { samplesPerFingerprint: cfg.store.samplesPerFingerprint, redact: cfg.redact, logger: extra.logger });
  const comparator = createComparator({ ...configLookup(config), ...extra, store });
  return {
    store,
    comparator,
    adminRoutes: diffAdminRoutes(store),
    async close() {
      await comparator.close();
      store.close();
    },
  };
}

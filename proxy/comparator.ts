// The comparison step beside the proxy: onPair queues a shadowed exchange and returns at once;
// the diff, the noise sample and the store writes run later in small setImmediate batches.
import { createLogger, type Logger } from '../common/log.ts';
import { compileRules, diffResponses, fingerprint, foldPath, noiseFields, type CompiledRules } from './compare/index.ts';
import { DEFAULT_COMPARE_QUEUE_BYTES, type ProxyConfig } from './config.ts';
import type { DiffStore, FieldKey, ResetResult, RouteCounters, RouteMeta } from './store/types.ts';
import type { RedactOptions } from './store/redact.ts';
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
  /** the live redaction rules: when they change (a config reload) the store redacts what it records from then on */
  redact?(): RedactOptions;
  logger?: Logger;
  /** pairs waiting beyond this are dropped and counted (default 10,000) */
  maxQueue?: number;
  /** body bytes held by waiting pairs beyond this are dropped and counted (default 16 MiB, memory.compareQueueBytes
   * in the config): with large responses the count alone would let the queue hold gigabytes while the diffs catch up */
  maxQueueBytes?: number;
  /** pairs compared per event-loop turn (default 64), so a burst never blocks the proxy for long */
  batchSize?: number;
  /** a turn also ends once it has compared for this long (default 8 ms; at least one pair per turn) */
  batchMs?: number;
  /** live proxy counters (dropped copies, skipped unsafe, fallbacks), copied into the store */
  proxyStats?: () => readonly ProxyRouteCounters[];
  /** how often proxyStats is copied (default 5,000 ms) */
  statsEveryMs?: number;
}

export interface ComparatorStats {
  queued: number;
  /** body bytes held by the waiting pairs */
  queuedBytes: number;
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
  /** writes every known route's current info (mode, owner) to the store and flushes it */
  syncRoutes(): void;
  /** compares what is queued, copies proxy counters once more and flushes the store (which stays open) */
  close(): Promise<void>;
}

export function createComparator(options: ComparatorOptions): Comparator {
  const { store } = options;
  const log = options.logger ?? createLogger('comparator');
  const maxQueue = options.maxQueue ?? 10_000;
  const maxQueueBytes = options.maxQueueBytes ?? DEFAULT_COMPARE_QUEUE_BYTES;
  let queuedBytes = 0;
  const batchSize = options.batchSize ?? 64;
  const batchMs = options.batchMs ?? 8;
  const queue: Pair[] = [];
  let head = 0;
  let scheduled: NodeJS.Immediate | undefined;
  let closed = false;
  const counts = { compared: 0, noiseSamples: 0, dropped: 0, failed: 0 };
  const known = new Map<string, RouteInfo>(); // last metadata written per route, to upsert only on change
  const compiled = new WeakMap<CompareRules, CompiledRules>();
  let redactSeen: RedactOptions | undefined; // the object last checked: a reload makes a new one
  let redactApplied: string | undefined; // its content, so an unchanged section costs no recompile

  function rules(routeId: string): CompiledRules {
    const raw = options.rulesFor(routeId);
    let c = compiled.get(raw);
    if (!c) compiled.set(raw, (c = compileRules(raw)));
    return c;
  }

  function noteRoute(routeId: string, fallbackService: string): void {
    let info: RouteInfo;
    try {
      info = options.routeInfo(routeId);
    } catch {
      info = { service: fallbackService, mode: 'shadow' };
    }
    const last = known.get(routeId);
    if (last && sameInfo(last, info)) return;
    known.set(routeId, info);
    store.upsertRoute({ routeId, service: info.service, owner: info.owner, mode: info.mode, noise: info.noise });
  }

  /** Called before every comparison and on syncRoutes; an identity check unless the config changed. */
  function syncRedact(): void {
    if (!options.redact) return;
    const redact = options.redact();
    if (redact === redactSeen) return;
    redactSeen = redact;
    const key = JSON.stringify(redact);
    if (key === redactApplied) return;
    try {
      store.setRedact(redact);
      redactApplied = key;
    } catch (err) {
      log.error({ err }, 'redaction rules could not be applied; the store keeps the previous ones');
    }
  }

  function compare(pair: Pair): void {
    syncRedact();
    noteRoute(pair.routeId, pair.service);
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
    // a turn ends after batchSize pairs or batchMs, whichever comes first: 64 diffs of 1 MB answers
    // (~30 ms each) would otherwise hold the proxy's event loop for two seconds
    const until = performance.now() + batchMs;
    while (head < end) {
      const pair = queue[head];
      queue[head++] = undefined as unknown as Pair; // let the bodies go as soon as they are compared
      queuedBytes -= pairBytes(pair);
      try {
        compare(pair);
      } catch (err) {
        counts.failed++;
        log.warn({ err, route: pair?.routeId }, 'pair could not be compared; skipped');
      }
      if (performance.now() >= until) break;
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
        // routes that were never shadowed and never dropped anything have nothing to report
        if (!known.has(s.routeId) && s.dropped === 0 && s.skippedUnsafe === 0 && s.fallbacks === 0) continue;
        noteRoute(s.routeId, 'unknown');
        store.recordRouteCounters(s.routeId, { dropped: s.dropped, skippedUnsafe: s.skippedUnsafe, fallbacks: s.fallbacks });
      }
    } catch (err) {
      log.warn({ err }, 'proxy counters could not be copied to the diff store');
    }
  }
  // every few seconds: the proxy's counters into the store, and the routes another process started over
  const statsTimer = setInterval(() => {
    syncProxyStats();
    try {
      store.refreshResets();
    } catch (err) {
      log.warn({ err }, 'could not read which routes were started over');
    }
  }, options.statsEveryMs ?? 5_000);
  statsTimer.unref();

  return {
    onPair(pair) {
      const bytes = pairBytes(pair);
      if (closed || queue.length - head >= maxQueue || (queuedBytes + bytes > maxQueueBytes && queue.length > head)) {
        counts.dropped++;
        return;
      }
      queuedBytes += bytes;
      queue.push(pair);
      scheduled ??= setImmediate(drain);
    },
    stats() {
      return { queued: queue.length - head, queuedBytes, ...counts };
    },
    syncRoutes() {
      // a route that stopped being compared (migrated, legacy) would otherwise keep its old mode in the store
      for (const routeId of [...known.keys()]) noteRoute(routeId, known.get(routeId)!.service);
      syncRedact();
      store.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(statsTimer);
      if (scheduled) clearImmediate(scheduled);
      while (head < queue.length) {
        drain();
        store.flush(); // nothing yields here, so the store's own count-triggered flush would never run
      }
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

function sameInfo(a: RouteInfo, b: RouteInfo): boolean {
  return a.service === b.service && a.owner === b.owner && a.mode === b.mode && a.noise?.relative === b.noise?.relative && a.noise?.absolute === b.noise?.absolute;
}

/**
 * rulesFor, routeInfo and redact read from the live proxy config: route rules over defaults.compare. Results
 * are cached per config object, so a reload (a new object) is picked up and the same rules object
 * comes back for every pair in between (the comparator compiles each rules object once).
 */
export function configLookup(config: () => ProxyConfig): Pick<ComparatorOptions, 'rulesFor' | 'routeInfo' | 'redact'> {
  const cache = new WeakMap<ProxyConfig, Map<string, { rules: CompareRules; info: RouteInfo }>>();
  function entry(routeId: string): { rules: CompareRules; info: RouteInfo } {
    const cfg = config();
    let byId = cache.get(cfg);
    if (!byId) cache.set(cfg, (byId = new Map()));
    let e = byId.get(routeId);
    if (!e) {
      const route = cfg.routes.find((r) => r.id === routeId);
      const service = route?.service ?? 'unknown';
      const { relative, absolute } = cfg.defaults.noise;
      e = {
        rules: { ...cfg.defaults.compare, ...route?.compare },
        info: { service, owner: cfg.services[service]?.owner, mode: route?.mode ?? cfg.defaults.mode, noise: { relative, absolute } },
      };
      byId.set(routeId, e);
    }
    return e;
  }
  return { rulesFor: (routeId) => entry(routeId).rules, routeInfo: (routeId) => entry(routeId).info, redact: () => config().redact };
}

export interface DiffPipeline {
  store: DiffStore;
  comparator: Comparator;
  adminRoutes: ReturnType<typeof diffAdminRoutes>;
  /** finish comparing, then close the store */
  close(): Promise<void>;
}

/**
 * Everything the proxy needs for diffing, from its config: store (with redaction, kept in step with reloads), comparator,
 * admin routes.
 * Pass the proxy's own logger (`extra.logger`): the store and the comparator log through children of it, so the
 * process has one log stream. Without it each makes its own pino logger with its own asynchronous writer on
 * stdout and exit hooks, which costs a proxy under load ~10 µs per request (docs/benchmarks.md).
 */
export function createDiffPipeline(config: () => ProxyConfig, extra: Partial<Omit<ComparatorOptions, 'store'>> = {}): DiffPipeline {
  const cfg = config();
  const store = openStore(cfg.store.path, { samplesPerFingerprint: cfg.store.samplesPerFingerprint, redact: cfg.redact, logger: extra.logger?.child({ component: 'store' }) });
  const comparator = createComparator({
    ...configLookup(config),
    maxQueueBytes: cfg.memory.compareQueueBytes,
    ...extra,
    logger: extra.logger?.child({ component: 'comparator' }),
    store,
  });
  return {
    store,
    comparator,
    adminRoutes: diffAdminRoutes(store, () => config().report ?? {}, {
      beforeRead: () => comparator.syncRoutes(),
      onReset: (cleared, who) => logReset(extra.logger, cleared, who),
    }),
    async close() {
      await comparator.close();
      store.close();
    },
  };
}

/** One line for a route started over through the admin API: who, and what was cleared. */
export function logReset(logger: Logger | undefined, cleared: ResetResult, who: string): void {
  const { routeId: route, ...counts } = cleared;
  logger?.info({ route, who, ...counts }, `diffs of ${route} started over by ${who}: ${counts.compared} compared, ${counts.errors} candidate errors, ${counts.groups} groups, ${counts.samples} samples cleared`);
}

/** Body bytes a queued pair keeps alive (request, both answers, the noise sample). */
function pairBytes(pair: Pair | null | undefined): number {
  // defensive: onPair must never throw, even for a malformed pair (compare() skips it later and counts it)
  return (pair?.request?.body?.length ?? 0) + (pair?.monolith?.body?.length ?? 0) + (pair?.candidate?.body?.length ?? 0) + (pair?.monolithAgain?.body?.length ?? 0);
}

// Prometheus metrics for one proxy: a Registry of its own (several proxies in one process do not clash),
// filled at scrape time from the live route counters, so the hot path pays nothing for /metrics.
import { Counter, Gauge, Registry } from 'prom-client';
import { REFUSAL_REASONS, type RefusalCounts } from './refusals.ts';
import type { CopyLimit } from './copy-slots.ts';
import type { RouteStats } from './stats.ts';

type CounterField = 'requests' | 'shadowed' | 'dropped' | 'droppedSlow' | 'skippedUnsafe' | 'fallbacks' | 'candidateErrors' | 'candidateAnswers' | 'candidate5xx';

const COUNTERS: [CounterField, string, string][] = [
  ['requests', 'strangler_requests_total', 'Requests received, per route'],
  ['shadowed', 'strangler_shadow_copies_total', 'Shadow copies sent to the candidate'],
  ['dropped', 'strangler_shadow_dropped_total', 'Shadow copies dropped (concurrency cap or a slow candidate\'s lower limit full, byte budget memory.shadowBytes spent, or request body over maxBodyBytes)'],
  ['droppedSlow', 'strangler_shadow_dropped_slow_total', 'Of the dropped shadow copies, those turned away by the lower copy limit of a candidate much slower than the monolith (shadow.adaptive)'],
  ['skippedUnsafe', 'strangler_shadow_skipped_unsafe_total', 'Unsafe requests (POST, PUT, PATCH, DELETE) not copied'],
  ['fallbacks', 'strangler_fallbacks_total', 'Candidate failures retried on the monolith'],
  ['candidateErrors', 'strangler_candidate_errors_total', 'Candidate calls that failed (refused, reset, timeout, invalid)'],
  ['candidateAnswers', 'strangler_candidate_answers_total', 'Answers clients got from the candidate side (canary, migrated)'],
  ['candidate5xx', 'strangler_candidate_5xx_total', 'Of those, answers of 5xx, the proxy 502/504 included'],
];

/**
 * The live counters per route, (from the process that runs the canary guard) how many times the guard moved
 * each route back, to which mode: what an alert on a canary that stepped back watches; the requests the proxy
 * refused itself, by reason; and the copy limits of the shadowed routes whose candidate is slow.
 */
export function createMetrics(
  stats: () => RouteStats[],
  guardMoves?: () => ReadonlyMap<string, ReadonlyMap<string, number>>,
  refused?: () => RefusalCounts,
  copyLimits?: () => ReadonlyMap<string, CopyLimit>,
): Registry {
  const registry = new Registry();
  for (const [field, name, help] of COUNTERS) {
    new Counter({
      name,
      help,
      labelNames: ['route', 'service'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of stats()) this.inc({ route: s.routeId, service: s.service ?? 'legacy' }, s[field]);
      },
    });
  }
  new Gauge({
    name: 'strangler_route_mode',
    help: 'Current mode of each route (1 for the active mode)',
    labelNames: ['route', 'mode'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of stats()) this.set({ route: s.routeId, mode: s.mode }, 1);
    },
  });
  if (guardMoves) {
    new Counter({
      name: 'strangler_guard_rollbacks_total',
      help: 'Routes the canary guard moved out of canary, per route and the mode it moved them to',
      labelNames: ['route', 'to'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [route, byMode] of guardMoves()) for (const [to, n] of byMode) this.inc({ route, to }, n);
      },
    });
  }
  if (refused) {
    new Counter({
      name: 'strangler_refused_total',
      help: 'Requests the proxy answered itself and never forwarded, by reason (host-duplicate, host-invalid, target-invalid: 400; transfer-coding: 501; parse: 400 or 413, headers-too-large: 431, timeout: 408, answered by Node\'s HTTP parser)',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        this.reset();
        const counts = refused();
        for (const reason of REFUSAL_REASONS) this.inc({ reason }, counts[reason]);
      },
    });
  }
  if (copyLimits) {
    new Gauge({
      name: 'strangler_shadow_copy_limit',
      help: 'Copies in flight a shadowed route is held to while its candidate is much slower than the monolith (shadow.adaptive), below its cap shadow.concurrency; absent while the cap alone applies (with --workers: the lowest worker\'s)',
      labelNames: ['route', 'service'],
      registers: [registry],
      collect() {
        this.reset();
        const limits = copyLimits();
        if (limits.size === 0) return;
        for (const s of stats()) {
          const l = limits.get(s.routeId);
          if (l) this.set({ route: s.routeId, service: s.service ?? 'legacy' }, l.limit);
        }
      },
    });
  }
  new Gauge({
    name: 'strangler_latency_ms',
    help: 'Upstream latency quantiles per route and side, in milliseconds (log-bucket histogram, about 4% precision)',
    labelNames: ['route', 'side', 'quantile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of stats()) {
        for (const side of ['monolith', 'candidate'] as const) {
          const l = s.latency[side];
          if (l.count === 0) continue;
          this.set({ route: s.routeId, side, quantile: '0.5' }, l.p50);
          this.set({ route: s.routeId, side, quantile: '0.99' }, l.p99);
        }
      }
    },
  });
  return registry;
}

// queryReport: the only part of reporting that touches the store. Reads rows, then builds.
import type { DiffStore, SampleRow } from '../store/types.ts';
import { buildReport, sampleKey } from './build.ts';
import { DEFAULT_REPORT_OPTIONS, type ReportData, type ReportOptions } from './model.ts';

export function queryReport(store: DiffStore, options: Partial<ReportOptions> = {}, now: Date = new Date()): ReportData {
  const opts: ReportOptions = { ...DEFAULT_REPORT_OPTIONS, ...options };
  const routes = store.readRoutes();
  const fields = store.readFields();
  const groups = store.readGroups();
  const samples = new Map<string, SampleRow[]>();
  if (opts.samplesPerGroup > 0) {
    for (const g of groups) {
      if (g.sampleCount > 0) samples.set(sampleKey(g.routeId, g.fingerprint), store.readSamples(g.routeId, g.fingerprint, opts.samplesPerGroup));
    }
  }
  return buildReport({ routes, fields, groups, samples }, opts, now);
}

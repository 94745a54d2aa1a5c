// One line per metric on how to read it, shared by the Markdown and HTML reports.
import type { MetricSetJson } from '../plan-schema.ts';

export interface MetricRow {
  key: keyof Omit<MetricSetJson, 'cycles'> | 'cycles';
  label: string;
  better: 'higher' | 'lower';
  note: string;
}

export const METRIC_ROWS: readonly MetricRow[] = [
  { key: 'services', label: 'Services', better: 'higher', note: 'candidate services (shared kernel not counted)' },
  { key: 'modularity', label: 'Modularity Q', better: 'higher', note: 'Newman modularity of the cut on the clustering graph; above 0.3 is a clear community structure' },
  { key: 'sm', label: 'SM', better: 'higher', note: 'structural modularity: cohesion inside services minus coupling between them' },
  { key: 'mq', label: 'MQ', better: 'higher', note: 'modularization quality (Bunch): sum over services of 2μ/(2μ+ε), at most the number of services' },
  { key: 'icp', label: 'ICP %', better: 'lower', note: 'share of static calls that cross a service boundary (future network calls)' },
  { key: 'ifn', label: 'IFN', better: 'lower', note: 'files per service called from other services (the API surface to build)' },
  { key: 'ned', label: 'NED', better: 'lower', note: 'share of files in services with fewer than 5 or more than 20 files' },
  { key: 'sharedWriteTables', label: 'Shared written tables', better: 'lower', note: 'tables written by more than one service' },
  { key: 'cycles', label: 'Service cycles', better: 'lower', note: 'groups of services that depend on each other in a cycle' },
];

export function metricValue(m: MetricSetJson, key: MetricRow['key']): string {
  if (key === 'cycles') return String(m.cycles.length);
  const v = m[key];
  return Number.isInteger(v) ? String(v) : v.toFixed(key === 'icp' ? 1 : 3);
}

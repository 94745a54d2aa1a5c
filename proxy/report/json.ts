// JSON for tools: ReportData as is, with a format version so consumers can check what they read.
import type { ReportData } from './model.ts';

export const REPORT_JSON_VERSION = 1;

export function renderJson(data: ReportData): string {
  return `${JSON.stringify({ reportVersion: REPORT_JSON_VERSION, ...data }, null, 2)}\n`;
}

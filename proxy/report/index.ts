// The report module's public surface: query the store once, render in any format.
export { queryReport } from './query.ts';
export { buildReport, type ReportRows } from './build.ts';
export { renderHtml } from './html.ts';
export { renderMarkdown } from './markdown.ts';
export { renderJson } from './json.ts';
export { renderJunit } from './junit.ts';
export { suggestRules, type SuggestedRoute } from './suggest.ts';
export { formatPercent, verdictFor } from './verdict.ts';
export * from './model.ts';

// runDemo: the whole journey on the sample bookshop, as a library (the `strangler demo` verb and the e2e
// test call it). analyze → start monolith + services + proxy → phases of traffic with mode changes in
// between → report. With serve, everything keeps running until the caller closes it.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '../common/log.ts';
import { UserError } from '../common/user-error.ts';
import { analyze, toProxyConfig } from '../analyzer/index.ts';
import { renderMarkdown as renderPlanMarkdown } from '../analyzer/report/markdown.ts';
import { renderHtmlReport } from '../analyzer/report/html.ts';
import { prepareOutDir, writeProxyConfig } from '../analyzer/output.ts';
import type { ProxyConfig } from '../proxy/config.ts';
import { queryReport, renderHtml, renderJson, type ReportData, type ReportOptions } from '../proxy/report/index.ts';
import { serviceRoutes } from '../services/ownership.ts';
import { demoConfig, type ConfigNotes } from './config.ts';
import { adminClient, demoPhases, enterPhase } from './phases.ts';
import { driveShoppers, type TrafficProgress, type TrafficSummary } from './shoppers.ts';
import { startBackends, startProxyStack, DEFAULT_PORTS, type Backends, type DemoPorts, type ProxyStack } from './stack.ts';
import { formatSummary, idleRoutes, realFindings, summaryRows, type Finding, type RouteRef } from './summary.ts';

const MONOLITH_ROOT = fileURLToPath(new URL('../legacy-monolith/', import.meta.url));
const REFERENCE = join(MONOLITH_ROOT, 'reference-decomposition.json');

export interface DemoOptions {
  /** where the plan, the reports, the config, the diff store and the databases go (default out) */
  out?: string;
  ports?: DemoPorts;
  /** total requests over both phases (default 3000) */
  requests?: number;
  shoppers?: number;
  seed?: number;
  /** admin token (default STRANGLER_ADMIN_TOKEN, else a random one) */
  adminToken?: string;
  /** share of shadowed requests the monolith is asked twice to learn its noise (default 1: the demo is short, so it learns from every shadowed request) */
  noiseSample?: number;
  canaryPercent?: number;
  /** compared requests a route needs before the report can call it READY (default 100) */
  minSamples?: number;
  /** progress of the traffic, one line per phase while it runs (the CLI draws a bar on a TTY) */
  onPhase?: (phase: { index: number; count: number; name: string; description: string }) => void;
  onProgress?: (progress: TrafficProgress) => void;
  /** the caller keeps everything running after the summary (the summary then says the URLs are live) */
  serve?: boolean;
  /** aborting stops the traffic, closes everything and rejects with a UserError (exit code 130) */
  signal?: AbortSignal;
  /** log lines (analysis, start-up) for the terminal */
  say?: (line: string) => void;
  logger?: Logger;
}

export interface DemoResult {
  report: ReportData;
  findings: Finding[];
  summary: string;
  config: ProxyConfig;
  notes: ConfigNotes;
  traffic: TrafficSummary[];
  urls: { proxy: string; admin: string; legacy: string; services: Record<string, string> };
  adminToken: string;
  files: { report: string; reportJson: string; config: string; store: string; plan: string; traffic: string; analysis: string[] };
  /** stops the proxy, the services and the monolith and closes every database (idempotent) */
  close(): Promise<void>;
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const out = options.out ?? 'out';
  const say = options.say ?? (() => {});
  const log = options.logger ?? createLogger('demo', { level: process.env.LOG_LEVEL ?? 'warn' });
  const ports = options.ports ?? DEFAULT_PORTS;
  const requests = options.requests ?? 3000;
  const canaryPercent = options.canaryPercent ?? 20;
  const adminToken = options.adminToken ?? process.env.STRANGLER_ADMIN_TOKEN ?? randomBytes(16).toString('hex');
  const reportOptions: Partial<ReportOptions> = { minSamples: options.minSamples ?? 100 };
  // before the analysis and the servers: a bad --out is one line, not an ENOTDIR once everything is up
  prepareOutDir(out);

  const interrupted = (): void => {
    if (options.signal?.aborted) throw new UserError('demo interrupted: everything it started is stopped and its databases closed', 130);
  };

  // 1. analyze the monolith's source, as `strangler analyze` would
  say('analyzing legacy-monolith ...');
  const { plan } = await analyze(MONOLITH_ROOT, { reference: REFERENCE, rootLabel: 'legacy-monolith' });
  const emitted = toProxyConfig(plan);
  const files = {
    plan: join(out, 'plan.json'),
    planMarkdown: join(out, 'report.md'),
    planHtml: join(out, 'report.html'),
  };
  writeFileSync(files.plan, `${JSON.stringify(plan, null, 2)}\n`);
  // a strangler.config.json the user edited is kept (this run's goes beside it); the demo runs on `emitted` anyway
  const emittedConfig = writeProxyConfig(out, `${JSON.stringify(emitted, null, 2)}\n`);
  if (emittedConfig.notice) say(emittedConfig.notice);
  writeFileSync(files.planMarkdown, renderPlanMarkdown(plan));
  writeFileSync(files.planHtml, await renderHtmlReport(plan));
  say(`analyzed legacy-monolith: ${plan.services.length} candidate services, ${emitted.routes.length} routes → ${files.plan}, ${files.planHtml}`);

  interrupted();

  // 2. the monolith and the extracted services, on fresh databases
  const storePath = join(out, 'diffs.sqlite');
  const configPath = join(out, 'demo.config.json');
  const trafficPath = join(out, 'demo-traffic.ndjson');
  for (const f of [storePath, `${storePath}-wal`, `${storePath}-shm`, `${configPath}.state.json`]) rmSync(f, { force: true });
  const backends: Backends = await startBackends(join(out, 'data'), ports);

  // 3. the proxy, with the analyzer's routes pointed at the real services
  const { config: input, notes } = demoConfig(emitted, serviceRoutes, {
    urls: backends.urls,
    port: ports.proxy,
    adminPort: ports.admin,
    storePath,
    noiseSample: options.noiseSample ?? 1,
    canaryPercent,
  });
  writeFileSync(configPath, `${JSON.stringify(input, null, 2)}\n`);
  for (const r of notes.reassigned) say(`  ${r.id}: the analyzer proposed ${r.from}, but the ${r.to} service serves it (services/ownership.ts wins)`);
  if (notes.notExtracted.length > 0) say(`  proposed for an extracted service but not served by it yet (stay on the monolith): ${notes.notExtracted.join(', ')}`);
  for (const id of notes.added) say(`  ${id}: served by an extracted service but not in the analyzer's plan; added`);
  let stack: ProxyStack;
  try {
    stack = await startProxyStack(input, { configPath, adminToken, logger: log, reportOptions, recordPath: trafficPath });
  } catch (err) {
    await backends.close();
    throw err;
  }
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await stack.close();
      await backends.close();
    })());

  try {
    const { proxy } = stack;
    say(`monolith ${backends.urls.legacy}, catalog ${backends.urls.services.catalog}, inventory ${backends.urls.services.inventory}, reviews ${backends.urls.services.reviews}`);
    say(`proxy ${proxy.url} with ${input.routes?.length ?? 0} extracted routes (config ${configPath}), admin ${proxy.adminUrl}`);

    // 4. the lifecycle: phases of traffic, modes changed through the admin API in between
    const admin = adminClient(proxy.adminUrl, adminToken);
    const phases = demoPhases(canaryPercent);
    const traffic: TrafficSummary[] = [];
    for (const [i, phase] of phases.entries()) {
      interrupted();
      await enterPhase(admin, phase, proxy.config().routes);
      options.onPhase?.({ index: i, count: phases.length, name: phase.name, description: phase.description });
      const share = Math.floor((requests * (i + 1)) / phases.length) - Math.floor((requests * i) / phases.length);
      traffic.push(
        await driveShoppers({
          target: proxy.url,
          requests: share,
          shoppers: options.shoppers,
          seed: (options.seed ?? 1) * 31 + i,
          phase: phase.name,
          checkout: phase.checkout,
          onProgress: options.onProgress,
          signal: options.signal,
        }),
      );
      await stack.settle();
    }

    interrupted();
    await stack.stopRecording();

    // 5. the report
    const report = queryReport(stack.pipeline.store, reportOptions);
    const reportFile = join(out, 'diff-report.html');
    const reportJson = join(out, 'diff-report.json');
    writeFileSync(reportFile, renderHtml(report));
    writeFileSync(reportJson, renderJson(report));

    const config = proxy.config();
    const refs: RouteRef[] = config.routes.map((r) => ({ id: r.id, method: r.method, path: r.path, service: r.service }));
    const stats = proxy.stats();
    const rows = summaryRows(report, stats, refs);
    const totalRequests = traffic.reduce((s, t) => s + t.sent, 0);
    const extractedRequests = stats.reduce((s, r) => s + r.requests, 0);
    const summary = formatSummary({
      rows,
      monolithRequests: totalRequests - extractedRequests,
      idleRoutes: idleRoutes(stats, refs),
      totalRequests,
      durationMs: performance.now() - started,
      phases: phases.map((p) => p.name),
      links: {
        proxy: proxy.url,
        admin: proxy.adminUrl,
        token: adminToken,
        report: reportFile,
        analysis: [files.planHtml, files.planMarkdown, files.plan],
        traffic: trafficPath,
        live: options.serve === true,
      },
    });
    return {
      report,
      findings: realFindings(report, refs),
      summary,
      config,
      notes,
      traffic,
      urls: { proxy: proxy.url, admin: proxy.adminUrl, legacy: backends.urls.legacy, services: backends.urls.services },
      adminToken,
      files: {
        report: reportFile,
        reportJson,
        config: configPath,
        store: storePath,
        plan: files.plan,
        traffic: trafficPath,
        analysis: [files.planHtml, files.planMarkdown, files.plan, emittedConfig.path],
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

// `strangler demo`: the whole journey on the sample bookshop (analyze → monolith, services and proxy →
// shadow, then canary and migrated → report). With --serve it stays up until Ctrl-C. All the work is in demo/.
import { once } from 'node:events';
import type { Command } from 'commander';
import { integerFlag, pathFlag } from './flags.ts';
import type { TrafficProgress } from '../../demo/shoppers.ts';
import { servingFlagsNotice } from '../../proxy/runtime.ts';

interface DemoFlags {
  serve?: boolean;
  out: string;
  randomPorts?: boolean;
  requests: number;
  shoppers: number;
  seed: number;
  canary: number;
  minSamples: number;
}

/** One progress line per phase on a TTY (redrawn in place); nothing in CI logs. */
function progressLine(): { phase(label: string): void; update(p: TrafficProgress): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let label = '';
  let open = false;
  return {
    phase(text) {
      if (open) process.stderr.write('\n');
      open = false;
      label = text;
    },
    update(p) {
      if (!tty) return;
      const width = 30;
      const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : 0;
      const rate = p.elapsedMs > 0 ? Math.round((p.done / p.elapsedMs) * 1000) : 0;
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} requests, ${rate}/s${p.errors ? `, ${p.errors} failed` : ''}\x1b[K`);
      open = true;
    },
    end() {
      if (open) process.stderr.write('\n');
      open = false;
    },
  };
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the whole journey on the sample bookshop: analyze, start monolith + services + proxy, shadow → canary → migrated, report.')
    .option('--serve', 'keep everything running after the summary, until Ctrl-C')
    .option('--out <dir>', 'where the plan, reports, config, diff store and databases go', pathFlag('--out', 'a folder'), 'out')
    .option('--random-ports', 'let the OS pick every port (default 3000, 4001-4003, proxy 8080, admin 9090)')
    .option('--requests <n>', 'requests driven through the proxy, over both phases', integerFlag('--requests', 10, 10_000_000), 3000)
    .option('--shoppers <n>', 'concurrent shoppers', integerFlag('--shoppers', 1, 1000), 16)
    .option('--seed <n>', 'seed of the generated traffic', integerFlag('--seed', 0, 2 ** 31), 1)
    .option('--canary <pct>', 'reviews canary percent in the rollout phase', integerFlag('--canary', 0, 100), 20)
    .option('--min-samples <n>', 'compared requests a route needs before the report calls it READY', integerFlag('--min-samples', 1, 10_000_000), 100)
    .action(async (flags: DemoFlags) => {
      // the sample apps log every request at info; the demo's own output is the summary
      process.env.LOG_LEVEL ??= 'warn';
      // --serve keeps the proxy up for as long as the user likes: it should run with the V8 flags `strangler proxy` wants
      const v8 = flags.serve ? servingFlagsNotice() : undefined;
      if (v8?.level === 'warn') process.stderr.write(`strangler demo: ${v8.msg}\n`);
      const { runDemo } = await import('../../demo/run.ts');
      const { DEFAULT_PORTS, RANDOM_PORTS } = await import('../../demo/stack.ts');
      const progress = progressLine();
      // Ctrl-C (or SIGTERM) at any point stops cleanly; a second one ends the process at once
      const stop = new AbortController();
      const onSignal = (): void => {
        if (stop.signal.aborted) process.exit(130);
        process.stderr.write('\nstopping: proxy, services, monolith (Ctrl-C again to quit at once)\n');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const demo = await runDemo({
          out: flags.out,
          ports: flags.randomPorts ? RANDOM_PORTS : DEFAULT_PORTS,
          requests: flags.requests,
          shoppers: flags.shoppers,
          seed: flags.seed,
          canaryPercent: flags.canary,
          minSamples: flags.minSamples,
          serve: flags.serve,
          signal: stop.signal,
          say: (line) => process.stderr.write(`${line}\n`),
          onPhase: (p) => {
            progress.phase(`phase ${p.index + 1}/${p.count} ${p.name}`);
            process.stderr.write(`phase ${p.index + 1}/${p.count} ${p.name}: ${p.description}\n`);
          },
          onProgress: (p) => progress.update(p),
        }).finally(() => progress.end());
        process.stdout.write(`\n${demo.summary}`);
        if (flags.serve) {
          process.stdout.write('serving until Ctrl-C\n');
          if (!stop.signal.aborted) await once(stop.signal, 'abort');
        }
        await demo.close();
        if (flags.serve) process.stderr.write('stopped; databases closed\n');
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

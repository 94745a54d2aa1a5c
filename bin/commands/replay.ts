// `strangler replay <file>`: drive recorded NDJSON traffic through a proxy and print a summary.
import { Command, InvalidArgumentError } from 'commander';
import { integerFlag, pathFlag } from './flags.ts';
import { UserError } from '../../common/user-error.ts';
import type { ReplayProgress } from '../../proxy/replay.ts';

function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value.replace(/\/s$/, ''));
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive number, got "${value}"`);
    return n;
  };
}

interface ReplayFlags {
  target: string;
  rate?: number;
  concurrency?: number;
  limit?: number;
  timeout: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('replay')
    .description('Drive recorded traffic (NDJSON, one request a line) through a proxy and summarize the responses.')
    .argument('<file>', 'traffic file: {"method","path","headers"?,"body"?,"bodyEncoding"?: "utf8"|"base64"} per line', pathFlag('<file>', 'a traffic file'))
    .option('--target <url>', 'where to send the requests', 'http://127.0.0.1:8080')
    .option('--rate <n>', 'start n requests per second (open loop), e.g. 200 or 200/s', positiveNumber('--rate'))
    .option('--concurrency <n>', 'max requests in flight (default 16; 1000 in --rate mode)', integerFlag('--concurrency', 1))
    .option('--limit <n>', 'stop after n requests', integerFlag('--limit', 1))
    .option('--timeout <ms>', 'per-request timeout in ms', integerFlag('--timeout', 1), 30_000)
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, flags: ReplayFlags) => {
      // imported when the verb runs: its HTTP client is not loaded by the other verbs and --help
      const { formatReplaySummary, replayTraffic, unreachableTarget } = await import('../../proxy/replay.ts');
      const tty = process.stderr.isTTY === true;
      const controller = new AbortController();
      const onSigint = (): void => {
        process.stderr.write('\nreplay: interrupted; cancelling the requests in flight\n');
        controller.abort();
      };
      process.once('SIGINT', onSigint);
      let progressShown = false;
      const showProgress = (p: ReplayProgress): void => {
        progressShown = true;
        const rate = p.elapsedMs > 0 ? (p.completed * 1000) / p.elapsedMs : 0;
        process.stderr.write(
          `\rreplay: ${p.sent} sent, ${p.completed} answered, ${p.errors} errors, ${p.inFlight} in flight, ${rate.toFixed(0)} req/s   `,
        );
      };
      try {
        const summary = await replayTraffic(file, {
          target: flags.target,
          rate: flags.rate,
          concurrency: flags.concurrency,
          limit: flags.limit,
          timeoutMs: flags.timeout,
          signal: controller.signal,
          onProgress: tty ? showProgress : undefined,
        });
        if (progressShown) process.stderr.write('\n');
        progressShown = false;
        process.stdout.write((flags.json ? JSON.stringify(summary, null, 2) : formatReplaySummary(summary)) + '\n');
        if (summary.aborted) process.exitCode = 130; // interrupted (Ctrl-C), as a shell reports it
        const unreachable = unreachableTarget(summary);
        if (unreachable) throw new UserError(unreachable);
      } finally {
        if (progressShown) process.stderr.write('\n'); // keep an error message off the progress line
        process.removeListener('SIGINT', onSigint);
      }
    });
}

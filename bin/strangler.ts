#!/usr/bin/env -S node --no-memory-reducer --max-semi-space-size=32 --import tsx
// The strangler CLI: one binary, one verb per migration step. Each verb lives in bin/commands/.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UserError } from '../common/user-error.ts';
import { registerCommands } from './commands/index.ts';

// `strangler report | head`: the reader may go before the output is written. What is left is dropped, and the
// command still finishes and exits with its own code (a --fail-under gate still fails), instead of an EPIPE stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

const program = new Command();
program
  .name('strangler')
  .description('Move a monolith to services one route at a time.')
  .version((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version)
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander already printed its message (unknown option, missing argument, --help)
    exitAfterOutput(err.exitCode === 0 ? 0 : 2);
  } else if (err instanceof UserError) {
    process.stderr.write(`strangler: ${err.message}\n`);
    exitAfterOutput(err.exitCode);
  } else if (isSystemError(err)) {
    // a file or address the command was given cannot be used (ENOTDIR, EISDIR, EACCES, EADDRNOTAVAIL …):
    // node's message names the call and the path; one line, like any other bad input
    process.stderr.write(`strangler: ${err.message}\n`);
    exitAfterOutput(2);
  } else {
    throw err;
  }
}

/**
 * Exits once what was written to stdout and stderr has gone out: on a pipe both are asynchronous, and an exit
 * straight away cut `strangler report --format json --fail-under 99 | jq` off after the first 64 KB or so.
 */
function exitAfterOutput(code: number): void {
  const streams = [process.stdout, process.stderr].filter((s) => !s.destroyed && s.writableLength > 0);
  if (streams.length === 0) process.exit(code);
  let waiting = streams.length;
  // the callback runs once everything written before it is flushed, or with an error (EPIPE: the reader left)
  for (const s of streams) s.write('', () => --waiting === 0 && process.exit(code));
}

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

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
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof UserError) {
    process.stderr.write(`strangler: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  // a file or address the command was given cannot be used (ENOTDIR, EISDIR, EACCES, EADDRNOTAVAIL …):
  // node's message names the call and the path; one line, like any other bad input
  if (isSystemError(err)) {
    process.stderr.write(`strangler: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

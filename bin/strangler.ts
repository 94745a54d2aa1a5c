#!/usr/bin/env -S node --no-memory-reducer --max-semi-space-size=32 --import tsx
// The strangler CLI: one binary, one verb per migration step. Each verb lives in bin/commands/.
import { Command, CommanderError } from 'commander';
import { UserError } from '../common/user-error.ts';
import { registerCommands } from './commands/index.ts';

const program = new Command();
program
  .name('strangler')
  .description('Move a monolith to services one route at a time.')
  .showHelpAfterError()
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
  throw err;
}

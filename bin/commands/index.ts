// Registers every CLI verb. Each verb is one file in this folder exporting `register(program)`.
import type { Command } from 'commander';

export function registerCommands(program: Command): void {
  void program;
}

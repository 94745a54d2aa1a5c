// Registers every CLI verb. Each verb is one file in this folder exporting `register(program)`.
import type { Command } from 'commander';
import { register as registerReplay } from './replay.ts';
import { register as registerReport } from './report.ts';
import { register as registerAnalyze } from './analyze.ts';
import { register as registerProxy } from './proxy.ts';
import { register as registerDemo } from './demo.ts';

export function registerCommands(program: Command): void {
  void program;
  registerAnalyze(program);
  registerProxy(program);
  registerReplay(program);
  registerReport(program);
  registerDemo(program);
}

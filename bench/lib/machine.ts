// What the results were measured on: hardware, versions, and how busy the machine was with
// work other than the bench (it is shared with other jobs; the figures depend on it).
import { cpus, totalmem, release } from 'node:os';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { benchCpuMicros, loadAverage, machineBusyMicros, machineStealMicros } from './proc.ts';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  versions: Record<string, string>;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    try {
      // packages with an exports map that hides package.json
      const main = require.resolve(name);
      const root = main.slice(0, main.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}/`.length);
      return (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  }
}

export function machineInfo(extra: Record<string, string> = {}): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    versions: {
      'http-proxy-3': packageVersion('http-proxy-3'),
      undici: packageVersion('undici'),
      autocannon: packageVersion('autocannon'),
      'better-sqlite3': packageVersion('better-sqlite3'),
      ...extra,
    },
  };
}

/** The machine section's CPU and versions lines of a results file (proxy.md, instructions.md). */
export function machineLines(m: MachineInfo): string[] {
  return [
    `- CPU: ${m.cpuModel}, ${m.cores} cores; ${m.memoryGiB} GiB RAM; Linux ${m.kernel}`,
    `- Node ${m.node}; ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
}

export interface LoadReport {
  load1Start: number;
  load1End: number;
  wallSeconds: number;
  /** share of all cores used by the bench (runner, targets, origins) */
  benchPercent: number;
  /** share of all cores used by everything else on the machine during the run (steal included) */
  othersPercent: number;
  /** share of all cores the hypervisor gave to other guests while this one wanted them */
  stealPercent: number;
}

/** Starts watching how busy the machine is; call the result at the end of the run. */
export function watchMachineLoad(): () => LoadReport {
  const start = { wall: performance.now(), busy: machineBusyMicros(), bench: benchCpuMicros(), load: loadAverage(), steal: machineStealMicros() };
  return () => {
    const wallMicros = (performance.now() - start.wall) * 1000;
    const capacity = wallMicros * cpus().length;
    const busy = machineBusyMicros() - start.busy;
    const bench = benchCpuMicros() - start.bench;
    return {
      load1Start: start.load.load1,
      load1End: loadAverage().load1,
      wallSeconds: Math.round(wallMicros / 1e6),
      benchPercent: Math.round((bench / capacity) * 1000) / 10,
      othersPercent: Math.max(0, Math.round(((busy - bench) / capacity) * 1000) / 10),
      stealPercent: Math.round(((machineStealMicros() - start.steal) / capacity) * 1000) / 10,
    };
  };
}

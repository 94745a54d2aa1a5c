// Linux /proc readers: CPU time of a process tree and peak resident memory for processes the bench
// cannot ask itself (nginx), and a Node target's own main-thread CPU time.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** pid and all its descendants (via /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const children = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim();
      if (children) out.push(...children.split(/\s+/).map(Number));
    } catch {
      // the process exited between reads
    }
  }
  return out;
}

/**
 * utime + stime of one process in microseconds (clock-tick resolution, usually 10 ms);
 * with `reapedChildren`, plus the CPU time of children that exited and were waited for.
 */
export function processCpuMicros(pid: number | 'self', reapedChildren = false): number {
  return statCpuMicros(`/proc/${pid}/stat`, reapedChildren) ?? 0;
}

/** utime + stime of one thread of this process (tid = pid: the main thread), microseconds; undefined off Linux. */
export function threadCpuMicros(tid: number): number | undefined {
  return statCpuMicros(`/proc/self/task/${tid}/stat`, false);
}

function statCpuMicros(path: string, reapedChildren: boolean): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    // the command name may contain spaces; fields are counted after its closing paren
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of stat
    let ticks = Number(fields[11]) + Number(fields[12]);
    if (reapedChildren) ticks += Number(fields[13]) + Number(fields[14]);
    return (ticks * 1e6) / clockTicks();
  } catch {
    return undefined;
  }
}

export function treeCpuMicros(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + processCpuMicros(p), 0);
}

function statusField(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Peak resident set size (VmHWM) in bytes. */
export function peakRssBytes(pid: number): number {
  return statusField(pid, 'VmHWM');
}

export function rssBytes(pid: number): number {
  return statusField(pid, 'VmRSS');
}

export function loadAverage(): { load1: number; load5: number } {
  try {
    const [l1, l5] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
    return { load1: l1, load5: l5 };
  } catch {
    return { load1: 0, load5: 0 };
  }
}

/** Busy CPU time of the whole machine (all cores) in microseconds, from /proc/stat. */
export function machineBusyMicros(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user + nice + system + irq + softirq + (steal || 0)) * 1e6) / clockTicks();
  } catch {
    return 0;
  }
}

/** Time the hypervisor ran something else while this machine's CPUs wanted to run (steal), all CPUs. */
export function machineStealMicros(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    return ((Number(line.trim().split(/\s+/)[8]) || 0) * 1e6) / clockTicks();
  } catch {
    return 0;
  }
}

/** CPU time of this process, its live descendants, and the ones already reaped. */
export function benchCpuMicros(): number {
  const live = processTree(process.pid).slice(1).reduce((sum, p) => sum + processCpuMicros(p, true), 0);
  return processCpuMicros(process.pid, true) + live;
}

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = clockTicks();

function clockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

/** User + system CPU seconds of a process (all its threads), or `undefined` once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces; fields after it start at field 3 (state)
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Resident set size in KB, or `undefined` once the process is gone. */
export function rssKB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

interface MachineTicks {
  busy: number;
  total: number;
}

function machineTicks(): MachineTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  // idle and iowait
  return { busy: total - values[3] - values[4], total };
}

export interface CpuWindow {
  wallMs: number;
  /** Percent of one core, per named process. */
  processes: Record<string, number>;
  /** Percent of one core used by the whole machine (cores × 100 is everything). */
  machine: number;
}

/** CPU use of some processes and of the machine between `start()` and `stop()`. */
export class CpuMeter {
  private startedAt = 0;
  private startCpu = new Map<string, number>();
  private startMachine: MachineTicks = { busy: 0, total: 0 };

  constructor(
    private readonly pids: Record<string, number | undefined>,
    private readonly cores: number,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.startMachine = machineTicks();
    for (const [name, pid] of Object.entries(this.pids)) {
      const cpu = pid === undefined ? undefined : cpuSeconds(pid);
      if (cpu !== undefined) this.startCpu.set(name, cpu);
    }
  }

  stop(): CpuWindow {
    const wallMs = performance.now() - this.startedAt;
    const machine = machineTicks();
    const processes: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const before = this.startCpu.get(name);
      const after = pid === undefined ? undefined : cpuSeconds(pid);
      if (before !== undefined && after !== undefined) processes[name] = ((after - before) / (wallMs / 1000)) * 100;
    }
    const total = machine.total - this.startMachine.total;
    const busy = machine.busy - this.startMachine.busy;
    return { wallMs, processes, machine: total > 0 ? (busy / total) * this.cores * 100 : 0 };
  }
}

/** Machine CPU (percent of one core) over `ms`. */
export async function machineCpu(ms: number, cores: number): Promise<number> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineTicks();
  const total = after.total - before.total;
  return total > 0 ? ((after.busy - before.busy) / total) * cores * 100 : 0;
}

/**
 * Waits (at most `maxWaitMs`) until processes outside the benchmark use less
 * than `thresholdPct` of one core, so that a scenario does not start while the
 * host is busy; returns the last reading.
 */
export async function waitForQuiet(cores: number, thresholdPct: number, maxWaitMs: number): Promise<number> {
  const deadline = performance.now() + maxWaitMs;
  let busy = await machineCpu(500, cores);
  while (busy > thresholdPct && performance.now() < deadline) busy = await machineCpu(1000, cores);
  return busy;
}

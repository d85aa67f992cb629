import { readFileSync } from 'node:fs';

/** A process's memory from /proc (Linux): resident now and its peak (VmHWM), in MB. */
export interface ProcessMemory {
  rssMb: number;
  peakRssMb: number;
}

function field(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Reads /proc/<pid>/status; undefined once the process is gone. */
export function processMemory(pid: number | undefined): ProcessMemory | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssMb: round(field(status, 'VmRSS')), peakRssMb: round(field(status, 'VmHWM')) };
  } catch {
    return undefined;
  }
}

const round = (mb: number) => Math.round(mb * 10) / 10;

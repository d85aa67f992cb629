/**
 * Runs `node bin/mobius.js <args>` as its own process, as an operator runs it, and measures it: wall
 * time from spawn to exit (Node and the CLI's start included, ~1 s) and its peak resident memory. The
 * peak is the kernel's own figure when GNU time is installed (`/usr/bin/time -f %M`: the child's
 * maximum RSS from wait4), else VmHWM of /proc/<pid>/status sampled every 50 ms until the exit.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processMemory } from './process-memory.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const GNU_TIME = '/usr/bin/time';
const SAMPLE_EVERY_MS = 50;

export interface MeasuredCommand {
  code: number | null;
  seconds: number;
  peakRssMb: number;
  /** How the peak was read: `wait4` (GNU time) or `VmHWM sampled`. */
  peakSource: 'wait4' | 'VmHWM sampled';
  stdout: string;
  stderr: string;
}

export async function runMobius(args: readonly string[], env: Record<string, string>): Promise<MeasuredCommand> {
  const useTime = existsSync(GNU_TIME);
  const dir = mkdtempSync(join(tmpdir(), 'mobius-bench-time-'));
  const timeFile = join(dir, 'rss');
  const command = useTime ? GNU_TIME : process.execPath;
  const argv = useTime ? ['-f', '%M', '-o', timeFile, process.execPath, 'bin/mobius.js', ...args] : ['bin/mobius.js', ...args];
  const started = performance.now();
  const child = spawn(command, argv, { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let sampled = 0;
  const sampler = setInterval(() => {
    const memory = processMemory(child.pid);
    if (memory) sampled = Math.max(sampled, memory.peakRssMb);
  }, SAMPLE_EVERY_MS);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode) => resolve(exitCode));
    });
    const seconds = (performance.now() - started) / 1000;
    const kb = useTime ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : Number.NaN;
    const fromTime = Number.isFinite(kb) && kb > 0;
    return {
      code,
      seconds,
      peakRssMb: fromTime ? Math.round(kb / 102.4) / 10 : sampled,
      peakSource: fromTime ? 'wait4' : 'VmHWM sampled',
      stdout,
      stderr,
    };
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}

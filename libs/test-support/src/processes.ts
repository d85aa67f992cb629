import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A child process with its output kept line by line. */
export interface RunningProcess {
  child: ChildProcess;
  /** What it printed on stdout, line by line. */
  lines: string[];
  /** What it printed on stderr, line by line. */
  errors: string[];
  /** Resolves with the exit code (or the signal's name) once it has exited and its output has been read. */
  exited: Promise<number | string>;
}

/** Starts `node <args>` (this node) with `env` as its whole environment, keeping its output. */
export function spawnNode(args: string[], options: { env: Record<string, string>; cwd?: string }): RunningProcess {
  const child = spawn(process.execPath, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const errors: string[] = [];
  // 'close', not 'exit': every line it printed has been read by then.
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => errors.push(line));
  return { child, lines, errors, exited };
}

/**
 * Resolves with the first stdout line matching `pattern` (already printed or still to come); rejects
 * with everything it printed if it exits first or `timeoutMs` passes (then it is killed: nobody else holds it).
 */
export function waitForLine(process_: RunningProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  const printed = () => [...process_.lines, ...process_.errors].join('\n');
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (outcome: () => void) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      outcome();
    };
    const check = () => {
      const line = process_.lines.find((candidate) => pattern.test(candidate));
      if (line !== undefined) finish(() => resolve(line));
    };
    const poll = setInterval(check, 20);
    const timer = setTimeout(() => {
      process_.child.kill('SIGKILL');
      finish(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${printed()}`)));
    }, timeoutMs);
    void process_.exited.then((code) => {
      check();
      finish(() => reject(new Error(`exited (${code}) before printing a line matching ${pattern}:\n${printed()}`)));
    });
    check();
  });
}

/** Sends `signal` and waits for the exit (SIGKILL after `graceMs`); returns the exit code (or signal) and how long it took. */
export async function stopProcess(
  process_: RunningProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 12_000,
): Promise<{ code: number | string; ms: number }> {
  const started = Date.now();
  if (process_.child.exitCode === null && process_.child.signalCode === null) process_.child.kill(signal);
  const kill = setTimeout(() => process_.child.kill('SIGKILL'), graceMs);
  const code = await process_.exited;
  clearTimeout(kill);
  return { code, ms: Date.now() - started };
}

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
export async function stopProcess(process_: RunningProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 12_000): Promise<{ code: number | string; ms: number }> {
  const started = Date.now();
  if (process_.child.exitCode === null && process_.child.signalCode === null) process_.child.kill(signal);
  const kill = setTimeout(() => process_.child.kill('SIGKILL'), graceMs);
  const code = await process_.exited;
  clearTimeout(kill);
  return { code, ms: Date.now() - started };
}

/** A service running as its own `mobius start <name>` process. */
export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Every log line it printed (JSON), for assertions and for failure reports. */
  logs: string[];
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  exited: Promise<number | string>;
}

const STARTUP_TIMEOUT_MS = 30_000;

/**
 * Starts `mobius start <name>` with `env` (and PORT=0: the OS picks a port, read back from the
 * service's "listening" log line), and waits until it listens.
 */
export function startServiceProcess(name: string, env: Record<string, string>): Promise<ServiceProcess> {
  // CPU_PROFILE_DIR (the benchmark's --profile): node writes a V8 CPU profile there when the process exits.
  const profile = env.CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${env.CPU_PROFILE_DIR}/${name}`] : [];
  const child = spawn(process.execPath, [...profile, 'bin/mobius.js', 'start', name], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running behind the failure: nobody else holds this process.
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start:\n${logs.join('\n')}`));
    }, STARTUP_TIMEOUT_MS);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening:\n${logs.join('\n')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      const address = /"address":"(http:\/\/[^"]+)"/.exec(line)?.[1];
      if (address && line.includes('listening')) {
        clearTimeout(timer);
        resolve({ name, url: address, child, logs, exited });
      }
    });
  });
}

/** Sends SIGTERM and waits for the exit; SIGKILL after `graceMs`. Returns the exit code or signal. */
export async function stopServiceProcess(service: ServiceProcess, graceMs = 12_000): Promise<number | string> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return service.exited;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  const result = await service.exited;
  clearTimeout(timer);
  return result;
}

/** Polls `probe` until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function waitFor<T>(what: string, probe: () => Promise<T>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

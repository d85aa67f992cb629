import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

// The one waitFor and process harness of the tests, the chaos suite and the benchmarks (@mobius/test-support).
import { stopProcess } from '@mobius/test-support';
export { spawnNode, stopProcess, waitFor, waitForLine, type RunningProcess } from '@mobius/test-support';

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
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
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
  return (await stopProcess({ child: service.child, exited: service.exited, lines: service.logs, errors: [] }, 'SIGTERM', graceMs)).code;
}

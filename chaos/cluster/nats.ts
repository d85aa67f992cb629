// The suite's own NATS server (never the machine's on 4222): `nats-server -js` with its store in a
// temporary directory, on a free port. A `bus-restart` fault stops it with SIGTERM (clean: it flushes
// its stores) or SIGKILL (`kill -9`: whatever JetStream had not written out is lost) and starts it
// again on the same port and store.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { portAnswers, waitFor } from '@mobius/test-support';
import { freePort, sleep } from './ports.ts';

export const NATS_DEFAULTS = {
  /** The binary; the machine's package installs it here. */
  binary: process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server',
  /** Longest wait for the server to accept connections after a start. */
  readyTimeoutMs: 15_000,
  /** Longest wait for an exit after SIGTERM before SIGKILL. */
  stopGraceMs: 10_000,
} as const;

export type BusRestartMode = 'term' | 'kill';

export interface PrivateNats {
  port: number;
  url: string;
  restart(mode: BusRestartMode, downMs: number): Promise<void>;
  stop(): Promise<void>;
  /** The server's last output lines, for a failure report. */
  logTail(): string;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

export async function startPrivateNats(dataDir: string): Promise<PrivateNats> {
  const port = await freePort();
  const storeDir = join(dataDir, 'jetstream');
  const log: string[] = [];
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn(NATS_DEFAULTS.binary, ['-js', '-sd', storeDir, '-p', String(port), '-a', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => log.push(...chunk.toString().trim().split('\n').slice(-20)) && log.splice(0, Math.max(0, log.length - 40));
    started.stdout!.on('data', keep);
    started.stderr!.on('data', keep);
    child = started;
    const outcome = await waitFor(
      `nats-server on ${port}`,
      async () => (exited(started) ? 'exited' : (await portAnswers(port)) && 'listening'),
      NATS_DEFAULTS.readyTimeoutMs,
      50,
    ).catch(() => 'timeout' as const);
    if (outcome === 'exited') throw new Error(`nats-server exited at start: ${log.slice(-4).join(' | ')}`);
    if (outcome !== 'listening') throw new Error(`nats-server did not listen on ${port}: ${log.slice(-4).join(' | ')}`);
  };
  const stop = async (signal: NodeJS.Signals) => {
    const current = child;
    child = undefined;
    if (!current || exited(current)) return;
    const done = new Promise((resolve) => current.once('exit', resolve));
    current.kill(signal);
    const timer = setTimeout(() => current.kill('SIGKILL'), NATS_DEFAULTS.stopGraceMs);
    await done;
    clearTimeout(timer);
  };
  const stopAtExit = () => child?.kill('SIGKILL');
  process.on('exit', stopAtExit);
  await start();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    async restart(mode, downMs) {
      await stop(mode === 'kill' ? 'SIGKILL' : 'SIGTERM');
      await sleep(downMs);
      await start();
    },
    async stop() {
      process.off('exit', stopAtExit);
      await stop('SIGTERM');
    },
    logTail: () => log.slice(-10).join('\n'),
  };
}

// The run's bus: a private NATS server (JetStream, file store) or a private Pub/Sub emulator, each on
// its own port, restartable by a `bus-restart` fault. Services reach it through the proxy; the suite
// itself (duplicate deliveries) talks to it directly.
import { spawn, type ChildProcess } from 'node:child_process';
import type { CreateBusOptions } from '@mobius/bus';
import { startPrivateNats, type BusRestartMode } from './nats.ts';
import { portAnswers, waitFor } from '@mobius/test-support';
import { freePort, sleep } from './ports.ts';

export interface PrivateBus {
  kind: 'nats' | 'pubsub';
  port: number;
  /** `term`: a clean stop; `kill`: SIGKILL (`kill -9`). Started again on the same port after `downMs`. */
  restart(mode: BusRestartMode, downMs: number): Promise<void>;
  stop(): Promise<void>;
  /** What a service needs to reach this bus through the proxy on `proxyPort`. */
  serviceEnv(proxyPort: number): Record<string, string>;
  /** createBus options for a direct client (no proxy) under `topicPrefix`. */
  clientOptions(topicPrefix: string): CreateBusOptions;
}

export const PUBSUB_EMULATOR_DEFAULTS = {
  /** The emulator's project (any name works on the emulator). */
  project: 'mobius-chaos',
  /** A JVM start. */
  startTimeoutMs: 90_000,
} as const;

export async function startPrivateBus(kind: 'nats' | 'pubsub', dir: string): Promise<PrivateBus> {
  if (kind === 'nats') {
    const nats = await startPrivateNats(dir);
    return {
      kind,
      port: nats.port,
      restart: (mode, downMs) => nats.restart(mode, downMs),
      stop: () => nats.stop(),
      serviceEnv: (proxyPort) => ({ BUS: 'nats', NATS_URL: `nats://127.0.0.1:${proxyPort}` }),
      clientOptions: (topicPrefix) => ({ kind: 'nats', natsUrl: nats.url, topicPrefix }),
    };
  }
  return startPrivatePubSub();
}

/**
 * Google's emulator keeps everything in memory: a restart loses every topic, subscription and message
 * (a harsher fault than the cloud's). The services recreate what they need on reconnect; what was
 * lost in flight is the reconciler's to repair.
 */
async function startPrivatePubSub(): Promise<PrivateBus> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const kill = (signal: NodeJS.Signals) => {
    // gcloud runs the Java server as its child, in the process group `detached` gave it: both go.
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    }
  };
  const start = async () => {
    child = spawn('gcloud', ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`, '--quiet'], {
      detached: true,
      stdio: 'ignore',
    });
    const started = child;
    const outcome = await waitFor(
      `the Pub/Sub emulator on ${port}`,
      async () => (started.exitCode !== null ? 'exited' : (await portAnswers(port)) && 'up'),
      PUBSUB_EMULATOR_DEFAULTS.startTimeoutMs,
      200,
    ).catch(() => 'timeout' as const);
    if (outcome !== 'up') throw new Error(`the Pub/Sub emulator did not start on ${port}`);
  };
  const stop = async (signal: NodeJS.Signals) => {
    const current = child;
    if (!current) return;
    const done = new Promise((resolve) =>
      current.exitCode !== null || current.signalCode !== null ? resolve(undefined) : current.once('exit', resolve),
    );
    kill(signal);
    await done;
    while (await portAnswers(port)) await sleep(100);
    child = undefined;
  };
  const stopAtExit = () => kill('SIGKILL');
  process.on('exit', stopAtExit);
  await start();
  return {
    kind: 'pubsub',
    port,
    async restart(mode, downMs) {
      await stop(mode === 'kill' ? 'SIGKILL' : 'SIGTERM');
      await sleep(downMs);
      await start();
    },
    async stop() {
      process.off('exit', stopAtExit);
      await stop('SIGKILL');
    },
    serviceEnv: (proxyPort) => ({
      BUS: 'pubsub',
      PUBSUB_EMULATOR_HOST: `127.0.0.1:${proxyPort}`,
      PUBSUB_PROJECT: PUBSUB_EMULATOR_DEFAULTS.project,
      PUBSUB_ACK_DEADLINE_SECONDS: '10',
      PUBSUB_MIN_BACKOFF_SECONDS: '1',
      PUBSUB_MAX_BACKOFF_SECONDS: '5',
    }),
    clientOptions: (topicPrefix) => ({
      kind: 'pubsub',
      topicPrefix,
      pubsub: { projectId: PUBSUB_EMULATOR_DEFAULTS.project, emulatorHost: `127.0.0.1:${port}`, provision: 'auto' },
    }),
  };
}

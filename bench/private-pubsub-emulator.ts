import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, portAnswers } from '@mobius/test-support';

/** How long a new emulator may take to answer (a JVM start). */
const START_TIMEOUT_MS = 60_000;

export interface PrivateEmulator {
  /** `host:port` to pass as `emulatorHost`. */
  host: string;
  /** Kills the emulator (gcloud and its Java server); safe to call twice. */
  stop(): void;
}

/**
 * A Google Pub/Sub emulator of the caller's own, on a free port, for benchmarks. The emulator keeps
 * every message published to it for as long as it runs, deleted topics included (10,000 messages of
 * 6 KB leave about 120 MB in its heap): benchmarking on the shared one (PUBSUB_EMULATOR_HOST, which
 * the tests use) fills its heap until it answers nothing. A fresh one per run also makes runs comparable.
 */
export async function startPrivatePubSubEmulator(): Promise<PrivateEmulator> {
  const host = `127.0.0.1:${await freePort()}`;
  const child = spawn('gcloud', ['beta', 'emulators', 'pubsub', 'start', `--host-port=${host}`], { detached: true, stdio: 'ignore' });
  // gcloud runs the Java server as its child, in the process group `detached` gave it: stop both.
  const stop = () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', stop);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(host))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      stop();
      throw new Error(`could not start a Pub/Sub emulator at ${host} (needs gcloud with the pubsub-emulator component)`);
    }
    await sleep(200);
  }
  return { host, stop };
}

function answers(host: string): Promise<boolean> {
  const [address, port] = host.split(':') as [string, string];
  return portAnswers(Number(port), address);
}

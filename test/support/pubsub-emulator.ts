import { spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PubSub, v1 } from '@google-cloud/pubsub';
import { portAnswers } from '@mobius/test-support';

/** Where the tests find Google's Pub/Sub emulator (`.ci/run` starts it there). */
export const PUBSUB_EMULATOR_HOST = process.env.PUBSUB_EMULATOR_HOST ?? '127.0.0.1:8085';
/** Every test file shares one project; each uses its own TOPIC_PREFIX. */
export const PUBSUB_PROJECT = process.env.PUBSUB_PROJECT ?? 'mobius-test';

const STARTUP_TIMEOUT_MS = 60_000;
const LOCK = join(tmpdir(), 'mobius-pubsub-emulator.lock');

function answers(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':') as [string, string];
  return portAnswers(Number(port), host);
}

/**
 * Makes sure the emulator answers at PUBSUB_EMULATOR_HOST: reuses a running one (`.ci/run`'s, or
 * one an earlier test run left), else starts `gcloud beta emulators pubsub start` detached, so test
 * files running in parallel share it. A lock directory lets only one file start it; the others wait.
 * An emulator this helper started keeps running after the tests (in-memory, ~1 s to start): stop it
 * with `.ci/run`'s way, by the Java process's own pid.
 */
export async function ensurePubSubEmulator(): Promise<string> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await answers(PUBSUB_EMULATOR_HOST))) {
    if (Date.now() > deadline) throw new Error(`the Pub/Sub emulator did not answer at ${PUBSUB_EMULATOR_HOST}`);
    if (takeLock()) startEmulator();
    await sleep(200);
  }
  return PUBSUB_EMULATOR_HOST;
}

function takeLock(): boolean {
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    // A lock older than a startup is left over from a run that died: take it over.
    const stale = Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > STARTUP_TIMEOUT_MS;
    if (stale) rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

function startEmulator(): void {
  const log = openSync(join(tmpdir(), 'mobius-pubsub-emulator.log'), 'a');
  const child = spawn('gcloud', ['beta', 'emulators', 'pubsub', 'start', `--host-port=${PUBSUB_EMULATOR_HOST}`], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.on('error', () => undefined);
  child.unref();
}

/** Deletes the snapshots, subscriptions and topics of the test project whose id starts with `prefix`. */
export async function deletePubSubResources(prefix: string): Promise<void> {
  const pubsub = new PubSub({ projectId: PUBSUB_PROJECT, apiEndpoint: PUBSUB_EMULATOR_HOST, emulatorMode: true, universeDomain: 'googleapis.com' });
  const config = (await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0];
  const [subscriber, publisher] = [new v1.SubscriberClient(config), new v1.PublisherClient(config)];
  const project = `projects/${PUBSUB_PROJECT}`;
  const ours = (name: string | null | undefined) => (name ?? '').split('/').pop()!.startsWith(prefix);
  try {
    const [snapshots] = await subscriber.listSnapshots({ project });
    for (const s of snapshots.filter((s) => ours(s.name))) await subscriber.deleteSnapshot({ snapshot: s.name! });
    const [subscriptions] = await subscriber.listSubscriptions({ project });
    for (const s of subscriptions.filter((s) => ours(s.name))) await subscriber.deleteSubscription({ subscription: s.name! });
    const [topics] = await publisher.listTopics({ project });
    for (const t of topics.filter((t) => ours(t.name))) await publisher.deleteTopic({ topic: t.name! });
  } finally {
    await Promise.allSettled([subscriber.close(), publisher.close(), pubsub.close()]);
  }
}

/** The emulator's view of a subscription (full path), read with Google's own client. */
export async function readSubscription(path: string) {
  const pubsub = new PubSub({ projectId: PUBSUB_PROJECT, apiEndpoint: PUBSUB_EMULATOR_HOST, emulatorMode: true, universeDomain: 'googleapis.com' });
  const subscriber = new v1.SubscriberClient((await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0]);
  try {
    const [subscription] = await subscriber.getSubscription({ subscription: path });
    return subscription;
  } finally {
    await Promise.allSettled([subscriber.close(), pubsub.close()]);
  }
}

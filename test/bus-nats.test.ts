import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBus, BusConfigError, BusUnavailableError, type Bus, type BusCapabilities } from '@mobius/bus';
import { Received, TIMINGS, bytes, randomToken, runBusConformance, waitFor } from '@mobius/bus/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// The NATS adapter against the machine's real server (NATS 2.9 with JetStream). Every name this file
// creates starts with its own TOPIC_PREFIX base; afterAll deletes those streams (and their consumers).
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const base = `tbn${randomToken()}_`;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What the NATS adapter declares; the conformance suite checks the bus reports exactly this. */
const natsCapabilities: BusCapabilities = {
  persistent: true,
  ordered: true,
  dedupe: true,
  replayFromBeginning: true,
  replayFromSequence: true,
  replayFromTime: true,
};

let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connect({ servers: natsUrl });
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await deleteStreamsStartingWith(base);
  await nc.close();
});

async function deleteStreamsStartingWith(prefix: string): Promise<void> {
  for await (const name of jsm.streams.names()) {
    if (name.startsWith(prefix)) await jsm.streams.delete(name);
  }
}

runBusConformance('nats', (prefix) => createBus({ kind: 'nats', natsUrl, topicPrefix: prefix }), {
  capabilities: natsCapabilities,
  prefixBase: `${base}c`,
  cleanup: () => deleteStreamsStartingWith(`${base}c`),
  extensions: { deadLetters: true, subscriptionStats: true },
});

describe('NATS adapter specifics', () => {
  const open: Bus[] = [];
  const children: ChildProcess[] = [];
  const busOn = async (prefix: string) => {
    const bus = await createBus({ kind: 'nats', natsUrl, topicPrefix: prefix });
    open.push(bus);
    return bus;
  };
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await Promise.all(open.splice(0).map((bus) => bus.close()));
  });

  it('creates prefixed streams and a durable consumer with the documented settings, idempotently', async () => {
    const prefix = `${base}n${randomToken()}_`;
    const bus = await busOn(prefix);
    await bus.ensureSubscription('rag.publish_events', 'ingestor');
    await bus.ensureSubscription('rag.publish_events', 'ingestor');

    const stream = await jsm.streams.info(`${prefix}rag_publish_events`);
    expect(stream.config).toMatchObject({
      subjects: [`${prefix}rag.publish_events`],
      storage: 'file',
      retention: 'limits',
      num_replicas: 1,
      duplicate_window: nanos(120_000),
      max_age: nanos(7 * 24 * 3_600_000),
    });
    const deadLetters = await jsm.streams.info(`${prefix}rag_publish_events_dlq_ingestor`);
    expect(deadLetters.config.subjects).toEqual([`${prefix}rag.publish_events.dlq.ingestor`]);
    const consumer = await jsm.consumers.info(`${prefix}rag_publish_events`, `${prefix}ingestor`);
    expect(consumer.config).toMatchObject({
      durable_name: `${prefix}ingestor`,
      ack_policy: 'explicit',
      deliver_policy: 'all',
      filter_subject: `${prefix}rag.publish_events`,
      max_deliver: -1,
    });
  });

  it('keeps environments with different prefixes apart on one server', async () => {
    const [staging, dev] = [`${base}s${randomToken()}_`, `${base}d${randomToken()}_`];
    const stagingBus = await busOn(staging);
    const devBus = await busOn(dev);
    const stagingSeen = new Received();
    const devSeen = new Received();
    await stagingBus.subscribe('warehouse.mart_updated', 'chat-sync', stagingSeen.handler(), { ackWaitMs: TIMINGS.ackWaitMs });
    await devBus.subscribe('warehouse.mart_updated', 'chat-sync', devSeen.handler(), { ackWaitMs: TIMINGS.ackWaitMs });
    await stagingBus.publish({ topic: 'warehouse.mart_updated', id: 'run-1', data: bytes('staging run') });
    await devBus.publish({ topic: 'warehouse.mart_updated', id: 'run-1', data: bytes('dev run') });

    await stagingSeen.atLeast(1);
    await devSeen.atLeast(1);
    await new Promise((done) => setTimeout(done, TIMINGS.quietMs));
    expect([stagingSeen.bodies(), devSeen.bodies()]).toEqual([['staging run'], ['dev run']]);
  });

  it('redelivers, after the ack wait, a message held by a subscriber process killed with SIGKILL', async () => {
    const prefix = `${base}k${randomToken()}_`;
    const [topic, subscription] = ['rag.publish_events', 'ingestor'];
    const child = startHoldingSubscriber(prefix, topic, subscription);
    children.push(child);
    await child.ready;

    const bus = await busOn(prefix);
    await bus.publish({ topic, id: 'orphan', data: bytes('held when the process died') });
    await child.holding;
    const heldAt = Date.now();
    child.kill('SIGKILL');

    const survivor = new Received();
    await bus.subscribe(topic, subscription, survivor.handler(), { ackWaitMs: TIMINGS.ackWaitMs });
    await survivor.atLeast(1, 'the redelivered message');
    expect(Date.now() - heldAt).toBeGreaterThanOrEqual(TIMINGS.ackWaitMs * 0.8);
    expect(survivor.messages[0]).toMatchObject({ id: 'orphan', deliveryAttempt: 2 });
  });

  it('refuses a TOPIC_PREFIX that cannot form NATS names, and reports an unreachable server', async () => {
    await expect(createBus({ kind: 'nats', natsUrl, topicPrefix: 'has space' })).rejects.toBeInstanceOf(BusConfigError);
    const unreachable = createBus({ kind: 'nats', natsUrl: 'nats://127.0.0.1:1', topicPrefix: base });
    await expect(unreachable).rejects.toBeInstanceOf(BusUnavailableError);
  });
});

/**
 * A subscriber in its own process: it takes one message and never finishes it. `ready` resolves once
 * it subscribed, `holding` once it holds a message unacked.
 */
function startHoldingSubscriber(prefix: string, topic: string, subscription: string) {
  const script = `
    import { createBus } from '@mobius/bus';
    const bus = await createBus({ kind: 'nats', natsUrl: process.env.NATS_URL, topicPrefix: process.env.PREFIX });
    await bus.subscribe(process.env.TOPIC, process.env.SUBSCRIPTION, async (message) => {
      process.stdout.write('holding ' + message.id + '\\n');
      await new Promise(() => {});
    }, { ackWaitMs: ${TIMINGS.ackWaitMs}, concurrency: 1 });
    process.stdout.write('ready\\n');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    env: { ...process.env, NATS_URL: natsUrl, PREFIX: prefix, TOPIC: topic, SUBSCRIPTION: subscription },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const seen = (line: string) => waitFor(`the child to print "${line}"`, () => output.includes(line), 20_000);
  const [ready, holding] = [seen('ready\n'), seen('holding orphan\n')];
  // Awaited by the test; marked handled here so a test that failed earlier leaves no stray rejection.
  for (const promise of [ready, holding]) promise.catch(() => undefined);
  return Object.assign(child, { ready, holding });
}

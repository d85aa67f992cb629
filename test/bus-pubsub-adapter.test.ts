import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BusConfigError, BusUnavailableError, InvalidPublishError, createBus, type Bus, type PubSubOptions } from '@mobius/bus';
import { Received, TIMINGS, bytes, randomToken, waitFor } from '@mobius/bus/testing';
import { PubSub } from '@google-cloud/pubsub';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PUBSUB_PROJECT, deletePubSubResources, ensurePubSubEmulator, readSubscription } from './support/pubsub-emulator.ts';

// What the Pub/Sub adapter does beyond the shared suite, on Google's emulator: the resources and
// settings it creates, flow control, process death, limits. (Pub/Sub's own dead-letter policy is
// configured, but the emulator does not forward messages of subscriptions with message ordering:
// it stops delivering them after maxDeliveryAttempts instead, so that safety net is not testable here.)
const emulatorHost = await ensurePubSubEmulator();
const base = `tba${randomToken()}_`;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const open: Bus[] = [];
const children: ChildProcess[] = [];
const path = (kind: 'topics' | 'subscriptions' | 'snapshots', id: string) => `projects/${PUBSUB_PROJECT}/${kind}/${id}`;

async function busOn(prefix: string, pubsub: PubSubOptions = {}): Promise<Bus> {
  const bus = await createBus({ kind: 'pubsub', topicPrefix: prefix, pubsub: { emulatorHost, projectId: PUBSUB_PROJECT, ...pubsub } });
  open.push(bus);
  return bus;
}

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(open.splice(0).map((bus) => bus.close()));
});
afterAll(() => deletePubSubResources(base));

describe('Pub/Sub adapter specifics (emulator)', () => {
  it('creates the prefixed subscription with its settings, dead-letter topic, peek subscriptions and origin snapshot, idempotently', async () => {
    const prefix = `${base}p${randomToken()}_`;
    const bus = await busOn(prefix);
    await bus.ensureSubscription('rag.publish_events', 'ingestor');
    await (await busOn(prefix)).ensureSubscription('rag.publish_events', 'ingestor');

    expect(await readSubscription(path('subscriptions', `${prefix}ingestor`))).toMatchObject({
      topic: path('topics', `${prefix}rag.publish_events`),
      ackDeadlineSeconds: 60,
      enableMessageOrdering: true,
      retainAckedMessages: true,
      messageRetentionDuration: { seconds: String(7 * 24 * 3_600) },
      retryPolicy: { minimumBackoff: { seconds: '1' }, maximumBackoff: { seconds: '60' } },
      deadLetterPolicy: { deadLetterTopic: path('topics', `${prefix}rag.publish_events.dlq.ingestor`), maxDeliveryAttempts: 10 },
    });
    for (const topic of ['rag.publish_events', 'rag.publish_events.dlq.ingestor']) {
      expect((await readSubscription(path('subscriptions', `${prefix}${topic}~peek`))).topic).toBe(path('topics', `${prefix}${topic}`));
    }
    const pubsub = new PubSub({ projectId: PUBSUB_PROJECT, apiEndpoint: emulatorHost, emulatorMode: true, universeDomain: 'googleapis.com' });
    const [snapshots] = await pubsub.getSnapshots();
    await pubsub.close();
    expect(snapshots.map((s) => s.name).filter((name) => name.includes(prefix))).toEqual([path('snapshots', `${prefix}ingestor~mobius-origin`)]);
  });

  it('applies the configured ack deadline, retry policy and dead-letter attempts to the subscriptions it creates', async () => {
    const prefix = `${base}s${randomToken()}_`;
    const bus = await busOn(prefix, {
      ackDeadlineSeconds: 30,
      minBackoffSeconds: 5,
      maxBackoffSeconds: 120,
      maxDeliveryAttempts: 7,
      retainAckedMessages: false,
    });
    await bus.ensureSubscription('warehouse.mart_updated', 'chat-sync');
    expect(await readSubscription(path('subscriptions', `${prefix}chat-sync`))).toMatchObject({
      ackDeadlineSeconds: 30,
      retainAckedMessages: false,
      retryPolicy: { minimumBackoff: { seconds: '5' }, maximumBackoff: { seconds: '120' } },
      deadLetterPolicy: { maxDeliveryAttempts: 7 },
    });
    expect(bus.capabilities).toMatchObject({ replayFromTime: false, replayFromBeginning: true });
  });

  it('keeps environments with different prefixes apart in one project', async () => {
    const [staging, dev] = [await busOn(`${base}st${randomToken()}_`), await busOn(`${base}dv${randomToken()}_`)];
    const [stagingSeen, devSeen] = [new Received(), new Received()];
    await staging.subscribe('warehouse.mart_updated', 'chat-sync', stagingSeen.handler());
    await dev.subscribe('warehouse.mart_updated', 'chat-sync', devSeen.handler());
    await staging.publish({ topic: 'warehouse.mart_updated', id: 'run-1', data: bytes('staging run') });
    await dev.publish({ topic: 'warehouse.mart_updated', id: 'run-1', data: bytes('dev run') });
    await stagingSeen.atLeast(1);
    await devSeen.atLeast(1);
    await new Promise((done) => setTimeout(done, TIMINGS.quietMs));
    expect([stagingSeen.bodies(), devSeen.bodies()]).toEqual([['staging run'], ['dev run']]);
  });

  it('holds no more unsettled messages than PUBSUB_MAX_OUTSTANDING_MESSAGES, whatever the concurrency', async () => {
    const bus = await busOn(`${base}f${randomToken()}_`, { maxOutstandingMessages: 2 });
    let running = 0;
    let most = 0;
    const received = new Received();
    await bus.subscribe(
      'work.items',
      'worker',
      received.handler(async () => {
        most = Math.max(most, ++running);
        await new Promise((done) => setTimeout(done, 30));
        running -= 1;
      }),
      { concurrency: 10 },
    );
    for (let index = 0; index < 12; index += 1) await bus.publish({ topic: 'work.items', id: `w-${index}`, data: bytes(`w-${index}`) });
    await received.atLeast(12);
    expect(most).toBe(2);
  });

  it('redelivers, after the ack wait, a message held by a subscriber process killed with SIGKILL', async () => {
    const prefix = `${base}k${randomToken()}_`;
    const bus = await busOn(prefix);
    await bus.ensureSubscription('rag.publish_events', 'ingestor');
    const child = startHoldingSubscriber(prefix);
    children.push(child);
    await child.ready;
    await bus.publish({ topic: 'rag.publish_events', id: 'orphan', data: bytes('held when the process died') });
    await child.holding;
    const heldAt = Date.now();
    child.kill('SIGKILL');

    const survivor = new Received();
    await bus.subscribe('rag.publish_events', 'ingestor', survivor.handler(), { ackWaitMs: TIMINGS.ackWaitMs });
    await survivor.atLeast(1, 'the redelivered message');
    expect(Date.now() - heldAt).toBeGreaterThanOrEqual(TIMINGS.ackWaitMs * 0.8);
    expect(survivor.messages[0]).toMatchObject({ id: 'orphan', deliveryAttempt: 2 });
  });

  it("names a message published without the bus by Pub/Sub's id, and keeps its attributes", async () => {
    const prefix = `${base}g${randomToken()}_`;
    const bus = await busOn(prefix);
    await bus.ensureSubscription('rag.publish_events', 'ingestor');
    const pubsub = new PubSub({ projectId: PUBSUB_PROJECT, apiEndpoint: emulatorHost, emulatorMode: true, universeDomain: 'googleapis.com' });
    const messageId = await pubsub
      .topic(`${prefix}rag.publish_events`)
      .publishMessage({ data: Buffer.from('from gcloud'), attributes: { origin: 'gcloud' } });
    await pubsub.close();
    const received = new Received();
    await bus.subscribe('rag.publish_events', 'ingestor', received.handler());
    await received.atLeast(1);
    expect(received.messages[0]).toMatchObject({ id: messageId, attributes: { origin: 'gcloud' } });
  });

  it('refuses what Pub/Sub cannot carry, names it cannot form, and an emulator that does not answer', async () => {
    const bus = await busOn(`${base}v${randomToken()}_`);
    const publish = (attributes: Record<string, string>) => bus.publish({ topic: 'events', id: 'e-1', data: bytes('x'), attributes });
    await expect(publish({ 'goog-reserved': 'x' })).rejects.toBeInstanceOf(InvalidPublishError);
    await expect(publish({ 'mobius-message-id': 'spoofed' })).rejects.toBeInstanceOf(InvalidPublishError);
    await expect(publish({ big: 'x'.repeat(1_025) })).rejects.toThrow(/attribute big is over 1024 bytes/);
    const digitFirst = await busOn('9lives_');
    await expect(digitFirst.ensureSubscription('events', 'sink')).rejects.toBeInstanceOf(BusConfigError);
    const unreachable = createBus({ kind: 'pubsub', topicPrefix: base, pubsub: { emulatorHost: '127.0.0.1:1', projectId: PUBSUB_PROJECT } });
    await expect(unreachable).rejects.toBeInstanceOf(BusUnavailableError);
  });

  it('with provisioning off creates nothing, and says so when a topic is missing', async () => {
    const bus = await busOn(`${base}o${randomToken()}_`, { provision: 'off' });
    await bus.ensureSubscription('events', 'sink');
    await expect(bus.publish({ topic: 'events', id: 'e-1', data: bytes('x') })).rejects.toThrow(/NOT_FOUND|not found/i);
    expect(await bus.peek('events', 10)).toEqual([]);
  });
});

/** A subscriber in its own process: it takes one message and never finishes it. */
function startHoldingSubscriber(prefix: string) {
  const script = `
    import { createBus } from '@mobius/bus';
    const bus = await createBus({ kind: 'pubsub', topicPrefix: process.env.PREFIX, pubsub: { emulatorHost: process.env.EMULATOR, projectId: process.env.PROJECT } });
    await bus.subscribe('rag.publish_events', 'ingestor', async (message) => {
      process.stdout.write('holding ' + message.id + '\\n');
      await new Promise(() => {});
    }, { ackWaitMs: ${TIMINGS.ackWaitMs}, concurrency: 1 });
    process.stdout.write('ready\\n');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    env: { ...process.env, PREFIX: prefix, EMULATOR: emulatorHost, PROJECT: PUBSUB_PROJECT },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const seen = (line: string) => waitFor(`the child to print "${line}"`, () => output.includes(line), 20_000);
  const [ready, holding] = [seen('ready\n'), seen('holding orphan\n')];
  for (const promise of [ready, holding]) promise.catch(() => undefined);
  return Object.assign(child, { ready, holding });
}

/**
 * Bus throughput, per adapter: publish and consume+ack rates of 6 KB messages through the Bus port,
 * and the same through the raw client without our middleware (dead-letter, tracing, dispatcher),
 * measured in the same run on the same server, as a ratio. Not a test: nothing is asserted.
 *
 *   npx tsx bench/bus-throughput.ts [--messages N] [--only memory,nats,pubsub]
 *
 * Needs NATS at NATS_URL (default nats://127.0.0.1:4222) and starts the Pub/Sub emulator if none
 * answers at PUBSUB_EMULATOR_HOST. Prints a table and writes bench/results/bus-throughput-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PubSub, v1, type Message as PubSubMessage } from '@google-cloud/pubsub';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createBus, type Bus, type CreateBusOptions } from '@mobius/bus';
import { randomToken } from '@mobius/bus/testing';
import { PUBSUB_PROJECT, deletePubSubResources, ensurePubSubEmulator } from '../test/support/pubsub-emulator.ts';

const MESSAGE_BYTES = 6 * 1024;
/** Publishes awaited at once: a producer that does not wait for each ack (the outbox relay sends one by one). */
const PUBLISH_WINDOW = 100;
/** Messages a subscriber handles at once (the ingestor uses 256). */
const CONSUME_CONCURRENCY = 128;
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

interface Rates {
  publish: number;
  consume: number;
}
interface Row {
  adapter: string;
  messages: number;
  bus: Rates;
  raw: Rates | undefined;
  /** Pub/Sub only: consume+ack with the library's StreamingPull (`subscription.on('message')`), for reference. */
  rawStreamingConsume?: number;
}

const payload = new Uint8Array(MESSAGE_BYTES).map((_, index) => 97 + (index % 26));
const perSecond = (count: number, ms: number) => Math.round((count * 1_000) / ms);

/** Runs `count` calls of `send`, at most `window` at once; resolves with the elapsed ms. */
async function timedWindow(count: number, window: number, send: (index: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
  return performance.now() - started;
}

/** Resolves with the ms from now until `done()` says `count` were seen. */
function consumed(count: number): { seen: () => void; elapsed: Promise<number> } {
  const started = performance.now();
  let seen = 0;
  let finish!: (ms: number) => void;
  const elapsed = new Promise<number>((resolve) => (finish = resolve));
  return { seen: () => ++seen === count && finish(performance.now() - started), elapsed };
}

/** Through the Bus port: publish `count`, then one subscriber consumes and acks them all. */
async function measureBus(options: CreateBusOptions, count: number): Promise<Rates> {
  const bus: Bus = await createBus(options);
  try {
    await bus.ensureSubscription('bench.events', 'bench');
    const publishMs = await timedWindow(count, PUBLISH_WINDOW, (index) =>
      bus.publish({ topic: 'bench.events', id: `m-${index}`, data: payload, attributes: { 'ce-type': 'mobius.bench.v1' } }),
    );
    const done = consumed(count);
    const subscriber = await bus.subscribe('bench.events', 'bench', async () => done.seen(), { concurrency: CONSUME_CONCURRENCY });
    const consumeMs = await done.elapsed;
    await subscriber.close();
    return { publish: perSecond(count, publishMs), consume: perSecond(count, consumeMs) };
  } finally {
    await bus.close();
  }
}

/** The raw NATS client: JetStream publish with a msg id, and a durable pull consumer's `consume()` with acks. */
async function measureRawNats(prefix: string, count: number): Promise<Rates> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const stream = `${prefix}raw`.replace(/[^A-Za-z0-9_-]/g, '_');
    await jsm.streams.add({ name: stream, subjects: [`${prefix}raw.events`] });
    await jsm.consumers.add(stream, { durable_name: 'raw', ack_policy: 'explicit' as never });
    const publishMs = await timedWindow(count, PUBLISH_WINDOW, (index) => js.publish(`${prefix}raw.events`, payload, { msgID: `m-${index}` }));
    const done = consumed(count);
    const messages = await (await js.consumers.get(stream, 'raw')).consume({ max_messages: CONSUME_CONCURRENCY });
    void (async () => {
      for await (const message of messages) {
        message.ack();
        done.seen();
      }
    })();
    const consumeMs = await done.elapsed;
    await messages.close();
    return { publish: perSecond(count, publishMs), consume: perSecond(count, consumeMs) };
  } finally {
    await nc.close();
  }
}

/**
 * The raw Pub/Sub client: batched `publishMessage`; consume+ack with the same unary Pull + acknowledge
 * the adapter uses (so the ratio is our middleware's cost), and with StreamingPull for reference.
 */
async function measureRawPubSub(emulatorHost: string, prefix: string, count: number): Promise<Rates & { streaming: number }> {
  const pubsub = new PubSub({ projectId: PUBSUB_PROJECT, apiEndpoint: emulatorHost, emulatorMode: true, universeDomain: 'googleapis.com' });
  const subscriber = new v1.SubscriberClient((await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0]);
  try {
    const [topic] = await pubsub.createTopic(`${prefix}raw.events`);
    const [unary] = await topic.createSubscription(`${prefix}raw-unary`);
    const [streaming] = await topic.createSubscription(`${prefix}raw-streaming`, { flowControl: { maxMessages: CONSUME_CONCURRENCY, allowExcessMessages: false } });
    const publishMs = await timedWindow(count, PUBLISH_WINDOW, (index) =>
      topic.publishMessage({ data: Buffer.from(payload), attributes: { 'mobius-message-id': `m-${index}` } }),
    );
    const unaryStarted = performance.now();
    for (let seen = 0; seen < count; ) {
      const [response] = await subscriber.pull({ subscription: unary.name, maxMessages: CONSUME_CONCURRENCY });
      const ackIds = (response.receivedMessages ?? []).map((m) => m.ackId ?? '');
      if (ackIds.length > 0) await subscriber.acknowledge({ subscription: unary.name, ackIds });
      seen += ackIds.length;
    }
    const unaryMs = performance.now() - unaryStarted;
    const done = consumed(count);
    streaming.on('message', (message: PubSubMessage) => {
      message.ack();
      done.seen();
    });
    const streamingMs = await done.elapsed;
    await streaming.close();
    return { publish: perSecond(count, publishMs), consume: perSecond(count, unaryMs), streaming: perSecond(count, streamingMs) };
  } finally {
    await Promise.allSettled([subscriber.close(), pubsub.close()]);
  }
}

async function deleteNatsStreams(prefix: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names()) if (name.startsWith(prefix)) await jsm.streams.delete(name);
  await nc.close();
}

async function run(adapter: string, count: number): Promise<Row> {
  const prefix = `bench${randomToken()}_`;
  if (adapter === 'memory') {
    return { adapter, messages: count, bus: await measureBus({ kind: 'memory', topicPrefix: prefix }, count), raw: undefined };
  }
  if (adapter === 'nats') {
    try {
      const bus = await measureBus({ kind: 'nats', natsUrl: NATS_URL, topicPrefix: prefix }, count);
      return { adapter, messages: count, bus, raw: await measureRawNats(prefix, count) };
    } finally {
      await deleteNatsStreams(prefix);
    }
  }
  const emulatorHost = await ensurePubSubEmulator();
  try {
    const bus = await measureBus({ kind: 'pubsub', topicPrefix: prefix, pubsub: { emulatorHost, projectId: PUBSUB_PROJECT } }, count);
    const { streaming, ...raw } = await measureRawPubSub(emulatorHost, prefix, count);
    return { adapter: 'pubsub (emulator)', messages: count, bus, raw, rawStreamingConsume: streaming };
  } finally {
    await deletePubSubResources(prefix);
  }
}

function table(rows: Row[]): string {
  const ratio = (bus: number, raw: number | undefined) => (raw ? `${((bus / raw) * 100).toFixed(0)}%` : 'n/a');
  const lines = [
    '| adapter | messages | publish msg/s (bus / raw, ratio) | consume+ack msg/s (bus / raw, ratio) |',
    '|---|---:|---:|---:|',
  ];
  for (const { adapter, messages, bus, raw } of rows) {
    const publish = `${bus.publish} / ${raw?.publish ?? '-'} (${ratio(bus.publish, raw?.publish)})`;
    const consume = `${bus.consume} / ${raw?.consume ?? '-'} (${ratio(bus.consume, raw?.consume)})`;
    lines.push(`| ${adapter} | ${messages} | ${publish} | ${consume} |`);
  }
  for (const row of rows.filter((r) => r.rawStreamingConsume !== undefined)) {
    lines.push(`\n${row.adapter}: raw consume is unary Pull as the adapter does; the library's StreamingPull consumed ${row.rawStreamingConsume} msg/s.`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { messages: { type: 'string' }, only: { type: 'string' } } });
  const adapters = (values.only ?? 'memory,nats,pubsub').split(',');
  const count = Number(values.messages ?? 5_000);
  const rows: Row[] = [];
  for (const adapter of adapters) {
    process.stderr.write(`measuring ${adapter} with ${count} messages of ${MESSAGE_BYTES} bytes ...\n`);
    rows.push(await run(adapter, count));
  }
  const report = { at: new Date().toISOString(), node: process.version, messageBytes: MESSAGE_BYTES, publishWindow: PUBLISH_WINDOW, consumeConcurrency: CONSUME_CONCURRENCY, rows };
  const folder = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `bus-throughput-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${table(rows)}\n\nwritten to ${file}\n`);
}

await main();

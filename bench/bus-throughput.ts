/**
 * Bus throughput, per adapter: publish and consume+ack rates of 6 KB messages through the Bus port,
 * and the same through the raw client without our middleware (dead-letter, tracing, dispatcher),
 * measured in the same run on the same server, as a ratio. Not a test: nothing is asserted.
 *
 *   npx tsx bench/bus-throughput.ts [--messages N] [--runs N] [--only memory,nats,pubsub]
 *
 * Each adapter is measured `--runs` times (default 3), bus and raw in turn, and the table shows the
 * median of each figure: the machine is shared, single runs swing by 2x. Needs NATS at NATS_URL
 * (default nats://127.0.0.1:4222) and `gcloud` with the Pub/Sub emulator: each Pub/Sub run starts an
 * emulator of its own and stops it (private-pubsub-emulator.ts says why). Prints a table and writes
 * bench/results/bus-throughput-<time>.json (every run).
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
import { PUBSUB_PROJECT } from '../test/support/pubsub-emulator.ts';
import { startPrivatePubSubEmulator } from './private-pubsub-emulator.ts';

const MESSAGE_BYTES = 6 * 1024;
/** Publishes awaited at once: a producer that does not wait for each ack (the outbox relay sends one by one). */
const PUBLISH_WINDOW = 100;
/** Messages a subscriber handles at once (the ingestor uses 256). */
const CONSUME_CONCURRENCY = 128;
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
/** Messages run through a fresh emulator before measuring, so its JIT is warm for bus and raw alike. */
const EMULATOR_WARM_UP_MESSAGES = 5_000;

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
  /**
   * Pub/Sub only: the raw unary Pull + acknowledge on an ordering-enabled subscription, like those the
   * bus creates (the `raw` figure's subscription has ordering off, as in earlier runs of this bench).
   */
  rawOrderedConsume?: number;
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

/**
 * The raw NATS client: JetStream publish with a msg id, and a durable pull consumer's `consume()` with
 * acks. Connected with `noAsyncTraces` as the bus is (it saves a quarter of a publish's CPU), so the
 * ratio is the cost of the bus, not of a client option.
 */
async function measureRawNats(prefix: string, count: number): Promise<Rates> {
  const nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
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

/** Pulls (unary Pull, then acknowledge, one after the other) until `count` were acked; resolves with the ms. */
async function timedUnaryConsume(subscriber: v1.SubscriberClient, subscription: string, count: number): Promise<number> {
  const started = performance.now();
  for (let seen = 0; seen < count; ) {
    const [response] = await subscriber.pull({ subscription, maxMessages: CONSUME_CONCURRENCY });
    const ackIds = (response.receivedMessages ?? []).map((m) => m.ackId ?? '');
    if (ackIds.length > 0) await subscriber.acknowledge({ subscription, ackIds });
    seen += ackIds.length;
  }
  return performance.now() - started;
}

/**
 * The raw Pub/Sub client: batched `publishMessage`; consume+ack with the same unary Pull + acknowledge
 * the adapter uses (so the ratio is our middleware's cost), on a plain and on an ordering-enabled
 * subscription, and with StreamingPull for reference.
 */
async function measureRawPubSub(emulatorHost: string, prefix: string, count: number): Promise<Rates & { streaming: number; ordered: number }> {
  const pubsub = new PubSub({ projectId: PUBSUB_PROJECT, apiEndpoint: emulatorHost, emulatorMode: true, universeDomain: 'googleapis.com' });
  const subscriber = new v1.SubscriberClient((await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0]);
  try {
    const [topic] = await pubsub.createTopic(`${prefix}raw.events`);
    const [unary] = await topic.createSubscription(`${prefix}raw-unary`);
    const [ordered] = await topic.createSubscription(`${prefix}raw-ordered`, { enableMessageOrdering: true });
    const [streaming] = await topic.createSubscription(`${prefix}raw-streaming`, {
      flowControl: { maxMessages: CONSUME_CONCURRENCY, allowExcessMessages: false },
    });
    const publishMs = await timedWindow(count, PUBLISH_WINDOW, (index) =>
      topic.publishMessage({ data: Buffer.from(payload), attributes: { 'mobius-message-id': `m-${index}` } }),
    );
    const unaryMs = await timedUnaryConsume(subscriber, unary.name, count);
    const orderedMs = await timedUnaryConsume(subscriber, ordered.name, count);
    const done = consumed(count);
    streaming.on('message', (message: PubSubMessage) => {
      message.ack();
      done.seen();
    });
    const streamingMs = await done.elapsed;
    await streaming.close();
    return {
      publish: perSecond(count, publishMs),
      consume: perSecond(count, unaryMs),
      streaming: perSecond(count, streamingMs),
      ordered: perSecond(count, orderedMs),
    };
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
  const emulator = await startPrivatePubSubEmulator();
  try {
    const emulatorHost = emulator.host;
    await measureRawPubSub(emulatorHost, `${prefix}warm_`, EMULATOR_WARM_UP_MESSAGES);
    const bus = await measureBus({ kind: 'pubsub', topicPrefix: prefix, pubsub: { emulatorHost, projectId: PUBSUB_PROJECT } }, count);
    const { streaming, ordered, ...raw } = await measureRawPubSub(emulatorHost, prefix, count);
    return { adapter: 'pubsub (emulator)', messages: count, bus, raw, rawStreamingConsume: streaming, rawOrderedConsume: ordered };
  } finally {
    emulator.stop();
  }
}

const ratio = (bus: number, raw: number | undefined) => (raw ? `${((bus / raw) * 100).toFixed(0)}%` : 'n/a');

function table(rows: Row[], runCount: number): string {
  const lines = [
    `Medians of ${runCount} run(s).`,
    '| adapter | messages | publish msg/s (bus / raw, ratio) | consume+ack msg/s (bus / raw, ratio) |',
    '|---|---:|---:|---:|',
  ];
  for (const { adapter, messages, bus, raw } of rows) {
    const publish = `${bus.publish} / ${raw?.publish ?? '-'} (${ratio(bus.publish, raw?.publish)})`;
    const consume = `${bus.consume} / ${raw?.consume ?? '-'} (${ratio(bus.consume, raw?.consume)})`;
    lines.push(`| ${adapter} | ${messages} | ${publish} | ${consume} |`);
  }
  for (const row of rows.filter((r) => r.rawStreamingConsume !== undefined)) {
    lines.push(
      `\n${row.adapter}: raw consume is unary Pull as the adapter does, on a subscription without ordering; on an ordering-enabled one` +
        ` (as the bus creates) it consumed ${row.rawOrderedConsume} msg/s (bus ${ratio(row.bus.consume, row.rawOrderedConsume)});` +
        ` the library's StreamingPull consumed ${row.rawStreamingConsume} msg/s.`,
    );
  }
  return lines.join('\n');
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : Math.round(((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2);
}

/** One row of medians from several runs of one adapter. */
function medianRow(runs: Row[]): Row {
  const [first] = runs as [Row];
  const of = (pick: (row: Row) => number | undefined) => {
    const values = runs.map(pick).filter((value): value is number => value !== undefined);
    return values.length > 0 ? median(values) : undefined;
  };
  const rates = (pick: (row: Row) => Rates | undefined): Rates | undefined =>
    pick(first) ? { publish: of((row) => pick(row)?.publish) ?? 0, consume: of((row) => pick(row)?.consume) ?? 0 } : undefined;
  const row: Row = { adapter: first.adapter, messages: first.messages, bus: rates((r) => r.bus) as Rates, raw: rates((r) => r.raw) };
  const streaming = of((r) => r.rawStreamingConsume);
  const ordered = of((r) => r.rawOrderedConsume);
  if (streaming !== undefined) row.rawStreamingConsume = streaming;
  if (ordered !== undefined) row.rawOrderedConsume = ordered;
  return row;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { messages: { type: 'string' }, runs: { type: 'string' }, only: { type: 'string' } } });
  const adapters = (values.only ?? 'memory,nats,pubsub').split(',');
  const count = Number(values.messages ?? 5_000);
  const runCount = Math.max(1, Number(values.runs ?? 3));
  const rows: Row[] = [];
  const runs: Row[] = [];
  for (const adapter of adapters) {
    const ofAdapter: Row[] = [];
    for (let index = 1; index <= runCount; index += 1) {
      process.stderr.write(`measuring ${adapter} with ${count} messages of ${MESSAGE_BYTES} bytes (run ${index} of ${runCount}) ...\n`);
      ofAdapter.push(await run(adapter, count));
    }
    runs.push(...ofAdapter);
    rows.push(medianRow(ofAdapter));
  }
  const report = {
    at: new Date().toISOString(),
    node: process.version,
    messageBytes: MESSAGE_BYTES,
    publishWindow: PUBLISH_WINDOW,
    consumeConcurrency: CONSUME_CONCURRENCY,
    runs: runCount,
    rows,
    allRuns: runs,
  };
  const folder = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `bus-throughput-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${table(rows, runCount)}\n\nwritten to ${file}\n`);
}

await main();

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { TOPIC_DEFAULTS } from '../defaults.ts';
import { BusClosedError, BusUnavailableError, errorMessage } from '../errors.ts';
import { attachExtensions } from '../extensions.ts';
import { tracedPublish } from '../middleware/tracing.ts';
import { deadLetterTopicOf, validatePublishRequest, validateReplayFrom, validateSubscription, validateTopic } from '../names.ts';
import { resolveSubscribeOptions, runSubscription } from '../subscription.ts';
import { OpenSubscribers } from '../open-subscribers.ts';
import type {
  Bus,
  BusCapabilities,
  BusLogger,
  CreateBusOptions,
  Handler,
  Message,
  PublishRequest,
  PublishResult,
  ReplayFrom,
  SubscribeOptions,
  Subscriber,
} from '../types.ts';
import { fromStoredMsg, toHeaders } from './nats/codec.ts';
import { NatsDeadLetterStore } from './nats/dead-letters.ts';
import { NatsProvisioner, natsConsumerName, natsStreamName, natsSubject } from './nats/provision.ts';
import { NatsSubscriptionStats } from './nats/stats.ts';
import { NatsDeliverySource } from './nats/source.ts';

/** The local NATS server of `docker compose up` and of this machine. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** JetStream keeps messages on disk, dedupes ids within the duplicate window and replays from anywhere. */
export const NATS_CAPABILITIES: BusCapabilities = {
  persistent: true,
  ordered: true,
  dedupe: true,
  replayFromBeginning: true,
  replayFromSequence: true,
  replayFromTime: true,
};

/**
 * Connects to NATS and returns the JetStream bus. Throws BusUnavailableError when the server cannot
 * be reached or has no JetStream. Each topic is a file-backed stream, each subscription a durable
 * pull consumer (see nats/provision.ts for names and settings).
 */
export async function createNatsBus(options: CreateBusOptions, logger: BusLogger): Promise<Bus> {
  const url = options.natsUrl ?? DEFAULT_NATS_URL;
  let nc: NatsConnection;
  try {
    // noAsyncTraces: the client otherwise builds two Error objects per request (every publish is
    // one) only to give a timeout the caller's stack: a quarter of the CPU a publish costs. Our own
    // errors (BusUnavailableError) are raised where the bus was called and keep the client's as cause.
    nc = await connect({ servers: url.split(','), name: 'mobius-bus', maxReconnectAttempts: -1, noAsyncTraces: true });
  } catch (error) {
    throw new BusUnavailableError(`cannot reach NATS at ${maskCredentials(url)}: ${errorMessage(error)}`, { cause: error });
  }
  try {
    const jsm = await jetstreamManager(nc);
    return new NatsBus(nc, jsm, options, logger);
  } catch (error) {
    await nc.close();
    throw new BusUnavailableError(`NATS at ${maskCredentials(url)} has no JetStream: ${errorMessage(error)}`, { cause: error });
  }
}

class NatsBus implements Bus {
  readonly capabilities = NATS_CAPABILITIES;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #prefix: string;
  readonly #logger: BusLogger;
  readonly #provisioner: NatsProvisioner;
  readonly #subscribers = new OpenSubscribers();
  /** Closing: no new subscriptions, but draining handlers may still publish (their results, dead letters). */
  #closing = false;
  #closed = false;

  constructor(nc: NatsConnection, jsm: JetStreamManager, options: CreateBusOptions, logger: BusLogger) {
    this.#nc = nc;
    this.#jsm = jsm;
    this.#js = jetstream(nc);
    this.#prefix = options.topicPrefix;
    this.#logger = logger;
    this.#provisioner = new NatsProvisioner(jsm, options.topicPrefix, { ...TOPIC_DEFAULTS, ...options.topics });
    attachExtensions(this, { stats: new NatsSubscriptionStats(jsm, options.topicPrefix) });
    attachExtensions(this, { deadLetters: new NatsDeadLetterStore(jsm, options.topicPrefix) });
  }

  async ping(): Promise<void> {
    this.#assertOpen('ping');
    await this.#nc.flush();
    await this.#jsm.getAccountInfo();
  }

  async ensureSubscription(topic: string, subscription: string): Promise<void> {
    this.#assertOpen('ensure a subscription');
    validateTopic(topic);
    validateSubscription(subscription);
    await this.#provisioner.ensureStream(deadLetterTopicOf(topic, subscription));
    await this.#provisioner.ensureConsumer(topic, subscription);
  }

  /** Publishes with `Nats-Msg-Id` = `request.id`; a stream deleted under a long-lived bus is recreated once. */
  async publish(request: PublishRequest): Promise<PublishResult> {
    this.#assertOpen('publish');
    validatePublishRequest(request);
    return tracedPublish('nats', request, (attributes) => this.#send(request, attributes));
  }

  /** The publish itself, with the attributes tracing settled (the PRODUCER span's `traceparent` added). */
  async #send(request: PublishRequest, attributes: Record<string, string>): Promise<PublishResult> {
    const headers = toHeaders(request, attributes);
    const subject = natsSubject(this.#prefix, request.topic);
    for (let attempt = 1; ; attempt += 1) {
      await this.#provisioner.ensureStream(request.topic);
      try {
        const ack = await this.#js.publish(subject, request.data, { msgID: request.id, headers });
        return { duplicate: ack.duplicate, sequence: ack.seq };
      } catch (error) {
        this.#provisioner.forgetStream(request.topic);
        if (attempt >= 2) throw new BusUnavailableError(`publish to ${subject} failed: ${errorMessage(error)}`, { cause: error });
      }
    }
  }

  async subscribe(topic: string, subscription: string, handler: Handler, options?: SubscribeOptions): Promise<Subscriber> {
    this.#assertOpen('subscribe');
    if (this.#closing) throw new BusClosedError('subscribe');
    validateTopic(topic);
    validateSubscription(subscription);
    const settings = resolveSubscribeOptions(options);
    await this.#provisioner.ensureStream(deadLetterTopicOf(topic, subscription));
    await this.#provisioner.ensureConsumer(topic, subscription, settings.ackWaitMs);
    const source = new NatsDeliverySource({
      nc: this.#nc,
      js: this.#js,
      jsm: this.#jsm,
      provisioner: this.#provisioner,
      topic,
      subscription,
      stream: natsStreamName(this.#prefix, topic),
      consumer: natsConsumerName(this.#prefix, subscription),
      ackWaitMs: settings.ackWaitMs,
      logger: this.#logger,
    });
    const publish = (request: PublishRequest) => this.publish(request);
    const running = runSubscription({ topic, subscription, handler, settings, publish, logger: this.#logger, source, system: 'nats' });
    return this.#subscribers.track(running);
  }

  async replay(topic: string, subscription: string, from: ReplayFrom): Promise<void> {
    this.#assertOpen('replay');
    validateTopic(topic);
    validateSubscription(subscription);
    validateReplayFrom(from);
    await this.#provisioner.ensureStream(deadLetterTopicOf(topic, subscription));
    await this.#provisioner.recreateConsumer(topic, subscription, from);
  }

  /** Reads stored messages by sequence (no consumer involved, so nothing is consumed or redelivered). */
  async peek(topic: string, limit: number): Promise<Message[]> {
    this.#assertOpen('peek');
    validateTopic(topic);
    const stream = natsStreamName(this.#prefix, topic);
    const state = await this.#jsm.streams.info(stream).then(
      (info) => info.state,
      () => undefined,
    );
    const messages: Message[] = [];
    if (!state || state.messages === 0) return messages;
    for (let seq = Math.max(1, state.first_seq); seq <= state.last_seq && messages.length < limit; seq += 1) {
      const stored = await this.#jsm.streams.getMessage(stream, { seq });
      if (stored) messages.push(fromStoredMsg(stored, topic, stream));
    }
    return messages;
  }

  /** Drains every subscriber (their handlers may still publish), then drains and closes the connection. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await this.#subscribers.closeAll();
    this.#closed = true;
    if (!this.#nc.isClosed()) await this.#nc.drain();
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new BusClosedError(operation);
  }
}

/** `nats://user:secret@host` -> `nats://***@host`, so errors never carry credentials. */
function maskCredentials(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//***@');
}

import { SUBSCRIBE_DEFAULTS, TOPIC_DEFAULTS } from '../defaults.ts';
import { BusClosedError } from '../errors.ts';
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
import { MemoryDeadLetterStore } from './memory/dead-letters.ts';
import { TopicLog, toMessage } from './memory/log.ts';
import { MemorySubscriptionStats } from './memory/stats.ts';
import { MemoryDeliverySource, MemorySubscription } from './memory/subscription.ts';

/**
 * What the in-process bus does. Everything lives in this one Bus instance: nothing survives it, and
 * another instance (another process) shares nothing, hence `persistent: false`. Within it, it keeps
 * every topic's whole log, so replay works from the beginning, a sequence or a time.
 */
export const MEMORY_CAPABILITIES: BusCapabilities = {
  persistent: false,
  ordered: true,
  dedupe: true,
  replayFromBeginning: true,
  replayFromSequence: true,
  replayFromTime: true,
};

/**
 * The memory adapter: the embedded default (`npm start`) and unit tests. Same semantics as NATS
 * where it can have them: acks, redelivery after a nak (with its backoff) or after the ack wait,
 * dedupe within the duplicate window, ordering keys, replay, competing subscribers. Names are
 * prefixed with TOPIC_PREFIX internally too, so behaviour does not depend on the adapter.
 */
export function createMemoryBus(options: CreateBusOptions, logger: BusLogger): Bus {
  return new MemoryBus(options, logger);
}

class MemoryBus implements Bus {
  readonly capabilities = MEMORY_CAPABILITIES;
  readonly #prefix: string;
  readonly #logger: BusLogger;
  readonly #duplicateWindowMs: number;
  /** By prefixed topic name. */
  readonly #logs = new Map<string, { log: TopicLog; subscriptions: Map<string, MemorySubscription> }>();
  readonly #subscribers = new OpenSubscribers();
  /** Closing: no new subscriptions, but draining handlers may still publish (their results, dead letters). */
  #closing = false;
  #closed = false;

  constructor(options: CreateBusOptions, logger: BusLogger) {
    this.#prefix = options.topicPrefix;
    this.#logger = logger;
    this.#duplicateWindowMs = options.topics?.duplicateWindowMs ?? TOPIC_DEFAULTS.duplicateWindowMs;
    const stats = new MemorySubscriptionStats({
      log: (topic) => this.#logs.get(this.#prefix + topic)?.log,
      subscription: (topic, subscription) => this.#logs.get(this.#prefix + topic)?.subscriptions.get(this.#prefix + subscription),
    });
    attachExtensions(this, { stats });
    attachExtensions(this, { deadLetters: new MemoryDeadLetterStore((topic) => this.#logs.get(this.#prefix + topic)?.log) });
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new BusClosedError('ping');
  }

  async ensureSubscription(topic: string, subscription: string): Promise<void> {
    this.#assertOpen('ensure a subscription');
    validateTopic(topic);
    validateSubscription(subscription);
    this.#subscription(topic, subscription, SUBSCRIBE_DEFAULTS.ackWaitMs);
    this.#topic(deadLetterTopicOf(topic, subscription));
  }

  async publish(request: PublishRequest): Promise<PublishResult> {
    this.#assertOpen('publish');
    validatePublishRequest(request);
    const topic = this.#topic(request.topic);
    return tracedPublish('mobius_memory', request, async (attributes) => {
      const result = topic.log.append(request, attributes);
      if (!result.duplicate) for (const subscription of topic.subscriptions.values()) subscription.notify();
      return result;
    });
  }

  async subscribe(topic: string, subscription: string, handler: Handler, options?: SubscribeOptions): Promise<Subscriber> {
    this.#assertOpen('subscribe');
    if (this.#closing) throw new BusClosedError('subscribe');
    validateTopic(topic);
    validateSubscription(subscription);
    const settings = resolveSubscribeOptions(options);
    await this.ensureSubscription(topic, subscription);
    const state = this.#subscription(topic, subscription, settings.ackWaitMs);
    state.ackWaitMs = settings.ackWaitMs;
    const running = runSubscription({
      topic,
      subscription,
      handler,
      settings,
      publish: (request) => this.publish(request),
      logger: this.#logger,
      source: new MemoryDeliverySource(state),
      system: 'mobius_memory',
    });
    return this.#subscribers.track(running);
  }

  async replay(topic: string, subscription: string, from: ReplayFrom): Promise<void> {
    this.#assertOpen('replay');
    validateReplayFrom(from);
    await this.ensureSubscription(topic, subscription);
    const { log } = this.#topic(topic);
    const sequence = from.kind === 'beginning' ? 1 : from.kind === 'sequence' ? from.sequence : log.firstSequenceAtOrAfter(from.time);
    this.#subscription(topic, subscription, SUBSCRIBE_DEFAULTS.ackWaitMs).replayFrom(sequence);
  }

  async peek(topic: string, limit: number): Promise<Message[]> {
    this.#assertOpen('peek');
    validateTopic(topic);
    const entry = this.#logs.get(this.#prefix + topic);
    return entry ? entry.log.head(limit).map((stored) => toMessage(stored, topic, 0)) : [];
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await this.#subscribers.closeAll();
    this.#closed = true;
    for (const { subscriptions } of this.#logs.values()) for (const state of subscriptions.values()) state.dispose();
  }

  #topic(topic: string) {
    const name = this.#prefix + topic;
    let entry = this.#logs.get(name);
    if (!entry) {
      entry = { log: new TopicLog(this.#duplicateWindowMs), subscriptions: new Map() };
      this.#logs.set(name, entry);
    }
    return entry;
  }

  #subscription(topic: string, subscription: string, ackWaitMs: number): MemorySubscription {
    const entry = this.#topic(topic);
    const name = this.#prefix + subscription;
    let state = entry.subscriptions.get(name);
    if (!state) {
      state = new MemorySubscription(entry.log, topic, ackWaitMs);
      entry.subscriptions.set(name, state);
    }
    return state;
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new BusClosedError(operation);
  }
}

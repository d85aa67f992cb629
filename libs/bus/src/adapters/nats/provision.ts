import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { SUBSCRIBE_DEFAULTS } from '../../defaults.ts';
import { BusConfigError, BusUnavailableError, errorMessage } from '../../errors.ts';
import type { ReplayFrom, TopicSettings } from '../../types.ts';

/**
 * How bus names map to JetStream (TOPIC_PREFIX applied to all of them):
 * - subject  = `${prefix}${topic}`                      e.g. `t42_rag.publish_events`
 * - stream   = the subject with every character outside [A-Za-z0-9_-] as `_` (stream names
 *              cannot hold `.`): `t42_rag_publish_events`; one stream per topic, so a stream's
 *              sequence is the topic's sequence. Two topics that map to one name are refused.
 * - consumer = `${prefix}${subscription}` the same way: one durable pull consumer per subscription.
 */
export function natsSubject(prefix: string, topic: string): string {
  return `${prefix}${topic}`;
}

export function natsStreamName(prefix: string, topic: string): string {
  return natsSubject(prefix, topic).replace(/[^A-Za-z0-9_-]/g, '_');
}

export function natsConsumerName(prefix: string, subscription: string): string {
  return `${prefix}${subscription}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** True when `error` is the JetStream API's "no such stream" or "no such consumer" answer. */
export function isMissing(error: unknown): boolean {
  return error instanceof JetStreamApiError && (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound);
}

/**
 * Creates streams and durable consumers idempotently; several processes may do it at once. An
 * existing stream keeps its configuration (operators may have tuned it); an existing consumer only
 * has its `ack_wait` brought in line with the subscriber's `ackWaitMs`.
 */
export class NatsProvisioner {
  readonly #jsm: JetStreamManager;
  readonly #prefix: string;
  readonly #settings: TopicSettings;
  /** Topics whose stream this process has seen exist; dropped when a publish to it fails. */
  readonly #streams = new Map<string, Promise<string>>();

  constructor(jsm: JetStreamManager, prefix: string, settings: TopicSettings) {
    this.#jsm = jsm;
    this.#prefix = prefix;
    this.#settings = settings;
  }

  /** Makes sure the topic's stream exists and captures its subject; resolves with the stream name. */
  ensureStream(topic: string): Promise<string> {
    let ensured = this.#streams.get(topic);
    if (!ensured) {
      ensured = this.#createStream(topic);
      ensured.catch(() => this.#streams.delete(topic));
      this.#streams.set(topic, ensured);
    }
    return ensured;
  }

  /** Forgets that the topic's stream exists (it may have been deleted): the next `ensureStream` checks again. */
  forgetStream(topic: string): void {
    this.#streams.delete(topic);
  }

  /**
   * Makes sure the subscription's durable consumer exists. A new one delivers the topic from its
   * beginning, so nothing published before the first subscriber started is missed.
   */
  async ensureConsumer(topic: string, subscription: string, ackWaitMs?: number): Promise<void> {
    const stream = await this.ensureStream(topic);
    const name = natsConsumerName(this.#prefix, subscription);
    const info = await this.#consumerInfo(stream, name);
    if (!info) {
      await this.#addConsumer(stream, consumerConfig(name, natsSubject(this.#prefix, topic), ackWaitMs, { kind: 'beginning' }));
      return;
    }
    if (info.config.filter_subject !== natsSubject(this.#prefix, topic)) {
      throw new BusConfigError(`consumer ${name} on ${stream} filters ${info.config.filter_subject}, not ${natsSubject(this.#prefix, topic)}`);
    }
    if (ackWaitMs !== undefined && info.config.ack_wait !== nanos(ackWaitMs)) {
      await this.#call(`update consumer ${name}`, () => this.#jsm.consumers.update(stream, name, { ack_wait: nanos(ackWaitMs) }));
    }
  }

  /**
   * Replay: deletes the durable consumer and creates it again starting at `from`, keeping its
   * ack wait. JetStream cannot move an existing consumer's start (server 2.9), hence the recreate;
   * running subscribers see their pull end with "consumer deleted" and re-attach to the new one.
   */
  async recreateConsumer(topic: string, subscription: string, from: ReplayFrom): Promise<void> {
    const stream = await this.ensureStream(topic);
    const name = natsConsumerName(this.#prefix, subscription);
    const existing = await this.#consumerInfo(stream, name);
    const ackWaitNanos = existing?.config.ack_wait;
    const ackWaitMs = ackWaitNanos === undefined ? undefined : Math.round(ackWaitNanos / 1_000_000);
    if (existing) await this.#call(`delete consumer ${name}`, () => this.#jsm.consumers.delete(stream, name));
    await this.#addConsumer(stream, consumerConfig(name, natsSubject(this.#prefix, topic), ackWaitMs, from));
  }

  async #createStream(topic: string): Promise<string> {
    const name = natsStreamName(this.#prefix, topic);
    const subject = natsSubject(this.#prefix, topic);
    let info = await this.#streamInfo(name);
    if (!info) {
      info = await this.#jsm.streams.add(this.#streamConfig(name, subject)).catch(async (error: unknown) => {
        // Another process may have created it meanwhile; anything else is a real failure.
        const raced = await this.#streamInfo(name);
        if (raced) return raced;
        throw new BusUnavailableError(`cannot create stream ${name} for ${subject}: ${errorMessage(error)}`, { cause: error });
      });
    }
    if (!info.config.subjects.includes(subject)) {
      throw new BusConfigError(`stream ${name} holds ${info.config.subjects.join(', ')}, not ${subject}: two topics map to one stream name`);
    }
    return name;
  }

  #streamConfig(name: string, subject: string) {
    return {
      name,
      subjects: [subject],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: this.#settings.replicas,
      max_age: nanos(this.#settings.maxAgeMs),
      duplicate_window: nanos(this.#settings.duplicateWindowMs),
    };
  }

  async #addConsumer(stream: string, config: Partial<ConsumerConfig>): Promise<void> {
    try {
      await this.#jsm.consumers.add(stream, config);
    } catch (error) {
      // A concurrent creator won; its consumer is as good as ours.
      if (await this.#consumerInfo(stream, config.durable_name ?? '')) return;
      throw new BusUnavailableError(`cannot create consumer ${config.durable_name} on ${stream}: ${errorMessage(error)}`, { cause: error });
    }
  }

  #streamInfo(name: string): Promise<StreamInfo | undefined> {
    return this.#call(`read stream ${name}`, () => this.#jsm.streams.info(name), true);
  }

  #consumerInfo(stream: string, name: string): Promise<ConsumerInfo | undefined> {
    return this.#call(`read consumer ${name}`, () => this.#jsm.consumers.info(stream, name), true);
  }

  /** Runs a JetStream API call; "not found" becomes undefined when `missingOk`, other failures BusUnavailableError. */
  async #call<T>(what: string, call: () => Promise<T>, missingOk = false): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (missingOk && isMissing(error)) return undefined;
      throw new BusUnavailableError(`cannot ${what}: ${errorMessage(error)}`, { cause: error });
    }
  }
}

/** A durable pull consumer: explicit acks, server-side redelivery unlimited (the bus dead-letters). */
function consumerConfig(name: string, subject: string, ackWaitMs: number | undefined, from: ReplayFrom): Partial<ConsumerConfig> {
  const config: Partial<ConsumerConfig> = {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    filter_subject: subject,
    ack_wait: nanos(ackWaitMs ?? SUBSCRIBE_DEFAULTS.ackWaitMs),
    max_deliver: -1,
  };
  if (from.kind === 'beginning') return { ...config, deliver_policy: DeliverPolicy.All };
  if (from.kind === 'sequence') return { ...config, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from.sequence };
  return { ...config, deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.time.toISOString() };
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumeCallback, Consumer, ConsumerMessages, FetchMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Delivery } from '../../dispatcher.ts';
import { errorMessage } from '../../errors.ts';
import type { DeliverySource } from '../../subscription.ts';
import type { BusLogger, Message } from '../../types.ts';
import { fromJsMsg } from './codec.ts';
import { isMissing, type NatsProvisioner } from './provision.ts';
import { NatsSettler } from './settler.ts';

/** The NATS source's timings, every one named. */
export const NATS_PULL_DEFAULTS = {
  /**
   * How long one pull request waits on the server for messages. Messages arrive as soon as they are
   * published whatever this is; it only bounds how often an idle subscriber asks again.
   */
  fetchExpiresMs: 5_000,
  /** After the consumer vanished, how long to wait for a replay to recreate it before recreating it ourselves. */
  reattachGraceMs: 5_000,
  /** How often to look for the recreated consumer meanwhile. */
  reattachPollMs: 100,
} as const;

export interface NatsSourceOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  provisioner: NatsProvisioner;
  topic: string;
  subscription: string;
  stream: string;
  consumer: string;
  ackWaitMs: number;
  logger: BusLogger;
}

/**
 * Pulls one subscriber's messages from the subscription's durable consumer, as many as the pull
 * window asks for (pull-window.ts), several pull requests in flight at once, so the next batch is
 * on its way while the last is handled. When the consumer is deleted under it (a replay, perhaps
 * from another process) it waits for the new consumer and pulls from that; if none appears within
 * the grace period, it recreates it.
 */
export class NatsDeliverySource implements DeliverySource {
  /**
   * Fetches overlap safely: every batch arrives on the one connection in stream order and is handed
   * over from the client's callback as it is parsed, so deliveries keep that order across batches.
   */
  readonly pipelined = true;
  readonly #options: NatsSourceOptions;
  readonly #settler: NatsSettler;
  #consumer: Promise<Consumer> | undefined;
  readonly #batches = new Set<ConsumerMessages>();
  /** One recovery at a time, shared by every fetch that failed meanwhile. */
  #recovering: Promise<void> | undefined;
  #interrupted = false;

  constructor(options: NatsSourceOptions) {
    this.#options = options;
    this.#settler = new NatsSettler(options.logger, { topic: options.topic, subscription: options.subscription });
  }

  async fetch(max: number, deliver: (delivery: Delivery) => void): Promise<void> {
    let batch: ConsumerMessages | undefined;
    try {
      const consumer = await this.#attach();
      if (this.#interrupted) return;
      // A callback rather than the iterator: each message is handed over synchronously as the
      // connection parses it, so overlapping batches cannot interleave (one iterator per batch
      // would), and no promise hop is spent per message. nats.js honours it on fetch as on consume.
      const options: FetchMessages & ConsumeCallback = {
        max_messages: max,
        expires: NATS_PULL_DEFAULTS.fetchExpiresMs,
        callback: (msg) => deliver(new NatsDelivery(msg, this.#options.topic, this.#settler)),
      };
      batch = await consumer.fetch(options);
      this.#batches.add(batch);
      if (this.#interrupted) void batch.close();
      const failure = await batch.closed();
      if (failure && !this.#interrupted) throw failure;
    } catch (error) {
      if (this.#interrupted) return;
      this.#consumer = undefined;
      this.#recovering ??= this.#recover(error).finally(() => (this.#recovering = undefined));
      await this.#recovering;
    } finally {
      if (batch) this.#batches.delete(batch);
    }
  }

  interrupt(): void {
    this.#interrupted = true;
    for (const batch of this.#batches) void batch.close();
  }

  async flush(): Promise<void> {
    this.#settler.flush();
    if (!this.#options.nc.isClosed()) await this.#options.nc.flush();
  }

  /** The subscription's consumer handle, looked up once and shared by every fetch. */
  #attach(): Promise<Consumer> {
    const { js, stream, consumer } = this.#options;
    this.#consumer ??= js.consumers.get(stream, consumer).catch((error: unknown) => {
      this.#consumer = undefined;
      throw error;
    });
    return this.#consumer;
  }

  /** After a failed pull: re-attach if the consumer was deleted or is missing; rethrow anything else. */
  async #recover(error: unknown): Promise<void> {
    const deleted = /consumer deleted/i.test(errorMessage(error));
    const exists = await this.#consumerExists();
    if (exists && !deleted) throw error;
    if (!exists) await this.#waitForConsumer();
    const { logger, topic, subscription } = this.#options;
    logger.info({ topic, subscription }, 're-attached to the subscription after its consumer was recreated (replay)');
  }

  async #waitForConsumer(): Promise<void> {
    const { provisioner, topic, subscription, ackWaitMs, logger } = this.#options;
    const deadline = Date.now() + NATS_PULL_DEFAULTS.reattachGraceMs;
    while (Date.now() < deadline) {
      if (this.#interrupted || (await this.#consumerExists())) return;
      await sleep(NATS_PULL_DEFAULTS.reattachPollMs);
    }
    logger.warn({ topic, subscription }, 'subscription consumer missing past the grace period: recreating it');
    provisioner.forgetStream(topic);
    await provisioner.ensureConsumer(topic, subscription, ackWaitMs);
  }

  async #consumerExists(): Promise<boolean> {
    const { jsm, stream, consumer } = this.#options;
    try {
      await jsm.consumers.info(stream, consumer);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}

/**
 * A message as the dispatcher takes it; its ack or nak goes out with the others of this turn. A
 * class rather than an object of closures: one allocation per message on the hot path.
 */
class NatsDelivery implements Delivery {
  readonly message: Message;
  readonly #msg: JsMsg;
  readonly #settler: NatsSettler;

  constructor(msg: JsMsg, topic: string, settler: NatsSettler) {
    this.message = fromJsMsg(msg, topic);
    this.#msg = msg;
    this.#settler = settler;
  }

  ack(): void {
    this.#settler.ack(this.#msg);
  }

  nak(delayMs: number): void {
    this.#settler.nak(this.#msg, delayMs);
  }
}

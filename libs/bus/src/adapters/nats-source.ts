import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Delivery } from '../dispatcher.ts';
import { errorMessage } from '../errors.ts';
import type { DeliverySource } from '../subscription.ts';
import type { BusLogger } from '../types.ts';
import { fromJsMsg } from './nats-codec.ts';
import { isMissing, type NatsProvisioner } from './nats-provision.ts';

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
 * Pulls one subscriber's messages from the subscription's durable consumer, at most as many per
 * request as the dispatcher can hold (so nothing waits unhandled in this process while its ack wait
 * runs). When the consumer is deleted under it (a replay, perhaps from another process) it waits for
 * the new consumer and pulls from that; if none appears within the grace period, it recreates it.
 */
export class NatsDeliverySource implements DeliverySource {
  readonly #options: NatsSourceOptions;
  #consumer: Consumer | undefined;
  #current: ConsumerMessages | undefined;
  #interrupted = false;

  constructor(options: NatsSourceOptions) {
    this.#options = options;
  }

  async fetch(max: number, deliver: (delivery: Delivery) => void): Promise<void> {
    const { js, stream, consumer, topic } = this.#options;
    try {
      this.#consumer ??= await js.consumers.get(stream, consumer);
      if (this.#interrupted) return;
      const batch = await this.#consumer.fetch({ max_messages: max, expires: NATS_PULL_DEFAULTS.fetchExpiresMs });
      this.#current = batch;
      if (this.#interrupted) await batch.close();
      for await (const msg of batch) deliver(toDelivery(msg, topic));
    } catch (error) {
      if (this.#interrupted) return;
      this.#consumer = undefined;
      await this.#recover(error);
    } finally {
      this.#current = undefined;
    }
  }

  interrupt(): void {
    this.#interrupted = true;
    void this.#current?.close();
  }

  async flush(): Promise<void> {
    if (!this.#options.nc.isClosed()) await this.#options.nc.flush();
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

function toDelivery(msg: JsMsg, topic: string): Delivery {
  return { message: fromJsMsg(msg, topic), ack: () => msg.ack(), nak: (delayMs) => msg.nak(delayMs) };
}

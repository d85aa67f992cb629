import type { protos, v1 } from '@google-cloud/pubsub';
import type { Delivery } from '../../dispatcher.ts';
import type { DeliverySource } from '../../subscription.ts';
import { errorMessage } from '../../errors.ts';
import type { BusLogger } from '../../types.ts';
import type { AttemptCounter } from './attempts.ts';
import { fromGrpc, toMessage } from './codec.ts';
import { GRPC, grpcCode } from './provision.ts';
import { PUBSUB_TIMINGS, type PubSubSettings } from './settings.ts';
import { PubSubSettler } from './settler.ts';

type PullResponse = protos.google.pubsub.v1.IPullResponse;
type ReceivedMessage = protos.google.pubsub.v1.IReceivedMessage;
/** What the generated client's inner call returns: a promise the caller can cancel (the public method's cannot). */
type CancellablePull = Promise<[PullResponse]> & { cancel(): void };

export interface PubSubSourceOptions {
  client: v1.SubscriberClient;
  /** Full subscription path. */
  subscription: string;
  /** Unprefixed topic, as handlers see it. */
  topic: string;
  ackWaitMs: number;
  settings: Pick<PubSubSettings, 'ackDeadlineSeconds' | 'maxOutstandingMessages' | 'maxOutstandingBytes'>;
  attempts: AttemptCounter;
  logger: BusLogger;
}

/**
 * Pulls one subscriber's messages with unary Pull requests, as many as the pull window asks for
 * (pull-window.ts: a batch once a quarter of the subscriber's concurrency is free) and flow control
 * allows (max outstanding messages and bytes), so nothing waits unhandled here while its deadline
 * runs. Each delivery's deadline is the subscriber's `ackWaitMs` (set right after the pull, before
 * any handler runs, when it differs from the subscription's): like a JetStream ack wait, a hung
 * handler does not hold its message past it. Unary pull (not StreamingPull) for exactly that
 * control: the client library's lease manager would extend deadlines for as long as a handler hangs.
 */
export class PubSubDeliverySource implements DeliverySource {
  /**
   * One Pull at a time. Concurrent Pulls would answer in any order, and the emulator hands the same
   * messages of an ordering-enabled subscription (every subscription the bus creates) to each of
   * them: four concurrent Pulls of 20 returned 25 distinct messages.
   */
  readonly pipelined = false;
  readonly #options: PubSubSourceOptions;
  readonly #settler: PubSubSettler;
  #pending: CancellablePull | undefined;
  #interrupted = false;
  #outstanding = { messages: 0, bytes: 0 };
  #released: (() => void) | undefined;

  constructor(options: PubSubSourceOptions) {
    this.#options = options;
    this.#settler = new PubSubSettler(options.client, options.subscription, options.logger);
  }

  async fetch(max: number, deliver: (delivery: Delivery) => void): Promise<void> {
    const { settings } = this.#options;
    const room = Math.min(max, settings.maxOutstandingMessages - this.#outstanding.messages);
    if (room <= 0 || this.#outstanding.bytes >= settings.maxOutstandingBytes) {
      await new Promise<void>((resolve) => (this.#released = resolve));
      return;
    }
    const received = await this.#pull(room);
    if (received.length === 0) return;
    await this.#narrowDeadlines(received);
    for (const message of received) deliver(this.#delivery(message));
  }

  /**
   * Sets the deadline of what was just pulled to the subscriber's ack wait, before any handler runs:
   * a process that dies while handling then gives its messages back after `ackWaitMs`, not after
   * the subscription's deadline. One request per pull, only when the two differ.
   */
  async #narrowDeadlines(received: ReceivedMessage[]): Promise<void> {
    const { client, subscription, ackWaitMs, settings, logger } = this.#options;
    const ackDeadlineSeconds = Math.max(1, Math.ceil(ackWaitMs / 1_000));
    if (ackDeadlineSeconds === settings.ackDeadlineSeconds) return;
    const ackIds = received.map((r) => r.ackId ?? '');
    await client.modifyAckDeadline({ subscription, ackIds, ackDeadlineSeconds }).catch((error: unknown) => {
      logger.warn({ subscription, error: errorMessage(error) }, 'could not set the ack wait; the subscription deadline applies');
    });
  }

  interrupt(): void {
    this.#interrupted = true;
    this.#pending?.cancel();
    this.#released?.();
  }

  flush(): Promise<void> {
    return this.#settler.flush();
  }

  /** One Pull; an idle wait that ran out, or a cancel on close, reads as no messages. */
  async #pull(maxMessages: number): Promise<ReceivedMessage[]> {
    const { client, subscription } = this.#options;
    await client.initialize();
    if (this.#interrupted) return [];
    const pull = client.innerApiCalls.pull as (request: object, options: object) => CancellablePull;
    this.#pending = pull({ subscription, maxMessages }, { timeout: PUBSUB_TIMINGS.pullWaitMs });
    try {
      const [response] = await this.#pending;
      return response.receivedMessages ?? [];
    } catch (error) {
      const code = grpcCode(error);
      if (this.#interrupted || code === GRPC.CANCELLED || code === GRPC.DEADLINE_EXCEEDED) return [];
      throw error;
    } finally {
      this.#pending = undefined;
    }
  }

  #delivery(received: ReceivedMessage): Delivery {
    const { topic, attempts } = this.#options;
    const incoming = fromGrpc(received.message ?? {});
    const ackId = received.ackId ?? '';
    const bytes = incoming.data.byteLength;
    this.#outstanding.messages += 1;
    this.#outstanding.bytes += bytes;
    const message = toMessage(incoming, topic, attempts.attemptOf(incoming.messageId, received.deliveryAttempt));
    let settled = false;
    const release = () => {
      if (settled) return false;
      settled = true;
      this.#outstanding.messages -= 1;
      this.#outstanding.bytes -= bytes;
      this.#released?.();
      this.#released = undefined;
      return true;
    };
    return {
      message,
      ack: () => {
        if (!release()) return;
        attempts.forget(incoming.messageId);
        this.#settler.ack(ackId);
      },
      nak: (delayMs) => {
        if (release()) this.#settler.nack(ackId, delayMs);
      },
    };
  }
}

import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import { BusUnavailableError, errorMessage } from '../../errors.ts';
import type { SubscriptionStats, SubscriptionStatsReader } from '../../extensions.ts';
import { isMissing, natsConsumerName, natsStreamName } from './provision.ts';

/**
 * Subscription statistics from JetStream (`mobius status`), read-only: nothing is consumed.
 * - backlog = the durable consumer's `num_pending` (matching messages not yet delivered) plus
 *   `num_ack_pending` (delivered, not yet acked: in flight or waiting for redelivery).
 * - oldest unacked = the age of the stream message right after the consumer's ack floor (every
 *   message up to the floor is acked, so that one is not), read by sequence; when the stream no
 *   longer holds it (limits), the stream's first message stands in.
 * A subscription whose consumer does not exist yet will receive the whole stream when created (new
 * consumers start at the beginning): its backlog is then the stream's message count.
 */
export class NatsSubscriptionStats implements SubscriptionStatsReader {
  readonly #jsm: JetStreamManager;
  readonly #prefix: string;

  constructor(jsm: JetStreamManager, prefix: string) {
    this.#jsm = jsm;
    this.#prefix = prefix;
  }

  async stats(topic: string, subscription: string): Promise<SubscriptionStats> {
    const stream = natsStreamName(this.#prefix, topic);
    const streamInfo = await this.#read(`stream ${stream}`, () => this.#jsm.streams.info(stream));
    if (!streamInfo) return { backlog: 0, oldestUnackedSeconds: null };
    const consumer = natsConsumerName(this.#prefix, subscription);
    const info = await this.#read(`consumer ${consumer}`, () => this.#jsm.consumers.info(stream, consumer));
    if (!info) {
      const { messages, first_ts: firstTs } = streamInfo.state;
      return { backlog: messages, oldestUnackedSeconds: messages > 0 ? ageOf(new Date(firstTs)) : null };
    }
    const backlog = info.num_pending + info.num_ack_pending;
    if (backlog === 0) return { backlog, oldestUnackedSeconds: null };
    return { backlog, oldestUnackedSeconds: await this.#oldestAfter(stream, streamInfo, info.ack_floor.stream_seq) };
  }

  /** Age of the first stored message after `floor`. */
  async #oldestAfter(stream: string, streamInfo: StreamInfo, floor: number): Promise<number | null> {
    const seq = Math.max(floor + 1, streamInfo.state.first_seq);
    const stored = await this.#read(`message ${seq} of ${stream}`, () => this.#jsm.streams.getMessage(stream, { seq }));
    if (stored) return ageOf(stored.time);
    return streamInfo.state.messages > 0 ? ageOf(new Date(streamInfo.state.first_ts)) : null;
  }

  /** A JetStream read; "not found" (stream, consumer or message) is undefined, anything else BusUnavailableError. */
  async #read<T>(what: string, call: () => Promise<T | null>): Promise<T | undefined> {
    try {
      return (await call()) ?? undefined;
    } catch (error) {
      if (isMissing(error) || isNoMessage(error)) return undefined;
      throw new BusUnavailableError(`cannot read ${what}: ${errorMessage(error)}`, { cause: error });
    }
  }
}

/** JetStream's "no message found" answer to a get by sequence (code 10037). */
function isNoMessage(error: unknown): boolean {
  return (error as { code?: unknown }).code === 10037 || /no message found/i.test(errorMessage(error));
}

function ageOf(time: Date): number {
  return Math.max(0, (Date.now() - time.getTime()) / 1_000);
}

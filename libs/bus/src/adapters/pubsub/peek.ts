import type { protos, v1 } from '@google-cloud/pubsub';
import { BusUnavailableError, errorMessage } from '../../errors.ts';
import type { Message } from '../../types.ts';
import { fromGrpc, toMessage } from './codec.ts';
import type { PubSubNames } from './names.ts';
import { GRPC, grpcCode } from './provision.ts';
import { PUBSUB_TIMINGS } from './settings.ts';

type ReceivedMessage = protos.google.pubsub.v1.IReceivedMessage;

/**
 * `peek` on Pub/Sub: reads the topic's own `~peek` subscription (created with the topic, never
 * acked, so it holds everything published since, for the retention period) and gives every message
 * back at once (deadline 0), so nothing is consumed and no consumer's subscription is touched.
 * Pub/Sub returns messages in no set order: they are sorted by publish time before `limit` applies,
 * over at most `PUBSUB_TIMINGS.peekReadCap` messages. Two peeks of one topic at the same moment may
 * each see only part of it (one holds what the other would read, for the duration of a pull).
 * A topic the bus never created has no peek subscription and reads as empty.
 */
export async function peekTopic(client: v1.SubscriberClient, names: PubSubNames, topic: string, limit: number): Promise<Message[]> {
  const messages = await withPeekedMessages(client, names, topic, async (read) => read.map((received) => received.message));
  return messages.slice(0, Math.max(0, limit));
}

/** A message read from a `~peek` subscription: the bus's view of it, and the ack id that settles it there. */
export interface PeekedMessage {
  message: Message;
  ackId: string;
}

/**
 * Reads everything the topic's `~peek` subscription holds (oldest first, at most `peekReadCap`) and
 * runs `use` on it while this process holds those messages; `use` may `ack` some of them (removed for
 * good: the dead-letter store), every other one is given back at once. A missing peek subscription
 * (a topic the bus never created) reads as empty.
 */
export async function withPeekedMessages<T>(
  client: v1.SubscriberClient,
  names: PubSubNames,
  topic: string,
  use: (read: PeekedMessage[], ack: (ackIds: string[]) => Promise<void>) => Promise<T>,
): Promise<T> {
  const subscription = names.peekSubscription(topic);
  const read: ReceivedMessage[] = [];
  const acked = new Set<string>();
  const ack = async (ackIds: string[]) => {
    await settle(client, subscription, ackIds, 'ack');
    for (const ackId of ackIds) acked.add(ackId);
  };
  try {
    try {
      for (let empty = 0; empty < 2 && read.length < PUBSUB_TIMINGS.peekReadCap; ) {
        // returnImmediately: a peek must not wait for messages that are not there (the emulator and the
        // cloud both honour it; the cloud may answer empty early, hence a second try before stopping).
        const [response] = await client.pull({ subscription, maxMessages: 1_000, returnImmediately: true });
        const batch = response.receivedMessages ?? [];
        empty = batch.length === 0 ? empty + 1 : 0;
        read.push(...batch);
      }
    } catch (error) {
      if (grpcCode(error) !== GRPC.NOT_FOUND) throw new BusUnavailableError(`cannot read ${topic}: ${errorMessage(error)}`, { cause: error });
    }
    const peeked = read
      .map((received) => ({ message: toMessage(fromGrpc(received.message ?? {}), topic, 0), ackId: received.ackId ?? '' }))
      .sort((a, b) => a.message.publishedAt.getTime() - b.message.publishedAt.getTime());
    return await use(peeked, ack);
  } finally {
    const rest = read.map((received) => received.ackId ?? '').filter((ackId) => !acked.has(ackId));
    await settle(client, subscription, rest, 'giveBack');
  }
}

/**
 * Acks (`ack`) or gives back at once (`giveBack`: deadline 0) messages of a peek subscription, in
 * batches. A failed give-back only hides those messages from the next read until their deadline (10 s)
 * passes, so it is ignored; a failed ack is thrown (the message was not removed).
 */
export async function settle(client: v1.SubscriberClient, subscription: string, ackIds: string[], how: 'ack' | 'giveBack'): Promise<void> {
  for (let start = 0; start < ackIds.length; start += PUBSUB_TIMINGS.settleBatchSize) {
    const batch = ackIds.slice(start, start + PUBSUB_TIMINGS.settleBatchSize);
    if (how === 'ack') await client.acknowledge({ subscription, ackIds: batch });
    else await client.modifyAckDeadline({ subscription, ackIds: batch, ackDeadlineSeconds: 0 }).catch(() => undefined);
  }
}

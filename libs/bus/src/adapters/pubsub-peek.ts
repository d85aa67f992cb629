import type { protos, v1 } from '@google-cloud/pubsub';
import { BusUnavailableError, errorMessage } from '../errors.ts';
import type { Message } from '../types.ts';
import { fromGrpc, toMessage } from './pubsub-codec.ts';
import type { PubSubNames } from './pubsub-names.ts';
import { GRPC, grpcCode } from './pubsub-provision.ts';
import { PUBSUB_TIMINGS } from './pubsub-settings.ts';

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
  const subscription = names.peekSubscription(topic);
  const read: ReceivedMessage[] = [];
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
    if (grpcCode(error) === GRPC.NOT_FOUND) return [];
    throw new BusUnavailableError(`cannot peek ${topic}: ${errorMessage(error)}`, { cause: error });
  } finally {
    await giveBack(client, subscription, read);
  }
  return read
    .map((received) => toMessage(fromGrpc(received.message ?? {}), topic, 0))
    .sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime())
    .slice(0, Math.max(0, limit));
}

async function giveBack(client: v1.SubscriberClient, subscription: string, read: ReceivedMessage[]): Promise<void> {
  const ackIds = read.map((received) => received.ackId ?? '');
  for (let start = 0; start < ackIds.length; start += PUBSUB_TIMINGS.settleBatchSize) {
    // A failure here only hides those messages from the next peek until their deadline (10 s) passes.
    await client
      .modifyAckDeadline({ subscription, ackIds: ackIds.slice(start, start + PUBSUB_TIMINGS.settleBatchSize), ackDeadlineSeconds: 0 })
      .catch(() => undefined);
  }
}

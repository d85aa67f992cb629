import type { v1 } from '@google-cloud/pubsub';
import type { DeadLetterStore } from '../../extensions.ts';
import { deadLetterTopicOf, validateSubscription, validateTopic } from '../../names.ts';
import type { Message } from '../../types.ts';
import type { PubSubNames } from './names.ts';
import { withPeekedMessages } from './peek.ts';

/**
 * Dead letters on Pub/Sub: what the `~peek` subscription of `<topic>.dlq.<subscription>` holds. Both
 * the bus's middleware (reason attached) and Pub/Sub's own dead-letter policy (its safety net, with
 * `CloudPubSubDeadLetter*` attributes) publish there, and nothing else reads that subscription, so
 * it is the list: `list` and `count` read it and give everything back; `remove` acks the messages
 * with the given ids on it (an acked message is gone from it for good) and gives the rest back.
 *
 * Pub/Sub has no count of a subscription's messages short of Cloud Monitoring (minutes late), so
 * `count` reads them, at most `PUBSUB_TIMINGS.peekReadCap`. Dead letters are kept for the peek
 * subscription's retention (7 days, Terraform's `message_retention_seconds`), as any unacked message. While one of these calls holds the messages (a pull's length), a concurrent
 * one sees fewer.
 */
export class PubSubDeadLetterStore implements DeadLetterStore {
  readonly #client: v1.SubscriberClient;
  readonly #names: PubSubNames;

  constructor(client: v1.SubscriberClient, names: PubSubNames) {
    this.#client = client;
    this.#names = names;
  }

  async list(topic: string, subscription: string, limit: number): Promise<Message[]> {
    const read = await withPeekedMessages(this.#client, this.#names, this.#topic(topic, subscription), async (peeked) => peeked);
    return read.slice(0, Math.max(0, limit)).map((peeked) => peeked.message);
  }

  async count(topic: string, subscription: string): Promise<number> {
    return withPeekedMessages(this.#client, this.#names, this.#topic(topic, subscription), async (peeked) => peeked.length);
  }

  async remove(topic: string, subscription: string, ids: readonly string[]): Promise<number> {
    const wanted = new Set(ids);
    return withPeekedMessages(this.#client, this.#names, this.#topic(topic, subscription), async (peeked, ack) => {
      const removing = peeked.filter((entry) => wanted.has(entry.message.id)).map((entry) => entry.ackId);
      await ack(removing);
      return removing.length;
    });
  }

  #topic(topic: string, subscription: string): string {
    validateTopic(topic);
    validateSubscription(subscription);
    return deadLetterTopicOf(topic, subscription);
  }
}

import type { DeadLetterStore } from '../../extensions.ts';
import { deadLetterTopicOf, validateSubscription, validateTopic } from '../../names.ts';
import type { Message } from '../../types.ts';
import { toMessage, type TopicLog } from './log.ts';

/**
 * Dead letters on the memory bus: the log of `<topic>.dlq.<subscription>` in this Bus instance.
 * `remove` deletes from that log (sequences stay taken, as on JetStream).
 */
export class MemoryDeadLetterStore implements DeadLetterStore {
  /** The bus's log of an unprefixed topic, if it has one. */
  readonly #logOf: (topic: string) => TopicLog | undefined;

  constructor(logOf: (topic: string) => TopicLog | undefined) {
    this.#logOf = logOf;
  }

  async list(topic: string, subscription: string, limit: number): Promise<Message[]> {
    const deadLetters = this.#topic(topic, subscription);
    return (this.#logOf(deadLetters)?.head(limit) ?? []).map((stored) => toMessage(stored, deadLetters, 0));
  }

  async count(topic: string, subscription: string): Promise<number> {
    return this.#logOf(this.#topic(topic, subscription))?.size() ?? 0;
  }

  async remove(topic: string, subscription: string, ids: readonly string[]): Promise<number> {
    return this.#logOf(this.#topic(topic, subscription))?.remove(ids) ?? 0;
  }

  #topic(topic: string, subscription: string): string {
    validateTopic(topic);
    validateSubscription(subscription);
    return deadLetterTopicOf(topic, subscription);
  }
}

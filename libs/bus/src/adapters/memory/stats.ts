import type { SubscriptionStats, SubscriptionStatsReader } from '../../extensions.ts';
import type { TopicLog } from './log.ts';
import type { MemorySubscription } from './subscription.ts';

/** How the stats reader finds a topic's log and a subscription's state inside the memory bus. */
export interface MemoryLookup {
  log(topic: string): TopicLog | undefined;
  subscription(topic: string, subscription: string): MemorySubscription | undefined;
}

/**
 * Subscription statistics of the memory bus: backlog = messages not delivered yet + in flight +
 * waiting for redelivery; oldest unacked = the publish time of the lowest such sequence. A
 * subscription that does not exist yet would start at the beginning: its backlog is the whole topic.
 */
export class MemorySubscriptionStats implements SubscriptionStatsReader {
  readonly #lookup: MemoryLookup;

  constructor(lookup: MemoryLookup) {
    this.#lookup = lookup;
  }

  async stats(topic: string, subscription: string): Promise<SubscriptionStats> {
    const log = this.#lookup.log(topic);
    if (!log) return { backlog: 0, oldestUnackedSeconds: null };
    const state = this.#lookup.subscription(topic, subscription);
    const whole = state ? undefined : log.head(Number.MAX_SAFE_INTEGER);
    const unacked = state ? state.unacked() : { count: whole!.length, oldestSequence: whole![0]?.sequence };
    const oldest = unacked.oldestSequence === undefined ? undefined : log.at(unacked.oldestSequence);
    return {
      backlog: unacked.count,
      oldestUnackedSeconds: oldest ? Math.max(0, (Date.now() - oldest.publishedAt.getTime()) / 1_000) : null,
    };
  }
}

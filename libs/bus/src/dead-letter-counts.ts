import { deadLettersOf } from './extensions.ts';
import type { Bus } from './types.ts';

/** A subscription's dead letters, as `mobius status` and the console show them. */
export interface DeadLetterCount {
  /** Unprefixed subscription name. */
  subscription: string;
  /** Unprefixed topic it consumes. */
  topic: string;
  /** How many dead letters it holds now; null where the bus keeps none to count. */
  deadLetters: number | null;
}

/**
 * Dead letters per subscription (`subscriptions`: the catalogue's `ALL_SUBSCRIPTIONS`, or some of
 * them), read through `deadLettersOf(bus).count`, one subscription after another. A failed count
 * rejects (BusUnavailableError): the caller decides whether a status without it is worth showing.
 */
export async function deadLetterCounts(bus: Bus, subscriptions: readonly { topic: string; name: string }[]): Promise<DeadLetterCount[]> {
  const store = deadLettersOf(bus);
  const counts: DeadLetterCount[] = [];
  for (const { topic, name } of subscriptions) {
    counts.push({ subscription: name, topic, deadLetters: store ? await store.count(topic, name) : null });
  }
  return counts;
}

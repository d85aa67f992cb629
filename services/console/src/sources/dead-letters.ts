import { DEAD_LETTER_ATTRIBUTES, deadLettersOf, type Bus, type Message } from '@mobius/bus';
import { ALL_SUBSCRIPTIONS } from '@mobius/contracts';
import type { DeadLetterView, DeadLettersSource, SubscriptionDeadLetters } from '../types.ts';

/** A dead letter as the page shows it: the reason, code and attempts the dead-letter middleware attached. */
export function deadLetterView(message: Message): DeadLetterView {
  const attributes = message.attributes;
  const attempts = Number(attributes[DEAD_LETTER_ATTRIBUTES.attempts]);
  return {
    id: attributes[DEAD_LETTER_ATTRIBUTES.originalId] ?? message.id,
    reason: attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? '(no reason recorded)',
    code: attributes[DEAD_LETTER_ATTRIBUTES.code] ?? null,
    attempts: Number.isFinite(attempts) ? attempts : null,
    deadLetteredAt: message.publishedAt.toISOString(),
  };
}

/**
 * Dead letters of every catalogue subscription from the bus's DeadLetterStore: the count, and the
 * newest `shown` of the first `scanLimit` (the store lists oldest first). Null when the adapter has
 * no store. Reads only: nothing is consumed or removed.
 */
export function deadLettersFrom(bus: Bus, options: { shown: number; scanLimit: number }): DeadLettersSource {
  return async () => {
    const store = deadLettersOf(bus);
    if (!store) return null;
    return Promise.all(
      ALL_SUBSCRIPTIONS.map(async ({ topic, name }): Promise<SubscriptionDeadLetters> => {
        const total = await store.count(topic, name);
        const listed = total === 0 ? [] : await store.list(topic, name, options.scanLimit);
        return { subscription: name, topic, total, newest: listed.slice(-options.shown).reverse().map(deadLetterView) };
      }),
    );
  };
}

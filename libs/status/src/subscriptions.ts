import { deadLettersOf, subscriptionStatsOf, type Bus } from '@mobius/bus';
import { ALL_SUBSCRIPTIONS } from '@mobius/contracts';
import type { SubscriptionStatus } from './types.ts';

/** The note of a subscription when the bus has no stats reader (the Pub/Sub emulator; docs/status.md). */
export const NO_STATS_NOTE = 'this bus cannot count a backlog (the Pub/Sub emulator has no Monitoring API)';

/**
 * Every subscription of the catalogue: backlog and oldest unacked age from the bus's stats reader,
 * dead letters from its dead-letter store. A number the bus cannot give (no such extension, or its read
 * failed) is null and `note` says why; one subscription's failure never hides the others.
 */
export async function collectSubscriptions(bus: Bus | undefined, busNote?: string): Promise<SubscriptionStatus[]> {
  return Promise.all(ALL_SUBSCRIPTIONS.map((spec) => subscriptionStatus(bus, spec.topic, spec.name, busNote)));
}

async function subscriptionStatus(bus: Bus | undefined, topic: string, name: string, busNote?: string): Promise<SubscriptionStatus> {
  const status: SubscriptionStatus = { name, topic, backlog: null, dead_letters: null, oldest_unacked_seconds: null };
  if (!bus) return { ...status, note: busNote ?? 'no bus' };
  const notes: string[] = [];
  const reader = subscriptionStatsOf(bus);
  const deadLetters = deadLettersOf(bus);
  const [stats, dead] = await Promise.all([
    reader ? reader.stats(topic, name).catch((error: unknown) => failed(notes, 'backlog', error)) : notes.push(NO_STATS_NOTE) && undefined,
    deadLetters
      ? deadLetters.count(topic, name).catch((error: unknown) => failed(notes, 'dead letters', error))
      : notes.push('this bus keeps no dead-letter store') && undefined,
  ]);
  if (stats) {
    status.backlog = stats.backlog;
    status.oldest_unacked_seconds = stats.oldestUnackedSeconds === null ? null : Math.round(stats.oldestUnackedSeconds * 10) / 10;
  }
  if (typeof dead === 'number') status.dead_letters = dead;
  return notes.length > 0 ? { ...status, note: notes.join('; ') } : status;
}

function failed(notes: string[], what: string, error: unknown): undefined {
  notes.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  return undefined;
}

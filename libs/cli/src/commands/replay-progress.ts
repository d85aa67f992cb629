import { subscriptionStatsOf, type Bus } from '@mobius/bus';
import type { CliIO } from '../io.ts';
import { startProgress } from '../progress.ts';

/** Every default of replay's progress watch, in one place. */
export const REPLAY_WATCH_DEFAULTS = {
  /** How often the subscription's backlog is read. */
  pollIntervalMs: 500,
  /** The watch ends when the backlog has not moved for this long (no consumer running, or a stuck one). */
  stallMs: 15_000,
} as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * After a rewind, follows the redelivery with the CLI's progress printer: the subscription's backlog
 * (on NATS the JetStream consumer's pending and in-flight count) falling to 0, as the running
 * consumers take the messages again. Where the bus cannot tell the backlog (the Pub/Sub emulator;
 * memory) it says so. Ends when the backlog is 0, or when it has not moved for `stallMs` (it says
 * which: no consumer is running, or one is stuck).
 */
export async function watchReplay(io: CliIO, bus: Bus, topic: string, subscription: string, watch = REPLAY_WATCH_DEFAULTS): Promise<void> {
  const stats = subscriptionStatsOf(bus);
  if (!stats) {
    io.err(`replay: this bus cannot report ${subscription}'s backlog, so no progress is shown; the running consumers take the messages again`);
    return;
  }
  let total = (await stats.stats(topic, subscription)).backlog;
  if (total === 0) return io.err(`replay: ${subscription} has no message pending (the consumers took them already)`);
  const progress = startProgress(io, `replay ${subscription}`, 'messages', total);
  let last = total;
  let movedAt = Date.now();
  for (;;) {
    await sleep(watch.pollIntervalMs);
    const backlog = (await stats.stats(topic, subscription)).backlog;
    total = Math.max(total, backlog);
    progress.update(total - backlog, total);
    if (backlog === 0) return;
    if (backlog !== last) {
      last = backlog;
      movedAt = Date.now();
    } else if (Date.now() - movedAt >= watch.stallMs) {
      progress.finish();
      io.err(
        `replay: ${backlog} messages still pending, unchanged for ${watch.stallMs / 1000} s: is a ${subscription} consumer running? (mobius status shows the backlog)`,
      );
      return;
    }
  }
}

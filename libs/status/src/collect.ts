import { STATUS_DEFAULTS, type StatusDeps } from './deps.ts';
import { collectDrift } from './drift.ts';
import { collectFreshness } from './freshness.ts';
import { collectOutbox } from './outbox.ts';
import { collectSinks } from './sinks.ts';
import { collectSubscriptions } from './subscriptions.ts';
import type { PipelineStatus } from './types.ts';

/**
 * Assembles the pipeline's status (the `mobius status --json` object, the console's `/api/status`)
 * with every part read at once. Read-only and cheap (a handful of indexed queries, one bus call per
 * subscription), so it can run every few seconds. Subscription numbers the bus cannot give are null
 * with a `note`; a database or the warehouse that does not answer fails the whole call with
 * StatusUnavailableError naming the part (a status with a hole in it would read as healthy).
 */
export async function collectStatus(deps: StatusDeps): Promise<PipelineStatus> {
  const sinks = deps.sinks ?? STATUS_DEFAULTS.sinks;
  const windowSeconds = deps.freshnessWindowSeconds ?? STATUS_DEFAULTS.freshnessWindowSeconds;
  const [subscriptions, outbox, sinkStatus, drift, freshness] = await Promise.all([
    collectSubscriptions(deps.bus, deps.busNote),
    collectOutbox(deps.rag),
    collectSinks(deps.chat, deps.warehouse, sinks),
    collectDrift(deps.chat),
    collectFreshness(deps.chat, sinks, windowSeconds),
  ]);
  return { generated_at: new Date().toISOString(), subscriptions, outbox, sinks: sinkStatus, drift, freshness };
}

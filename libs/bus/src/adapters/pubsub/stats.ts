import { GoogleAuth } from 'google-auth-library';
import { BusUnavailableError, errorMessage } from '../../errors.ts';
import type { SubscriptionStats, SubscriptionStatsReader } from '../../extensions.ts';
import type { PubSubNames } from './names.ts';

/**
 * Subscription statistics on Google Pub/Sub (the cloud only), from Cloud Monitoring's
 * `pubsub.googleapis.com/subscription/num_undelivered_messages` (unacked messages, in flight
 * included) and `.../oldest_unacked_message_age`, read over REST with the service's own credentials
 * (`roles/monitoring.viewer`). Monitoring samples every minute and lags a few minutes, so the numbers
 * are that old; with no point in the window (a new subscription, or no permission) the read throws
 * BusUnavailableError and `mobius status` shows null with the reason.
 *
 * The emulator has no Monitoring API, and counting by pulling from the subscription is not honest
 * either: every pull counts as a delivery attempt, so a `mobius status --watch` beside a stopped
 * consumer would push its messages to the dead-letter topic. The emulator bus therefore has no stats
 * reader at all (docs/status.md).
 */

/** Every default of the reader, in one place. */
export const PUBSUB_STATS_DEFAULTS = {
  /** Monitoring's REST endpoint. */
  endpoint: 'https://monitoring.googleapis.com',
  /** How far back a point is looked for: Monitoring samples each minute and publishes with a delay. */
  windowMs: 10 * 60 * 1_000,
  /** One Monitoring request may take this long. */
  timeoutMs: 10_000,
} as const;

const METRICS = {
  backlog: 'pubsub.googleapis.com/subscription/num_undelivered_messages',
  oldest: 'pubsub.googleapis.com/subscription/oldest_unacked_message_age',
} as const;

/** The part of Monitoring's `timeSeries.list` answer this reader uses. */
export interface TimeSeriesList {
  timeSeries?: { points?: { interval?: { endTime?: string }; value?: { int64Value?: string; doubleValue?: number } }[] }[];
}

/** The newest point's value of a `timeSeries.list` answer, or undefined when it holds none. */
export function latestPointValue(answer: TimeSeriesList): number | undefined {
  let newest: { at: string; value: number } | undefined;
  for (const series of answer.timeSeries ?? []) {
    for (const point of series.points ?? []) {
      const raw = point.value?.int64Value ?? point.value?.doubleValue;
      const at = point.interval?.endTime ?? '';
      if (raw === undefined || (newest && newest.at >= at)) continue;
      newest = { at, value: Number(raw) };
    }
  }
  return newest?.value;
}

/** The Monitoring filter of one metric of one subscription (the subscription id is the prefixed name). */
export function monitoringFilter(metric: string, subscriptionId: string): string {
  return `metric.type = "${metric}" AND resource.type = "pubsub_subscription" AND resource.labels.subscription_id = "${subscriptionId}"`;
}

export class PubSubMonitoringStats implements SubscriptionStatsReader {
  readonly #names: PubSubNames;
  readonly #auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/monitoring.read'] });

  constructor(names: PubSubNames) {
    this.#names = names;
  }

  async stats(_topic: string, subscription: string): Promise<SubscriptionStats> {
    const id = this.#names.subscription(subscription).split('/').pop()!;
    const [backlog, oldest] = await Promise.all([this.#latest(METRICS.backlog, id), this.#latest(METRICS.oldest, id)]);
    if (backlog === undefined) {
      throw new BusUnavailableError(
        `Cloud Monitoring has no ${METRICS.backlog} point for ${id} in the last ${PUBSUB_STATS_DEFAULTS.windowMs / 60_000} minutes`,
      );
    }
    return { backlog, oldestUnackedSeconds: backlog > 0 && oldest !== undefined ? oldest : null };
  }

  async #latest(metric: string, subscriptionId: string): Promise<number | undefined> {
    const end = new Date();
    const start = new Date(end.getTime() - PUBSUB_STATS_DEFAULTS.windowMs);
    try {
      const client = await this.#auth.getClient();
      const response = await client.request<TimeSeriesList>({
        url: `${PUBSUB_STATS_DEFAULTS.endpoint}/v3/projects/${this.#names.project}/timeSeries`,
        params: {
          filter: monitoringFilter(metric, subscriptionId),
          'interval.startTime': start.toISOString(),
          'interval.endTime': end.toISOString(),
          view: 'FULL',
        },
        timeout: PUBSUB_STATS_DEFAULTS.timeoutMs,
      });
      return latestPointValue(response.data);
    } catch (error) {
      throw new BusUnavailableError(`cannot read ${metric} from Cloud Monitoring: ${errorMessage(error)}`, { cause: error });
    }
  }
}

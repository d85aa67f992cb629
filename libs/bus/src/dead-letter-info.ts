import { DEAD_LETTER_ATTRIBUTES, type Message } from './types.ts';

/**
 * What Pub/Sub's own dead-letter policy (the safety net behind the bus's middleware) adds to a message
 * it forwards to the dead-letter topic; such a dead letter has no `mobius-dlq-*` attributes.
 */
export const PUBSUB_DEAD_LETTER_POLICY_ATTRIBUTES = {
  deliveryCount: 'CloudPubSubDeadLetterSourceDeliveryCount',
  subscription: 'CloudPubSubDeadLetterSourceSubscription',
  subscriptionProject: 'CloudPubSubDeadLetterSourceSubscriptionProject',
  topicPublishTime: 'CloudPubSubDeadLetterSourceTopicPublishTime',
} as const;

/** A dead letter read for people (`mobius dlq list`, the console): why, how often, when, which trace. */
export interface DeadLetterInfo {
  /** The message id (the original message's: the middleware keeps it). */
  id: string;
  /** Why it failed (the handler's error message), one line. */
  reason: string;
  /** The error's stable code (`EVENT_INVALID`, `WAREHOUSE_DOWN`, `PUBSUB_MAX_DELIVERY_ATTEMPTS`, `UNKNOWN`). */
  code: string;
  /** Deliveries before it was dead-lettered; null when the dead letter does not say. */
  attempts: number | null;
  /**
   * The earliest its first failure can have been: when the original message was published to its topic
   * (`mobius-dlq-original-published-at`; Pub/Sub's policy: its source publish time; older dead letters:
   * the event's `ce-time`). Nothing records the first failed attempt itself. Null when none is known.
   */
  firstFailureAt: Date | null;
  /** When it was dead-lettered (the dead letter's own publish time), right after its last failure. */
  lastFailureAt: Date;
  /** The W3C trace id of its `traceparent`. */
  traceId: string | null;
  sizeBytes: number;
  /** The topic it came from (where a redrive sends it); null when the dead letter does not say. */
  originalTopic: string | null;
  /** Its position in the dead-letter topic, where the bus has one (NATS). */
  sequence?: number;
}

/** Reads a dead letter's attributes, whether the bus's middleware or Pub/Sub's dead-letter policy wrote it. */
export function deadLetterInfo(message: Message): DeadLetterInfo {
  const a = message.attributes;
  const byPolicy = a[DEAD_LETTER_ATTRIBUTES.reason] === undefined && a[PUBSUB_DEAD_LETTER_POLICY_ATTRIBUTES.deliveryCount] !== undefined;
  const attempts = Number(a[DEAD_LETTER_ATTRIBUTES.attempts] ?? a[PUBSUB_DEAD_LETTER_POLICY_ATTRIBUTES.deliveryCount] ?? Number.NaN);
  const info: DeadLetterInfo = {
    id: message.id,
    reason:
      a[DEAD_LETTER_ATTRIBUTES.reason] ??
      (byPolicy ? `not acknowledged after ${attempts} deliveries (Pub/Sub dead-letter policy)` : 'no reason recorded'),
    code: a[DEAD_LETTER_ATTRIBUTES.code] ?? (byPolicy ? 'PUBSUB_MAX_DELIVERY_ATTEMPTS' : 'UNKNOWN'),
    attempts: Number.isFinite(attempts) ? attempts : null,
    firstFailureAt: dateOrNull(
      a[DEAD_LETTER_ATTRIBUTES.originalPublishedAt] ?? a[PUBSUB_DEAD_LETTER_POLICY_ATTRIBUTES.topicPublishTime] ?? a['ce-time'],
    ),
    lastFailureAt: message.publishedAt,
    traceId: traceIdOf(a.traceparent),
    sizeBytes: message.data.byteLength,
    originalTopic: a[DEAD_LETTER_ATTRIBUTES.originalTopic] ?? null,
  };
  if (message.sequence !== undefined) info.sequence = message.sequence;
  return info;
}

/** Attributes that describe a dead letter's failure rather than its event: a redrive leaves them behind. */
export const FAILURE_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  ...Object.values(DEAD_LETTER_ATTRIBUTES),
  ...Object.values(PUBSUB_DEAD_LETTER_POLICY_ATTRIBUTES),
]);

function dateOrNull(value: string | undefined): Date | null {
  if (value === undefined) return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time;
}

/** `00-<trace id>-<span id>-<flags>` -> the trace id. */
function traceIdOf(traceparent: string | undefined): string | null {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent ?? '');
  return match ? match[1]! : null;
}

import { SUBSCRIBE_DEFAULTS, TOPIC_DEFAULTS } from '../../defaults.ts';
import { BusConfigError } from '../../errors.ts';
import type { BusCapabilities, PubSubOptions, PushAuthSettings } from '../../types.ts';

/** Every Pub/Sub default in one commented object (nodejs-pubsub style); `PubSubOptions` overrides each. */
export const PUBSUB_DEFAULTS = {
  /** Pull: every process pulls its subscriptions (GKE, local, tests). Push is for Cloud Run. */
  mode: 'pull',
  /** Services create what they use at start; `off` where they lack the Pub/Sub Editor role. */
  provision: 'auto',
  /** The subscription's ack deadline: `SUBSCRIBE_DEFAULTS.ackWaitMs`, so both adapters wait as long. */
  ackDeadlineSeconds: SUBSCRIBE_DEFAULTS.ackWaitMs / 1_000,
  /**
   * Pub/Sub's retry policy. In pull mode the bus delays a redelivery itself (the nack's deadline is
   * the backoff), and the cloud adds this after it; in push mode a 5xx leaves the backoff to this alone.
   * 1 s to 60 s spans `SUBSCRIBE_DEFAULTS.backoffMs`.
   */
  minBackoffSeconds: 1,
  maxBackoffSeconds: 60,
  /**
   * Pub/Sub forwards a message to the dead-letter topic itself after this many attempts: a safety net
   * (a crash loop, a push endpoint that keeps failing) behind the bus middleware, which dead-letters
   * with the reason attached at `maxDeliver` (default 5) and so must act first. Pub/Sub allows 5..100.
   */
  maxDeliveryAttempts: 10,
  /** The client library's own flow-control defaults; a subscriber's `concurrency` is usually the tighter bound. */
  maxOutstandingMessages: 1_000,
  maxOutstandingBytes: 100 * 1024 * 1024,
  /** Needed to rewind a subscription to a time (`mobius replay --from <time>|beginning`) on the cloud. */
  retainAckedMessages: true,
} as const satisfies Partial<PubSubOptions>;

/** Timings of the adapter's own calls, every one named. */
export const PUBSUB_TIMINGS = {
  /** How long one pull waits on the server for messages (they arrive at once whatever this is). */
  pullWaitMs: 10_000,
  /** Publishes are batched this long at most (the client library's default is 10 ms). */
  publishBatchMs: 5,
  /** Acks and nacks are sent in batches at most this long after the handler settled. */
  settleBatchMs: 5,
  /** Pub/Sub takes at most 2,500 ack ids in one request (and 512 KB): stay below it. */
  settleBatchSize: 1_000,
  /** How many messages one `peek` reads at most before sorting (it reads and gives back). */
  peekReadCap: 5_000,
  /** Subscriptions keep unacked messages 10 min to 7 days. */
  minRetentionSeconds: 600,
  maxRetentionSeconds: 7 * 24 * 3_600,
} as const;

/** `PubSubOptions` with every default applied, plus what follows from them. */
export interface PubSubSettings {
  projectId: string | undefined;
  emulatorHost: string | undefined;
  mode: 'pull' | 'push';
  provision: 'auto' | 'off';
  ackDeadlineSeconds: number;
  minBackoffSeconds: number;
  maxBackoffSeconds: number;
  maxDeliveryAttempts: number;
  maxOutstandingMessages: number;
  maxOutstandingBytes: number;
  retainAckedMessages: boolean;
  /** Retention of subscriptions (and so of `peek` and replay): `TopicSettings.maxAgeMs` within Pub/Sub's range. */
  retentionSeconds: number;
  pushEndpoint: string | undefined;
  pushAuth: PushAuthSettings;
}

/** Applies the defaults and rejects what Pub/Sub would refuse (BusConfigError naming the setting). */
export function resolvePubSubSettings(options: PubSubOptions = {}, maxAgeMs: number = TOPIC_DEFAULTS.maxAgeMs): PubSubSettings {
  const settings: PubSubSettings = {
    projectId: options.projectId || undefined,
    emulatorHost: options.emulatorHost || undefined,
    mode: options.mode ?? PUBSUB_DEFAULTS.mode,
    provision: options.provision ?? PUBSUB_DEFAULTS.provision,
    ackDeadlineSeconds: options.ackDeadlineSeconds ?? PUBSUB_DEFAULTS.ackDeadlineSeconds,
    minBackoffSeconds: options.minBackoffSeconds ?? PUBSUB_DEFAULTS.minBackoffSeconds,
    maxBackoffSeconds: options.maxBackoffSeconds ?? PUBSUB_DEFAULTS.maxBackoffSeconds,
    maxDeliveryAttempts: options.maxDeliveryAttempts ?? PUBSUB_DEFAULTS.maxDeliveryAttempts,
    maxOutstandingMessages: options.maxOutstandingMessages ?? PUBSUB_DEFAULTS.maxOutstandingMessages,
    maxOutstandingBytes: options.maxOutstandingBytes ?? PUBSUB_DEFAULTS.maxOutstandingBytes,
    retainAckedMessages: options.retainAckedMessages ?? PUBSUB_DEFAULTS.retainAckedMessages,
    retentionSeconds: clamp(Math.round(maxAgeMs / 1_000), PUBSUB_TIMINGS.minRetentionSeconds, PUBSUB_TIMINGS.maxRetentionSeconds),
    pushEndpoint: options.pushEndpoint || undefined,
    pushAuth: options.pushAuth ?? { kind: 'none' },
  };
  checkRange('ackDeadlineSeconds', settings.ackDeadlineSeconds, 10, 600);
  checkRange('minBackoffSeconds', settings.minBackoffSeconds, 0, 600);
  checkRange('maxBackoffSeconds', settings.maxBackoffSeconds, settings.minBackoffSeconds, 600);
  checkRange('maxDeliveryAttempts', settings.maxDeliveryAttempts, 5, 100);
  checkRange('maxOutstandingMessages', settings.maxOutstandingMessages, 1, Number.MAX_SAFE_INTEGER);
  checkRange('maxOutstandingBytes', settings.maxOutstandingBytes, 1, Number.MAX_SAFE_INTEGER);
  return settings;
}

/**
 * What the Pub/Sub adapter can do. Persistent and ordered (ordering keys on every subscription it
 * creates); no dedupe by id (Pub/Sub's exactly-once delivery is another feature; consumers are
 * idempotent); no sequence numbers. Replay seeks: to a time on the cloud (needs retained acked
 * messages); the emulator answers a time seek UNIMPLEMENTED, so there "beginning" is a seek to the
 * snapshot taken when the bus created the subscription (`mobius-origin`).
 */
export function pubsubCapabilities(settings: Pick<PubSubSettings, 'emulatorHost' | 'retainAckedMessages'>): BusCapabilities {
  const emulator = settings.emulatorHost !== undefined;
  return {
    persistent: true,
    ordered: true,
    dedupe: false,
    replayFromBeginning: emulator || settings.retainAckedMessages,
    replayFromSequence: false,
    replayFromTime: !emulator && settings.retainAckedMessages,
  };
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BusConfigError(`Pub/Sub setting ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

import type { TopicSettings } from './types.ts';

/** Every subscriber default in one place (nodejs-pubsub style); `SubscribeOptions` overrides each. */
export const SUBSCRIBE_DEFAULTS = {
  /** Deliveries of a message that keeps failing before it is dead-lettered (the last one carries the reason). */
  maxDeliver: 5,
  /** Redelivery delay after the 1st, 2nd, 3rd+ failed delivery: short first, then let a dependency recover. */
  backoffMs: [1_000, 5_000, 30_000],
  /** A delivery unacked this long is redelivered (a dead consumer). Keep it above the slowest handler. */
  ackWaitMs: 60_000,
  /** Messages one subscriber holds and handles at once (different ordering keys run in parallel). */
  concurrency: 4,
  /** `close()` gives back what is still held after this: Cloud Run allows 10 s from SIGTERM to exit. */
  drainTimeoutMs: 8_000,
} as const;

/** Storage of the topics the bus creates (NATS streams); `CreateBusOptions.topics` overrides each. */
export const TOPIC_DEFAULTS: TopicSettings = {
  /** One server locally and in tests; production clusters use 3. */
  replicas: 1,
  /** Seven days, like Pub/Sub's default retention: long enough to replay a week and to redrive dead letters. */
  maxAgeMs: 7 * 24 * 60 * 60 * 1_000,
  /**
   * NATS's own default (2 min). The outbox relay republishes an event only when it crashed between
   * publishing and recording it, which a restart resolves well within this window; consumers are
   * idempotent for the rare duplicate after it.
   */
  duplicateWindowMs: 2 * 60 * 1_000,
};

/** How the shared pull loop (pull-window.ts) asks an adapter for messages; every timing named. */
export const PULL_WINDOW = {
  /**
   * Ask for more once this share of a subscriber's `concurrency` is free (neither held nor already
   * asked for), and then for all of it: batches of at least a quarter of the window (nats.js
   * `consume()` refills at the same mark), not one message per freed slot. Never below one message.
   */
  refillFraction: 0.25,
  /**
   * Fewer slots than that free and nothing being fetched: how long to wait for more to free before
   * asking for the few that are, so slow handlers holding most slots never leave the rest idle.
   */
  gatherMs: 5,
  /** A pause after an unexpected pull failure (server restarting, network), before pulling again. */
  errorPauseMs: 1_000,
} as const;

import type { PipelineStatus, SyncRunStatus } from '@mobius/status';

/**
 * What the console reads, as ports: handlers and the page never see pg, the bus or fastify. main.ts
 * (and `mobius dev`, and tests) build these from the real backends (sources/).
 */

/** The `mobius status --json` object, assembled anew on each call. */
export type StatusSource = () => Promise<PipelineStatus>;

/** The newest `sync_runs` rows of Chat's database (both sinks and the reconciler's repairs), newest first. */
export type SyncRunsSource = (limit: number) => Promise<SyncRunStatus[]>;

/** One dead letter as the page lists it. */
export interface DeadLetterView {
  id: string;
  /** The error the dead-letter middleware attached (`mobius-dlq-reason`). */
  reason: string;
  /** Its stable error code, when the error had one. */
  code: string | null;
  /** Deliveries before it was set aside. */
  attempts: number | null;
  /** When it entered the dead-letter topic. */
  deadLetteredAt: string;
}

/** A subscription's dead letters: how many, and the newest few. */
export interface SubscriptionDeadLetters {
  subscription: string;
  topic: string;
  total: number;
  /** Newest first. */
  newest: DeadLetterView[];
}

/**
 * Dead letters per catalogue subscription, with their reasons; null when the bus keeps no readable
 * dead letters (an adapter without a DeadLetterStore).
 */
export type DeadLettersSource = () => Promise<SubscriptionDeadLetters[] | null>;

/** Publish-to-visible over one time bucket of one sink (Chat's `mobius_freshness_samples`). */
export interface FreshnessBucket {
  sink: string;
  /** The bucket's start, ms since the epoch. */
  at: number;
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

/** The sinks' freshness over the last `windowMs`, in buckets of `bucketMs`, oldest first; buckets without samples are absent. */
export type FreshnessHistorySource = (windowMs: number, bucketMs: number) => Promise<FreshnessBucket[]>;

/** One point of the in-memory history (what no database records: the bus's backlog and dead letters). */
export interface StatusSample {
  /** When it was taken, ms since the epoch. */
  at: number;
  /** Backlog per subscription; null when the bus cannot say. */
  backlog: Record<string, number | null>;
  /** Dead letters over all subscriptions (where known). */
  deadLetters: number;
}

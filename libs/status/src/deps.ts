import type { Bus } from '@mobius/bus';
import type { Warehouse } from '@mobius/warehouse';
import type pg from 'pg';

/** Every default of the collector, in one place. */
export const STATUS_DEFAULTS = {
  /** Freshness is computed over this window (the issue: the last hour). */
  freshnessWindowSeconds: 60 * 60,
  /** The sinks whose watermark, runs behind and freshness are shown. */
  sinks: ['chat-sync', 'vertex-sync'],
} as const;

/** A database the collector reads: a pg Pool (or a client) the caller owns and ends. */
export type Queryable = Pick<pg.Pool, 'query'>;

/**
 * What `collectStatus` reads. Everything is read-only; the caller owns (and closes) each of them.
 * - `bus`: subscription backlog (`subscriptionStatsOf`) and dead letters (`deadLettersOf`); without
 *   a bus (or where the adapter has neither) those numbers are null and `note` says why.
 * - `rag`: publish_events (the outbox). `chat`: the sinks' state, sync_runs, reconcile runs and
 *   freshness samples (they all live in Chat's database). `warehouse`: the latest mart run.
 */
export interface StatusDeps {
  bus?: Bus;
  /** Why there is no bus, when `bus` is absent (shown as every subscription's note). */
  busNote?: string;
  rag: Queryable;
  chat: Queryable;
  warehouse: Pick<Warehouse, 'latestMartRunId'>;
  /** Overrides of STATUS_DEFAULTS. */
  freshnessWindowSeconds?: number;
  sinks?: readonly string[];
}

/**
 * The pipeline's status as one object: what `mobius status --json` prints, what the console's
 * `/api/status` answers and renders. Field names are snake_case (the JSON is a public interface).
 */

export interface SubscriptionStatus {
  /** Unprefixed subscription name (`ingestor`, `mart-builder`, `chat-sync`, `vertex-sync`). */
  name: string;
  /** Unprefixed topic it reads. */
  topic: string;
  /** Messages not yet acknowledged; null when the bus cannot say. */
  backlog: number | null;
  /** Messages in its dead-letter topic; null when the bus cannot say. */
  dead_letters: number | null;
  /** Age of the oldest unacknowledged message; null when there is none or the bus cannot say. */
  oldest_unacked_seconds: number | null;
  /** (Added.) Why a null above is null when the bus cannot say (e.g. the Pub/Sub emulator has no backlog API). */
  note?: string;
}

export interface OutboxStatus {
  /** publish_events not yet relayed (and not quarantined). */
  unrelayed: number;
  /** Age of the oldest of them, seconds; null when there is none. */
  oldest_unrelayed_seconds: number | null;
  /** publish_events the relay quarantined (the event schema refuses them). */
  quarantined: number;
}

export interface SyncRunStatus {
  run_id: string;
  sink: string | null;
  status: 'success' | 'failure';
  started_at: string;
  finished_at: string | null;
  mart_rows_read: number | null;
  postgres_rows_written: number | null;
  vector_rows_upserted: number | null;
  error_message: string | null;
}

export interface SinkStatus {
  /** `chat-sync` or `vertex-sync`. */
  name: string;
  /** The last mart run it applied. */
  watermark: number;
  /** Mart runs committed after its watermark. */
  mart_runs_behind: number;
  /** Its most recent sync_runs row; null before its first run. */
  last_run: SyncRunStatus | null;
}

export interface DriftStatus {
  /** When the last reconciliation pass (service or `mobius resync`) finished. */
  checked_at: string;
  targets: {
    target: string;
    missing: number;
    extra: number;
    stale: number;
    invalid: number;
    repaired: number;
    /** (Added.) `check` or `repair`; after a repair the counts are what the check after it found. */
    mode?: string;
    /** (Added.) When this target's last pass finished. */
    checked_at?: string;
  }[];
  /** (Added.) missing + extra + stale + invalid over the targets: what `--fail-on drift=N` compares. */
  total?: number;
}

export interface FreshnessStatus {
  /** `chat-sync` or `vertex-sync`. */
  sink: string;
  /** Publish (the row's publish time in RAG) to visible (the sink's commit), over `window_seconds`. */
  p50_ms: number | null;
  p99_ms: number | null;
  samples: number;
  window_seconds: number;
}

export interface PipelineStatus {
  /** When this object was assembled. */
  generated_at: string;
  subscriptions: SubscriptionStatus[];
  outbox: OutboxStatus;
  sinks: SinkStatus[];
  /** The reconciler's last result; null when no pass ever ran. */
  drift: DriftStatus | null;
  freshness: FreshnessStatus[];
}

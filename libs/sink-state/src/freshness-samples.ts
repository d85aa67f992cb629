import type pg from 'pg';

/**
 * Publish-to-visible samples (Chat migration 007, `mobius status`'s freshness; docs/status.md): one per
 * document a sink run made visible, its publish time against the sink's commit.
 */

/** Every default of the samples, in one place. */
export const FRESHNESS_SAMPLES_DEFAULTS = {
  /** Samples older than this are deleted by the next write: the table holds about a day of publishes. */
  retentionSeconds: 24 * 60 * 60,
} as const;

/** What a row change tells the tally: its document, its publish time (`updated_at`, UTC text) and whether it is a tombstone. */
export interface FreshnessRow {
  row: { document_id: string; updated_at: string };
  deleted?: boolean;
}

/**
 * Collects, over one sink run, each document's publish time: the greatest `updated_at` of its LIVE rows
 * the run wrote (every row of a publish carries the publish time, so that is the publish). Tombstones
 * are left out: they carry the last values of a row that is gone, not the time it went, so an
 * unpublish yields no sample. Not thread-safe; one per run.
 */
export class FreshnessTally {
  readonly #published = new Map<string, string>();

  /** Adds a batch of changes the run applied. */
  add(changes: Iterable<FreshnessRow>): void {
    for (const change of changes) {
      if (change.deleted) continue;
      const documentId = change.row.document_id.toLowerCase();
      const seen = this.#published.get(documentId);
      // Same-format UTC timestamps ('YYYY-MM-DD HH:MM:SS.ffffff') compare as text.
      if (seen === undefined || change.row.updated_at > seen) this.#published.set(documentId, change.row.updated_at);
    }
  }

  get size(): number {
    return this.#published.size;
  }

  entries(): { documentIds: string[]; publishedAt: string[] } {
    return { documentIds: [...this.#published.keys()], publishedAt: [...this.#published.values()] };
  }
}

const RECORD_SQL = `
  WITH pruned AS (
    DELETE FROM mobius_freshness_samples WHERE visible_at < now() - make_interval(secs => $4)
  )
  INSERT INTO mobius_freshness_samples (sink, document_id, mart_run_id, published_at, visible_at)
  SELECT $1, s.document_id, $2, s.published_at AT TIME ZONE 'UTC', clock_timestamp()
    FROM unnest($3::uuid[], $5::timestamp[]) AS s(document_id, published_at)`;

/**
 * Records the tally's samples for `sink` (visible = clock_timestamp(), so call it as the run's last
 * write, in its transaction) and deletes samples older than the retention, in one statement. Does
 * nothing for an empty tally (no delete either; the next run with samples prunes).
 */
export async function recordFreshnessSamples(
  client: pg.ClientBase,
  sink: string,
  martRunId: number | null,
  tally: FreshnessTally,
  retentionSeconds: number = FRESHNESS_SAMPLES_DEFAULTS.retentionSeconds,
): Promise<number> {
  if (tally.size === 0) return 0;
  const { documentIds, publishedAt } = tally.entries();
  const result = await client.query(RECORD_SQL, [sink, martRunId, documentIds, retentionSeconds, publishedAt]);
  return result.rowCount ?? 0;
}

import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import type { MartRun } from '../../types.ts';
import {
  anyColumnDiffers,
  assignFromExcluded,
  columnList,
  LANDING_BATCHES,
  LANDING_ROWS,
  MART_DOCUMENTS,
  MART_ROWS,
  MART_RUNS,
  MERGED_BATCHES,
} from './columns.ts';

/**
 * The mart merge, set-based: five statements over every pending document at once, in one transaction
 * under an advisory transaction lock, so runs are serialized and numbered in commit order.
 *
 * The run's pending set is fixed once, by recording it in merged_batches with the new run id (step 2);
 * every later step reads "the batches of this run" from there, so a landing that commits meanwhile is
 * neither half-merged nor marked merged: the next run's anti-join finds it.
 */

/** The key of the merge lock (transaction-scoped: released by COMMIT or ROLLBACK, never leaked). */
const MERGE_LOCK = `pg_advisory_xact_lock(hashtext('mobius.warehouse.merge'))`;

const UNMERGED = `NOT EXISTS (SELECT 1 FROM ${MERGED_BATCHES} mb WHERE mb.batch_id = lb.batch_id)`;

/** Step 1: the next run id (max + 1, gapless because a failed run rolls back), only if anything is pending. */
const OPEN_RUN = `
  INSERT INTO ${MART_RUNS} (run_id, started_at)
  SELECT coalesce((SELECT max(run_id) FROM ${MART_RUNS}), 0) + 1, now()
   WHERE EXISTS (SELECT 1 FROM ${LANDING_BATCHES} lb WHERE ${UNMERGED})
  RETURNING run_id`;

/** Step 2: every pending batch (anti-join) is recorded as merged by this run. */
const RECORD_MERGED = `
  INSERT INTO ${MERGED_BATCHES} (batch_id, mart_run_id)
  SELECT lb.batch_id, $1 FROM ${LANDING_BATCHES} lb WHERE ${UNMERGED}`;

/**
 * Step 3: per document, this run's highest version wins, and becomes the document's current snapshot
 * only when it is newer than the one the mart holds. Older (or equal) snapshots stop here: merged,
 * changing nothing. The documents advanced are those whose mart_documents.mart_run_id is this run.
 */
const ADVANCE_DOCUMENTS = `
  INSERT INTO ${MART_DOCUMENTS} AS d (document_id, document_version, batch_id, mart_run_id)
  SELECT DISTINCT ON (lb.document_id) lb.document_id, lb.document_version, lb.batch_id, $1
    FROM ${MERGED_BATCHES} mb JOIN ${LANDING_BATCHES} lb ON lb.batch_id = mb.batch_id
   WHERE mb.mart_run_id = $1
   ORDER BY lb.document_id, lb.document_version DESC
  ON CONFLICT (document_id) DO UPDATE
     SET document_version = EXCLUDED.document_version, batch_id = EXCLUDED.batch_id, mart_run_id = EXCLUDED.mart_run_id
   WHERE d.document_version < EXCLUDED.document_version`;

/**
 * Step 4: live rows of an advanced document whose id is absent from its winning batch become
 * tombstones (an empty winner tombstones them all). Runs before step 5 so that an id moving to another
 * document in the same run ends live.
 */
const TOMBSTONE_ABSENT = `
  UPDATE ${MART_ROWS} m
     SET deleted = true, mart_run_id = $1, document_version = d.document_version, batch_id = d.batch_id
    FROM ${MART_DOCUMENTS} d
   WHERE d.mart_run_id = $1 AND m.document_id = d.document_id AND NOT m.deleted
     AND NOT EXISTS (SELECT 1 FROM ${LANDING_ROWS} l WHERE l.batch_id = d.batch_id AND l.id = m.id)`;

/**
 * Step 5: the winners' rows are upserted where any of the 29 columns differs or the mart holds a
 * tombstone; rows equal in every column are not written and keep their mart_run_id. The embedding
 * compares as its float32 bytes (a memcmp; no parsing). DISTINCT ON (id)
 * keeps one source row should two documents of one run claim the same id (the higher version wins).
 */
const UPSERT_WINNERS = `
  INSERT INTO ${MART_ROWS} AS m (${columnList()}, document_version, deleted, mart_run_id, batch_id)
  SELECT DISTINCT ON (l.id) ${columnList('l')}, d.document_version, false, $1, d.batch_id
    FROM ${MART_DOCUMENTS} d JOIN ${LANDING_ROWS} l ON l.batch_id = d.batch_id
   WHERE d.mart_run_id = $1
   ORDER BY l.id, d.document_version DESC, d.document_id
  ON CONFLICT (id) DO UPDATE
     SET ${assignFromExcluded()}, document_version = EXCLUDED.document_version, deleted = false,
         mart_run_id = EXCLUDED.mart_run_id, batch_id = EXCLUDED.batch_id
   WHERE m.deleted OR ${anyColumnDiffers('m', 'EXCLUDED')}`;

/** Step 6: the run's counts. */
const FINISH_RUN = `
  UPDATE ${MART_RUNS}
     SET finished_at = clock_timestamp(), batches_merged = $2, documents = $3, rows_upserted = $4, rows_tombstoned = $5
   WHERE run_id = $1`;

async function runMerge(client: pg.PoolClient): Promise<MartRun | null> {
  await client.query(`SELECT ${MERGE_LOCK}`);
  const opened = await client.query<{ run_id: string }>(OPEN_RUN);
  const runId = opened.rows[0]?.run_id;
  if (runId === undefined) return null;
  const batchesMerged = (await client.query(RECORD_MERGED, [runId])).rowCount ?? 0;
  const documents = (await client.query(ADVANCE_DOCUMENTS, [runId])).rowCount ?? 0;
  const rowsTombstoned = (await client.query(TOMBSTONE_ABSENT, [runId])).rowCount ?? 0;
  const rowsUpserted = (await client.query(UPSERT_WINNERS, [runId])).rowCount ?? 0;
  await client.query(FINISH_RUN, [runId, batchesMerged, documents, rowsUpserted, rowsTombstoned]);
  return { runId: Number(runId), batchesMerged, documents, rowsUpserted, rowsTombstoned };
}

/**
 * Merges every pending landing batch as one mart run, or returns null when none is pending. A second
 * concurrent caller waits on the lock, then merges what is left (often nothing). READ COMMITTED is
 * required: each statement after the lock must see the runs committed while this one waited.
 */
export function mergePendingBatches(pool: pg.Pool): Promise<MartRun | null> {
  return withTransaction(pool, runMerge, { isolation: 'READ COMMITTED' });
}

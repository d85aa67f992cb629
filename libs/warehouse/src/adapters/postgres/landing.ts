import type { PublishedRow } from '@mobius/contracts';
import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import { landableRows, landingBatchId, validateHeader } from '../../snapshot.ts';
import type { LandedBatch, SnapshotToLand } from '../../types.ts';
import { BATCH_PARAM_COUNT, batchParams, batchRowsSql, columnList, LANDING_BATCHES, LANDING_ROWS } from './columns.ts';
import { rowsRejected } from './pg-errors.ts';

export interface LandingOptions {
  embeddingDimensions: number;
  /** Most rows sent in one INSERT; a larger batch from the caller is split. */
  insertChunkRows: number;
}

/**
 * One INSERT per chunk: the rows travel as one array parameter per column (the embeddings as one
 * binary buffer) and `unnest` turns them back into rows, so the statement has the same few parameters
 * whatever the chunk size (no 65,535-parameter limit, one plan) and the server takes the chunk in one
 * round trip.
 */
const INSERT_ROWS = `
  INSERT INTO ${LANDING_ROWS} (${columnList()}, batch_id, document_version)
  SELECT b.*, $${BATCH_PARAM_COUNT + 1}::uuid, $${BATCH_PARAM_COUNT + 2}::bigint
    FROM (${batchRowsSql(1)}) AS b`;

/**
 * Claims the batch: inserts its header unless it exists. A concurrent lander of the same batch waits
 * here on the primary key until the first commits. Returns the stored row count of an existing batch,
 * or null when this call claimed it.
 */
async function claimBatch(client: pg.PoolClient, snapshot: SnapshotToLand, batchId: string): Promise<number | null> {
  const inserted = await client.query(
    `INSERT INTO ${LANDING_BATCHES} (batch_id, document_id, document_version, publish_event_id, event_type, row_count)
     VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (batch_id) DO NOTHING`,
    [batchId, snapshot.documentId, snapshot.documentVersion, snapshot.publishEventId, snapshot.eventType],
  );
  if (inserted.rowCount === 1) return null;
  const existing = await client.query<{ row_count: number }>(`SELECT row_count FROM ${LANDING_BATCHES} WHERE batch_id = $1`, [batchId]);
  return existing.rows[0]?.row_count ?? 0;
}

async function insertRows(client: pg.PoolClient, snapshot: SnapshotToLand, batchId: string, rows: readonly PublishedRow[]): Promise<void> {
  try {
    await client.query(INSERT_ROWS, [...batchParams(rows), batchId, snapshot.documentVersion]);
  } catch (error) {
    throw rowsRejected(error, `snapshot of document ${snapshot.documentId} version ${snapshot.documentVersion}`);
  }
}

/** Lands one snapshot inside the caller's transaction, consuming its rows batch by batch. */
async function landOne(client: pg.PoolClient, snapshot: SnapshotToLand, options: LandingOptions): Promise<LandedBatch> {
  const batchId = landingBatchId(snapshot.documentId, snapshot.documentVersion);
  const landed = { batchId, documentId: snapshot.documentId.toLowerCase(), documentVersion: snapshot.documentVersion };
  const existingCount = await claimBatch(client, snapshot, batchId);
  if (existingCount !== null) return { ...landed, rowCount: existingCount, alreadyLanded: true };
  let rowCount = 0;
  for await (const rows of snapshot.rows) {
    const batch = landableRows(snapshot, rows, options.embeddingDimensions);
    for (let start = 0; start < batch.length; start += options.insertChunkRows) {
      await insertRows(client, snapshot, batchId, batch.slice(start, start + options.insertChunkRows));
    }
    rowCount += batch.length;
  }
  await client.query(`UPDATE ${LANDING_BATCHES} SET row_count = $2 WHERE batch_id = $1`, [batchId, rowCount]);
  return { ...landed, rowCount, alreadyLanded: false };
}

/**
 * Lands every snapshot in ONE transaction: all of them or, on any error (a row of another document,
 * a row the database refuses), none. A row with an unusable embedding is landed with a NULL one
 * (landableRows). A snapshot already landed, by an earlier call or earlier in this one, is reported
 * `alreadyLanded` and its rows are not read.
 */
export async function landSnapshots(pool: pg.Pool, snapshots: readonly SnapshotToLand[], options: LandingOptions): Promise<LandedBatch[]> {
  for (const snapshot of snapshots) validateHeader(snapshot);
  if (snapshots.length === 0) return [];
  return withTransaction(
    pool,
    async (client) => {
      const landed: LandedBatch[] = [];
      for (const snapshot of snapshots) landed.push(await landOne(client, snapshot, options));
      return landed;
    },
    { isolation: 'READ COMMITTED' },
  );
}

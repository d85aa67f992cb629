import type { BigQuery } from '@google-cloud/bigquery';
import type { PublishedRow } from '@mobius/contracts';
import { landableRows, landingBatchId, validateHeader } from '../../snapshot.ts';
import type { LandedBatch, SnapshotToLand } from '../../types.ts';
import { type InsertPolicy, insertAllExactly, type StreamedRow } from './insert-all.ts';
import { type JobOptions, runQuery } from './jobs.ts';
import { checkRowKeys, insertIdOf, landingRowJson } from './rows.ts';
import { existingBatchesQuery } from './sql.ts';
import { type Datasets, datasetOf, LANDING_BATCHES, LANDING_ROWS, type TableDefinition } from './tables.ts';

/**
 * Landing on BigQuery with the streaming API (tabledata.insertAll). BigQuery has no transaction over
 * streamed rows, so a snapshot's header row is its commit marker: its rows are streamed first, and
 * the headers of the whole call last (in as few requests as the size limit allows), once every row
 * was acknowledged. A merge only
 * reads snapshots whose header exists, and only the row ids that header lists; an attempt that failed
 * midway leaves rows no header names, which nothing ever reads. Landing never mutates anything.
 */

export interface LandingContext {
  client: BigQuery;
  datasets: Datasets;
  jobs: JobOptions;
  insert: InsertPolicy;
  embeddingDimensions: number;
  /** Most rows, and most bytes of row JSON, in one insertAll request (the API takes 10 MB). */
  insertChunkRows: number;
  insertChunkBytes: number;
  /** The landing time of a call (partition key of its rows and headers). */
  now: () => Date;
}

/** Splits rows into insertAll requests of at most `maxRows` rows and about `maxBytes` of JSON. */
export function* requestChunks(rows: readonly StreamedRow[], maxRows: number, maxBytes: number): Generator<StreamedRow[]> {
  let chunk: StreamedRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = Buffer.byteLength(JSON.stringify(row.json)) + row.insertId.length;
    if (chunk.length > 0 && (chunk.length >= maxRows || bytes + size > maxBytes)) {
      yield chunk;
      [chunk, bytes] = [[], 0];
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

async function stream(context: LandingContext, table: TableDefinition, rows: readonly StreamedRow[], where: string) {
  const target = context.client.dataset(datasetOf(context.datasets, table)).table(table.name);
  for (const chunk of requestChunks(rows, context.insertChunkRows, context.insertChunkBytes)) {
    await insertAllExactly(target, chunk, context.insert, where);
  }
}

/** The stored row count of each of `batchIds` already landed. */
async function landedCounts(context: LandingContext, batchIds: readonly string[]): Promise<Map<string, number>> {
  const lookup = existingBatchesQuery(context.datasets, [...new Set(batchIds)]);
  const { rows } = await runQuery(context.client, lookup, { ...context.jobs, purpose: 'landing_lookup', readRows: true });
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(String(row.batch_id), Number(row.row_count));
  return counts;
}

interface Landing {
  snapshot: SnapshotToLand;
  batchId: string;
  ingestedAt: string;
}

/** Validates and streams a snapshot's rows batch by batch; returns the ids it landed. */
async function streamRows(context: LandingContext, landing: Landing): Promise<string[]> {
  const { snapshot, batchId, ingestedAt } = landing;
  const where = `snapshot of document ${snapshot.documentId} version ${snapshot.documentVersion}`;
  const batch = { batchId, documentVersion: snapshot.documentVersion, ingestedAt };
  const seen = new Set<string>();
  for await (const received of snapshot.rows) {
    const rows = landableRows(snapshot, received, context.embeddingDimensions);
    checkRowKeys(snapshot, rows, seen);
    const streamed = rows.map((row: PublishedRow) => ({
      insertId: insertIdOf(batchId, row.id.toLowerCase()),
      json: landingRowJson(row, batch),
      label: `row ${row.id}`,
    }));
    await stream(context, LANDING_ROWS, streamed, where);
  }
  return [...seen];
}

function headerRow(landing: Landing, rowIds: readonly string[]): StreamedRow {
  const { snapshot, batchId, ingestedAt } = landing;
  return {
    insertId: insertIdOf(batchId, 'batch'),
    label: `header of document ${snapshot.documentId} version ${snapshot.documentVersion}`,
    json: {
      batch_id: batchId,
      document_id: snapshot.documentId.toLowerCase(),
      document_version: snapshot.documentVersion,
      publish_event_id: snapshot.publishEventId?.toLowerCase() ?? null,
      event_type: snapshot.eventType,
      row_count: rowIds.length,
      row_ids: rowIds,
      ingested_at: ingestedAt,
    },
  };
}

/**
 * Lands the snapshots: all headers are written at the end, so an error (a row of another document, a
 * row BigQuery or checkRowKeys refuses) leaves none of the call's snapshots landed. A row with an
 * unusable embedding is landed with its metadata and no vector (landableRows; see landingRowJson).
 * A snapshot already landed, earlier or earlier in this call, is reported `alreadyLanded` with its
 * stored count, and its rows are not read. Two instances landing the same new snapshot at the same
 * moment may both report `alreadyLanded: false`: both stream the same rows under the same insert ids,
 * and the merge reads the batch once.
 */
export async function landSnapshots(context: LandingContext, snapshots: readonly SnapshotToLand[]): Promise<LandedBatch[]> {
  for (const snapshot of snapshots) validateHeader(snapshot);
  if (snapshots.length === 0) return [];
  const batchIds = snapshots.map((snapshot) => landingBatchId(snapshot.documentId, snapshot.documentVersion));
  const counts = await landedCounts(context, batchIds);
  const ingestedAt = context.now().toISOString();
  const [landed, headers]: [LandedBatch[], StreamedRow[]] = [[], []];
  for (const [i, snapshot] of snapshots.entries()) {
    const batchId = batchIds[i] as string;
    const base = { batchId, documentId: snapshot.documentId.toLowerCase(), documentVersion: snapshot.documentVersion };
    const known = counts.get(batchId);
    if (known !== undefined) {
      landed.push({ ...base, rowCount: known, alreadyLanded: true });
      continue;
    }
    const landing = { snapshot, batchId, ingestedAt };
    const rowIds = await streamRows(context, landing);
    counts.set(batchId, rowIds.length);
    headers.push(headerRow(landing, rowIds));
    landed.push({ ...base, rowCount: rowIds.length, alreadyLanded: false });
  }
  if (headers.length > 0) await stream(context, LANDING_BATCHES, headers, `headers of ${headers.length} snapshots`);
  return landed;
}

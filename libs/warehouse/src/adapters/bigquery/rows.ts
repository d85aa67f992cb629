import { createHash } from 'node:crypto';
import { PUBLISHED_COLUMNS, type PublishedRow } from '@mobius/contracts';
import { InvalidSnapshotError, WAREHOUSE_ERROR_CODES as CODES } from '../../errors.ts';
import type { MartChange, SnapshotHeader } from '../../types.ts';

/**
 * The published row on BigQuery's wire: encoding for tabledata.insertAll, decoding of query results,
 * and the checks Postgres makes with its column types (uuid, primary key) that BigQuery's STRING
 * columns do not.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_COLUMNS = PUBLISHED_COLUMNS.filter((column) => column.kind === 'uuid').map((column) => column.name);

/**
 * The insert id of a streamed row: sha256 hex of `${batchId}:${key}`, where key is the row id (or
 * `batch` for the snapshot's header). The same snapshot streamed again sends the same ids, so
 * BigQuery's insert-id dedup drops what an earlier attempt already landed.
 */
export function insertIdOf(batchId: string, key: string): string {
  return createHash('sha256').update(`${batchId}:${key}`).digest('hex');
}

function refused(header: SnapshotHeader, row: PublishedRow, reason: string): InvalidSnapshotError {
  const where = `row ${String(row.id)} of document ${header.documentId} version ${header.documentVersion}`;
  return new InvalidSnapshotError(CODES.rowRejected, `${where}: the warehouse refused a row: ${reason}`);
}

/**
 * Throws InvalidSnapshotError (WAREHOUSE_ROW_REJECTED) for a row Postgres would refuse by type or key:
 * a uuid column that is not a uuid, or an id already seen in this snapshot (`seen` spans its batches).
 */
export function checkRowKeys(header: SnapshotHeader, rows: readonly PublishedRow[], seen: Set<string>): void {
  for (const row of rows) {
    for (const name of UUID_COLUMNS) {
      const value: unknown = row[name];
      if (typeof value !== 'string' || !UUID.test(value)) throw refused(header, row, `${name} is not a uuid`);
    }
    const id = row.id.toLowerCase();
    if (seen.has(id)) throw refused(header, row, `id ${id} appears twice in the snapshot`);
    seen.add(id);
  }
}

/**
 * A landing row's JSON: the 29 columns (uuids lowercased, as Postgres returns them) and the batch's.
 * A NULL embedding (an unusable one, see landableRows) is sent as the empty array: a REPEATED column
 * cannot hold NULL (insertAll refuses it), and BigQuery reads a NULL array as empty anyway.
 * toMartChange turns it back into null.
 */
export function landingRowJson(row: PublishedRow, batch: { batchId: string; documentVersion: number; ingestedAt: string }): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const column of PUBLISHED_COLUMNS) {
    const value: unknown = row[column.name];
    if (column.kind === 'vector') json[column.name] = value ?? [];
    else json[column.name] = column.kind === 'uuid' && typeof value === 'string' ? value.toLowerCase() : (value ?? null);
  }
  return { ...json, batch_id: batch.batchId, document_version: batch.documentVersion, ingested_at: batch.ingestedAt };
}

/** A stored embedding as the port returns it: the empty array (how BigQuery holds NULL) is null. */
const embeddingOf = (value: unknown): unknown => (Array.isArray(value) && value.length === 0 ? null : (value ?? null));

/**
 * A mart row read by changesPageQuery as a MartChange (numbers and timestamps already in shape). An
 * empty embedding, which is how the mart holds an unusable one (landingRowJson), comes back as null.
 */
export function toMartChange(record: Record<string, unknown>): MartChange {
  const row = Object.fromEntries(
    PUBLISHED_COLUMNS.map((column) => [column.name, column.kind === 'vector' ? embeddingOf(record[column.name]) : (record[column.name] ?? null)]),
  );
  return {
    row: row as unknown as PublishedRow,
    deleted: record.deleted === true,
    documentVersion: Number(record.document_version),
    martRunId: Number(record.mart_run_id),
  };
}

import type { PublishedRow } from '@mobius/contracts';
import type pg from 'pg';
import { InvalidArgumentError } from '../../errors.ts';
import type { MartChange, ReadMartChangesOptions } from '../../types.ts';
import { MART_ROWS, MART_RUNS, selectRowColumns } from './columns.ts';
import { decodeEmbedding } from './embedding-bytes.ts';

/**
 * One page of the keyset scan: rows whose mart_run_id is in (after, upTo] and whose (mart_run_id, id)
 * follows the last one seen, in that order, served by the (mart_run_id, id) index. Each page is its
 * own statement: no transaction or cursor is held while the caller applies a page. Without the
 * embedding, the column is not read: its bytes are not fetched from TOAST nor sent.
 */
function pageQuery(options: { embedding: boolean }): string {
  return `
  SELECT ${selectRowColumns('m', options)}, m.deleted, m.document_version::text AS document_version,
         m.mart_run_id::text AS mart_run_id
    FROM ${MART_ROWS} m
   WHERE m.mart_run_id > $1 AND m.mart_run_id <= $2
     AND (m.mart_run_id, m.id) > ($3::bigint, $4::uuid)
   ORDER BY m.mart_run_id, m.id
   LIMIT $5`;
}

const PAGE_WITH_EMBEDDING = pageQuery({ embedding: true });
const PAGE_WITHOUT_EMBEDDING = pageQuery({ embedding: false });

/** Below every uuid: the keyset's starting point. */
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/** A page row as the driver returns it: the embedding as its stored bytes, or absent when not read. */
type PageRow = Omit<PublishedRow, 'embedding'> & {
  embedding?: Buffer | null;
  deleted: boolean;
  document_version: string;
  mart_run_id: string;
};

function toChange(record: PageRow): MartChange {
  const { deleted, document_version, mart_run_id, embedding, ...columns } = record;
  const row: PublishedRow = { ...columns, embedding: embedding == null ? null : decodeEmbedding(embedding) };
  return { row, deleted, documentVersion: Number(document_version), martRunId: Number(mart_run_id) };
}

function checkRange(afterRunId: number, upToRunId: number, batchSize: number): void {
  if (!Number.isSafeInteger(afterRunId) || afterRunId < 0) {
    throw new InvalidArgumentError(`afterRunId must be a non-negative integer, got ${afterRunId}`);
  }
  if (!Number.isSafeInteger(upToRunId) || upToRunId < 0) {
    throw new InvalidArgumentError(`upToRunId must be a non-negative integer, got ${upToRunId}`);
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`);
  }
}

/**
 * Yields the mart rows changed by runs in (afterRunId, upToRunId], at most `batchSize` per page, ordered
 * by (martRunId, id), each id once. The mart keeps only each id's current state, so an id changed again
 * by a run after `upToRunId` is not in this range: it comes with that later run's range instead.
 * With `embedding: false` every row's embedding is null (the column is not read).
 */
export async function* readMartChanges(
  pool: pg.Pool,
  afterRunId: number,
  upToRunId: number,
  batchSize: number,
  options: ReadMartChangesOptions = {},
): AsyncGenerator<MartChange[]> {
  checkRange(afterRunId, upToRunId, batchSize);
  const page = options.embedding === false ? PAGE_WITHOUT_EMBEDDING : PAGE_WITH_EMBEDDING;
  // Clamped to the runs committed now: a run committing mid-read would move rows already yielded
  // behind the cursor, and they would come twice.
  const upTo = Math.min(upToRunId, await latestMartRunId(pool));
  let cursor: { runId: string; id: string } = { runId: String(afterRunId), id: FIRST_ID };
  for (;;) {
    const { rows } = await pool.query<PageRow>(page, [afterRunId, upTo, cursor.runId, cursor.id, batchSize]);
    if (rows.length === 0) return;
    yield rows.map(toChange);
    const last = rows[rows.length - 1] as PageRow;
    if (rows.length < batchSize) return;
    cursor = { runId: last.mart_run_id, id: last.id };
  }
}

/** The highest committed run id, 0 before the first run. */
export async function latestMartRunId(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ run_id: string }>(`SELECT coalesce(max(run_id), 0)::text AS run_id FROM ${MART_RUNS}`);
  return Number(result.rows[0]?.run_id ?? 0);
}

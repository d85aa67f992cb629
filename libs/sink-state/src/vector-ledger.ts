import { VECTOR_HASH_CATALOGUE, vectorRowHashSql, type PublishedRow } from '@mobius/contracts';
import { arrayType } from './chat-rows.ts';
import type pg from 'pg';

/**
 * The vector ledger (Chat migration 005, docs/reconcile.md): every datapoint written to the vector
 * index, with the hash of its row's datapoint-defining columns (vectorRowHashSql). vertex-sync and
 * repairs write it in the same transaction as their versions; checks read it because Vertex Vector
 * Search cannot list what it holds. Every function runs on the caller's client and transaction.
 */

/** A ledger entry as checks read it, ordered by id. */
export interface LedgerEntry {
  id: string;
  documentId: string;
  hash: string;
}

const HASHED = VECTOR_HASH_CATALOGUE;
const RECORD_WRITTEN = `
  INSERT INTO mobius_vector_ledger (datapoint_id, document_id, row_hash, written_at)
  SELECT r."id", r."document_id", ${vectorRowHashSql('r', 'timestamp')}, now()
    FROM unnest(${HASHED.map((c, i) => `$${i + 1}::${arrayType(c)}`).join(', ')})
         AS r(${HASHED.map((c) => `"${c.name}"`).join(', ')})
  ON CONFLICT (datapoint_id) DO UPDATE
     SET document_id = EXCLUDED.document_id, row_hash = EXCLUDED.row_hash, written_at = EXCLUDED.written_at`;

/** Records datapoints upserted into the index, from the rows they were built from. */
export async function recordLedgerWrites(client: pg.ClientBase, rows: readonly PublishedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const params = HASHED.map((column) => rows.map((row) => row[column.name] ?? null));
  await client.query(RECORD_WRITTEN, params);
}

/** Records datapoints removed from the index. */
export async function recordLedgerRemovals(client: pg.ClientBase, datapointIds: readonly string[]): Promise<void> {
  if (datapointIds.length === 0) return;
  await client.query('DELETE FROM mobius_vector_ledger WHERE datapoint_id = ANY($1::uuid[])', [datapointIds]);
}

/** The ledger's ids of these documents. */
export async function ledgerIdsOfDocuments(client: pg.ClientBase, documentIds: readonly string[]): Promise<string[]> {
  if (documentIds.length === 0) return [];
  const result = await client.query<{ id: string }>('SELECT datapoint_id::text AS id FROM mobius_vector_ledger WHERE document_id = ANY($1::uuid[])', [
    documentIds,
  ]);
  return result.rows.map((row) => row.id);
}

/**
 * Seeds the ledger at cutover from Chat's published_rag_metadata: every id the old job wrote (Chat and
 * the index hold the same ids) that the ledger does not know yet, hashed from Chat's row as the old job
 * would have built its datapoint. Returns the entries added. Idempotent.
 */
export async function seedLedgerFromChat(client: pg.ClientBase): Promise<number> {
  const result = await client.query(
    `INSERT INTO mobius_vector_ledger (datapoint_id, document_id, row_hash, written_at)
     SELECT p.id, p.document_id, ${vectorHashOfChatRow('p')}, now() FROM published_rag_metadata p
     ON CONFLICT (datapoint_id) DO NOTHING`,
  );
  return result.rowCount ?? 0;
}

/** vectorRowHashSql over a Chat row (timestamptz columns): a datapoint written from it hashes the same. */
function vectorHashOfChatRow(alias: string): string {
  return vectorRowHashSql(alias, 'timestamptz');
}

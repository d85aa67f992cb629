import { vectorRowHashSql } from '@mobius/contracts';
import type { VectorIndex } from '@mobius/vector-index';
import type pg from 'pg';
import type { DriftTally } from './drift-tally.ts';
import { RECONCILE_DEFAULTS } from './deps.ts';
import { ledgerSource, streamHashedRows, type HashedRow } from './hashed-rows.ts';

/**
 * The ledger says what vertex-sync wrote; this confirms the index still holds it, by reading ids back
 * (the only way Vertex Vector Search answers what it holds). A random sample first; if any sampled id
 * is absent (an index wiped or swapped), every ledger id is read. An absent datapoint whose RAG row
 * matches the ledger counts as `missing` (one whose row differs was already counted `stale`).
 */
export async function verifyIndexPresence(
  deps: { rag: pg.Pool; chat: pg.Pool; index: VectorIndex },
  tally: DriftTally,
  options: { sample: number | 'all'; documentId?: string; pageSize: number },
): Promise<{ mode: 'sample' | 'all'; read: number; absent: number }> {
  let read = 0;
  if (options.sample !== 'all') {
    if (options.sample <= 0) return { mode: 'sample', read: 0, absent: 0 };
    const sample = await sampleLedger(deps.chat, options.sample, options.documentId);
    const absent = await absentFromIndex(deps.index, sample);
    read += sample.length;
    if (absent.length === 0) return { mode: 'sample', read, absent: 0 };
  }
  let absentTotal = 0;
  let page: HashedRow[] = [];
  const flush = async () => {
    const absent = await absentFromIndex(deps.index, page);
    read += page.length;
    absentTotal += absent.length;
    await countMissing(deps.rag, tally, absent);
    page = [];
  };
  for await (const entry of streamHashedRows(ledgerSource(deps.chat), options.pageSize, options.documentId)) {
    page.push(entry);
    if (page.length >= RECONCILE_DEFAULTS.readBatch * 10) await flush();
  }
  if (page.length > 0) await flush();
  return { mode: 'all', read, absent: absentTotal };
}

async function sampleLedger(chat: pg.Pool, size: number, documentId?: string): Promise<HashedRow[]> {
  const filter = documentId ? 'WHERE document_id = $2::uuid' : '';
  const result = await chat.query<{ id: string; document_id: string; hash: string }>(
    `SELECT datapoint_id::text AS id, document_id::text AS document_id, row_hash AS hash
       FROM mobius_vector_ledger ${filter} ORDER BY random() LIMIT $1`,
    documentId ? [size, documentId] : [size],
  );
  return result.rows.map((row) => ({ id: row.id, documentId: row.document_id, hash: row.hash }));
}

/** The entries whose datapoint the index does not hold. */
async function absentFromIndex(index: VectorIndex, entries: readonly HashedRow[]): Promise<HashedRow[]> {
  const absent: HashedRow[] = [];
  for (let start = 0; start < entries.length; start += RECONCILE_DEFAULTS.readBatch) {
    const chunk = entries.slice(start, start + RECONCILE_DEFAULTS.readBatch);
    const present = new Set((await index.readDatapoints(chunk.map((entry) => entry.id))).map((d) => d.datapointId));
    for (const entry of chunk) if (!present.has(entry.id)) absent.push(entry);
  }
  return absent;
}

/** Absent datapoints whose RAG row still hashes as the ledger says: missing from the index. */
async function countMissing(rag: pg.Pool, tally: DriftTally, absent: readonly HashedRow[]): Promise<void> {
  if (absent.length === 0) return;
  const result = await rag.query<{ id: string; hash: string }>(
    `SELECT r.id::text AS id, ${vectorRowHashSql('r', 'timestamp')} AS hash
       FROM rag_published_embeddings r WHERE r.id = ANY($1::uuid[])`,
    [absent.map((entry) => entry.id)],
  );
  const ragHash = new Map(result.rows.map((row) => [row.id, row.hash]));
  for (const entry of absent) if (ragHash.get(entry.id) === entry.hash) tally.add('missing', entry.documentId);
}

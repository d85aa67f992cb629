import { chatRowHashSql, vectorRowHashSql } from '@mobius/contracts';
import type pg from 'pg';

/** One row as a check sees it: its id, its document and its hash. Never the row itself. */
export interface HashedRow {
  id: string;
  documentId: string;
  hash: string;
}

/** Where a check reads hashed rows from, and which hash. */
export interface HashedRowSource {
  pool: pg.Pool;
  /** `FROM ...` target with alias `r`. */
  from: string;
  /** The hash expression over `r`. */
  hash: string;
  /** The id and document columns of `r`. */
  idColumn: string;
  documentColumn: string;
}

/** RAG's published rows, hashed as Chat's 28 columns or as the datapoint-defining columns. */
export function ragSource(pool: pg.Pool, target: 'chat' | 'vertex'): HashedRowSource {
  const hash = target === 'chat' ? chatRowHashSql('r', 'timestamp') : vectorRowHashSql('r', 'timestamp');
  return { pool, from: 'rag_published_embeddings r', hash, idColumn: 'r.id', documentColumn: 'r.document_id' };
}

/** Chat's published_rag_metadata, hashed as its 28 columns. */
export function chatSource(pool: pg.Pool): HashedRowSource {
  return { pool, from: 'published_rag_metadata r', hash: chatRowHashSql('r', 'timestamptz'), idColumn: 'r.id', documentColumn: 'r.document_id' };
}

/** The vector ledger: what vertex-sync and repairs wrote to the index, with the hash they wrote. */
export function ledgerSource(pool: pg.Pool): HashedRowSource {
  return { pool, from: 'mobius_vector_ledger r', hash: 'r.row_hash', idColumn: 'r.datapoint_id', documentColumn: 'r.document_id' };
}

/**
 * Streams a source's hashed rows in id order, one keyset page (`id > last`, on the primary key) at a
 * time: constant memory whatever the table's size, and no long-running snapshot on a production table.
 * Rows committed during the pass may or may not be seen, as with any online check; a repair re-reads
 * each drifted document before it writes.
 */
export async function* streamHashedRows(
  source: HashedRowSource,
  pageSize: number,
  documentId?: string,
  signal?: AbortSignal,
): AsyncIterable<HashedRow> {
  const filter = documentId ? `AND ${source.documentColumn} = $3::uuid` : '';
  const sql = `SELECT ${source.idColumn}::text AS id, ${source.documentColumn}::text AS document_id, ${source.hash} AS hash
                 FROM ${source.from}
                WHERE ${source.idColumn} > $1::uuid ${filter}
                ORDER BY ${source.idColumn} LIMIT $2`;
  type Page = { id: string; document_id: string; hash: string }[];
  const fetchPage = async (after: string, first: boolean): Promise<Page> => {
    signal?.throwIfAborted();
    // The nil uuid is a valid id too: the first page includes it.
    const pageSql = first ? sql.replace(`${source.idColumn} > $1::uuid`, `${source.idColumn} >= $1::uuid`) : sql;
    const params: unknown[] = [after, pageSize];
    if (documentId) params.push(documentId);
    return (await source.pool.query<Page[number]>(pageSql, params)).rows;
  };
  // The next page is asked for as soon as this one arrives, so the database computes its hashes while
  // this page is merged (and while the other side's query runs on its own connection).
  let pending: Promise<Page> = fetchPage('00000000-0000-0000-0000-000000000000', true);
  for (;;) {
    const page = await pending;
    const full = page.length === pageSize;
    if (full) {
      pending = fetchPage(page[page.length - 1]!.id, false);
      // Observed here so an abandoned stream never leaves an unhandled rejection; awaited above next turn.
      pending.catch(() => undefined);
    }
    for (const row of page) yield { id: row.id, documentId: row.document_id, hash: row.hash };
    if (!full) return;
  }
}

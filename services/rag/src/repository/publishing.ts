import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import { optionalColumnsCache, type OptionalColumns, type OptionalColumnSql } from './optional-columns.ts';
import { ISO_UTC, OUTBOX_CHANNEL } from './sql.ts';
import type { DocumentVersionTx, NewPublishEvent, PublishEventRecord, PublishingStore } from './types.ts';

/**
 * Whether any stored embedding of the document's chunks is unusable, checked in one pass per embedding
 * by the jsonpath engine: not an array, the wrong length, or an element that is not a number or lies
 * beyond a double's range (a client would read it as Infinity). This runs on every publish, so it is
 * the cheap test; EMBEDDING_PROBLEMS_SQL then says what is wrong, only when something is.
 */
const ANY_EMBEDDING_PROBLEM_SQL = `
  SELECT EXISTS (
    SELECT 1
      FROM chunk_embeddings ce
      JOIN hierarchical_chunks hc ON hc.id = ce.source_id AND hc.document_id = ce.document_id
     WHERE ce.document_id = $1 AND ce.source_type = 'hierarchical'
       AND (ce.embedding IS NULL OR jsonb_typeof(ce.embedding) <> 'array'
            OR jsonb_array_length(ce.embedding) <> $2
            OR jsonb_path_exists(ce.embedding,
                 'strict $[*] ? (@.type() != "number" || !(@ <= 1.7976931348623157e308 && @ >= -1.7976931348623157e308))'))
  ) AS found`;

/**
 * Stored embeddings of the document's chunks that a publish would refuse, with the reason. CASE keeps
 * the array functions away from non-arrays; numbers beyond a double's range would become Infinity in a
 * client.
 */
const EMBEDDING_PROBLEMS_SQL = `
  SELECT id, problem FROM (
    SELECT ce.id,
           CASE
             WHEN ce.embedding IS NULL OR jsonb_typeof(ce.embedding) <> 'array' THEN 'is not an array of numbers'
             WHEN jsonb_array_length(ce.embedding) <> $2
               THEN 'has ' || jsonb_array_length(ce.embedding) || ' dimensions, expected ' || $2
             WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(ce.embedding) AS e(value)
                           WHERE jsonb_typeof(e.value) <> 'number'
                              OR abs((e.value #>> '{}')::numeric) > 1.7976931348623157e308)
               THEN 'holds a value that is not a finite number (NaN, null, text or out of range)'
           END AS problem
      FROM chunk_embeddings ce
      JOIN hierarchical_chunks hc ON hc.id = ce.source_id AND hc.document_id = ce.document_id
     WHERE ce.document_id = $1 AND ce.source_type = 'hierarchical'
  ) AS checked
  WHERE problem IS NOT NULL
  ORDER BY id
  LIMIT $3`;

/**
 * The 29 contract columns (docs/contracts.md, "The published row") plus the optional chunk tags, built in one statement.
 * Source columns the existing app's database may lack come from `optional` (NULL where absent).
 */
function insertPublishedRowsSql(optional: OptionalColumnSql): string {
  return `
  INSERT INTO rag_published_embeddings (
    id, document_id, source_type, source_id, embedding, model, created_at, text, page_number, paragraph_index,
    section_path, chapter_path, summary, document_filename, document_display_name, document_authority_level,
    document_effective_date, document_termination_date, document_payer, document_state, document_program,
    document_status, document_review_status, document_created_at, document_reviewed_at, document_reviewed_by,
    content_sha, updated_at, source_verification_status, chunk_d_tags, chunk_p_tags, chunk_j_tags)
  SELECT ce.id, d.id, 'hierarchical', hc.id, ce.embedding, ce.model, ce.created_at, hc.text, hc.page_number,
         hc.paragraph_index, coalesce(hc.section_path, ''), coalesce(hc.chapter_path, ''), coalesce(hc.summary, ''),
         d.filename, coalesce(d.display_name, ''), coalesce(d.authority_level, ''), coalesce(d.effective_date, ''),
         coalesce(d.termination_date, ''), coalesce(d.payer, ''), coalesce(d.state, ''), coalesce(d.program, ''),
         coalesce(d.status, ''), coalesce(d.review_status, ''), d.created_at,
         ${optional['documents.reviewed_at']}, ${optional['documents.reviewed_by']},
         s.content_sha, $2::timestamp, 'n/a', ${optional['hierarchical_chunks.chunk_d_tags']},
         ${optional['hierarchical_chunks.chunk_p_tags']}, ${optional['hierarchical_chunks.chunk_j_tags']}
    FROM chunk_embeddings ce
    JOIN hierarchical_chunks hc ON hc.id = ce.source_id AND hc.document_id = ce.document_id
    JOIN documents d ON d.id = ce.document_id
    JOIN unnest($3::uuid[], $4::text[]) AS s(source_id, content_sha) ON s.source_id = hc.id
   WHERE ce.document_id = $1 AND ce.source_type = 'hierarchical'`;
}

/** next = greatest(counter, number of events, greatest event version) + 1; the row is already locked. */
const ALLOCATE_VERSION_SQL = `
  UPDATE document_versions dv
     SET current_version = greatest(dv.current_version, e.events, e.max_version) + 1, updated_at = now()
    FROM (SELECT count(*) AS events, coalesce(max(document_version), 0) AS max_version
            FROM publish_events WHERE document_id = $1) AS e
   WHERE dv.document_id = $1
  RETURNING dv.current_version`;

/** One publish/unpublish/delete transaction of one document (see DocumentVersionTx). */
class PgDocumentVersionTx implements DocumentVersionTx {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly documentId: string,
    private readonly optionalColumns: OptionalColumns,
  ) {}

  async lockDocument() {
    const result = await this.client.query('SELECT 1 FROM documents WHERE id = $1 FOR SHARE', [this.documentId]);
    return result.rowCount === 1;
  }

  async findEmbeddingProblems(dimensions: number, limit: number) {
    const any = await this.client.query<{ found: boolean }>(ANY_EMBEDDING_PROBLEM_SQL, [this.documentId, dimensions]);
    if (!any.rows[0]?.found) return [];
    const result = await this.client.query(EMBEDDING_PROBLEMS_SQL, [this.documentId, dimensions, limit]);
    return result.rows.map((row) => ({ embeddingId: row.id as string, problem: row.problem as string }));
  }

  async listPublishableChunks() {
    const result = await this.client.query(
      `SELECT hc.id, hc.text FROM chunk_embeddings ce
         JOIN hierarchical_chunks hc ON hc.id = ce.source_id AND hc.document_id = ce.document_id
        WHERE ce.document_id = $1 AND ce.source_type = 'hierarchical'`,
      [this.documentId],
    );
    return result.rows.map((row) => ({ sourceId: row.id as string, text: row.text as string }));
  }

  async allocateVersion() {
    const result = await this.client.query(ALLOCATE_VERSION_SQL, [this.documentId]);
    return Number(result.rows[0].current_version);
  }

  async now() {
    const result = await this.client.query(`SELECT (clock_timestamp() AT TIME ZONE 'utc')::text AS now`);
    return result.rows[0].now as string;
  }

  async replacePublishedRows(publishedAt: string, contentShas: Map<string, string>) {
    await this.deletePublishedRows();
    const params = [this.documentId, publishedAt, [...contentShas.keys()], [...contentShas.values()]];
    const sql = insertPublishedRowsSql(await this.optionalColumns(this.client));
    const result = await this.client.query(sql, params);
    return result.rowCount ?? 0;
  }

  async deletePublishedRows() {
    const result = await this.client.query('DELETE FROM rag_published_embeddings WHERE document_id = $1', [this.documentId]);
    return result.rowCount ?? 0;
  }

  async deleteDocument() {
    await this.client.query('DELETE FROM documents WHERE id = $1', [this.documentId]);
  }

  async insertEvent(event: NewPublishEvent) {
    await this.client.query(
      `INSERT INTO publish_events (id, document_id, published_at, published_by, rows_written, verification_passed,
                                   verification_message, event_type, document_version)
       VALUES ($1, $2, $3::timestamp, $4, $5, $6, $7, $8, $9)`,
      [
        event.id,
        this.documentId,
        event.publishedAt,
        event.publishedBy,
        event.rowsWritten,
        event.verificationPassed,
        event.verificationMessage,
        event.eventType,
        event.documentVersion,
      ],
    );
    await this.client.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, event.id]);
  }
}

function toEventRecord(row: Record<string, unknown>): PublishEventRecord {
  return {
    id: row.id as string,
    documentId: row.document_id as string,
    eventType: row.event_type as PublishEventRecord['eventType'],
    documentVersion: row.document_version === null ? null : Number(row.document_version),
    publishedAt: row.published_at as string,
    publishedBy: row.published_by as string | null,
    rowsWritten: row.rows_written as number,
    verificationPassed: row.verification_passed as boolean | null,
    verificationMessage: row.verification_message as string | null,
  };
}

/** The publishing side of the rag repository on `pool`. */
export function createPublishingStore(pool: pg.Pool): PublishingStore {
  const optionalColumns = optionalColumnsCache();
  return {
    withDocumentVersionLock: (documentId, work) =>
      withTransaction(pool, async (client) => {
        // Insert-or-lock: ON CONFLICT DO UPDATE locks the existing row; a concurrent first insert waits.
        await client.query(
          `INSERT INTO document_versions (document_id, current_version) VALUES ($1, 0)
           ON CONFLICT (document_id) DO UPDATE SET current_version = document_versions.current_version`,
          [documentId],
        );
        return work(new PgDocumentVersionTx(client, documentId, optionalColumns));
      }),

    async latestEvent(documentId) {
      const result = await pool.query(
        `SELECT id, document_id, event_type, document_version, to_char(published_at, '${ISO_UTC}') AS published_at,
                published_by, rows_written, verification_passed, verification_message
           FROM publish_events WHERE document_id = $1
          ORDER BY published_at DESC, document_version DESC NULLS LAST, id DESC
          LIMIT 1`,
        [documentId],
      );
      return result.rows[0] ? toEventRecord(result.rows[0]) : undefined;
    },

    async documentExists(documentId) {
      const result = await pool.query('SELECT 1 FROM documents WHERE id = $1', [documentId]);
      return result.rowCount === 1;
    },
  };
}

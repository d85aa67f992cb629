import type pg from 'pg';
import type { PublishedChunk, PublishedChunkReader } from './types.ts';

/**
 * Chat's read of `published_rag_metadata` for search, in chat's documented query shape
 * (docs/contracts.md, "Chat's database": hydrating vector hits by `id::text = ANY(ids)`), so it uses the same
 * plan the production chat app does. The one place this service writes SQL.
 */

/** Nulls become '' and 0: Chat's columns are nullable, RAG's convention is '' and 0 (docs/contracts.md, "The published row"). */
const HYDRATE_SQL = `
SELECT id::text                                  AS id,
       document_id::text                         AS document_id,
       source_type,
       source_id::text                           AS source_id,
       COALESCE(text, '')                        AS text,
       COALESCE(page_number, 0)                  AS page_number,
       COALESCE(paragraph_index, 0)              AS paragraph_index,
       COALESCE(section_path, '')                AS section_path,
       COALESCE(chapter_path, '')                AS chapter_path,
       COALESCE(summary, '')                     AS summary,
       COALESCE(document_display_name, '')       AS document_display_name,
       COALESCE(document_filename, '')           AS document_filename,
       COALESCE(document_payer, '')              AS document_payer,
       COALESCE(document_state, '')              AS document_state,
       COALESCE(document_program, '')            AS document_program,
       COALESCE(document_authority_level, '')    AS document_authority_level,
       COALESCE(document_effective_date, '')     AS document_effective_date,
       COALESCE(document_termination_date, '')   AS document_termination_date,
       to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at
  FROM published_rag_metadata
 WHERE id::text = ANY($1::text[])`;

/** Readiness: the database answers and the table chat reads exists (the chat migrations ran). */
const PING_SQL = 'SELECT 1 FROM published_rag_metadata LIMIT 1';

/** The PublishedChunkReader on `pool`. Ids are compared as lowercase text, as the index holds them. */
export function createPublishedChunkReader(pool: pg.Pool): PublishedChunkReader {
  return {
    async findByIds(ids) {
      if (ids.length === 0) return new Map();
      const { rows } = await pool.query<PublishedChunk>(HYDRATE_SQL, [ids.map((id) => id.toLowerCase())]);
      return new Map(rows.map((row) => [row.id, row]));
    },
    async ping() {
      await pool.query(PING_SQL);
    },
  };
}

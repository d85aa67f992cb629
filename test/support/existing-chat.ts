// Chat's database as Chat's own migrations leave it before its name-search migrations (its 058 trigram
// index and 059 doc-grain view): published_rag_metadata with Chat's 002 indexes and 029 columns, filled
// with `rows` generated rows. And a writer that keeps inserting and updating rows on its own connection,
// timing every statement, to show whether an index build makes Chat's writes wait.
import pg from 'pg';

export const EXISTING_CHAT_SCHEMA = `
  CREATE TABLE published_rag_metadata (
    id uuid PRIMARY KEY, document_id uuid NOT NULL, source_type text NOT NULL, source_id uuid NOT NULL, model text,
    created_at timestamptz NOT NULL, text text, page_number int, paragraph_index int, section_path text,
    chapter_path text, summary text, document_filename text, document_display_name text,
    document_authority_level text, document_effective_date text, document_termination_date text,
    document_payer text, document_state text, document_program text, document_status text,
    document_created_at timestamptz, document_review_status text, document_reviewed_at timestamptz,
    document_reviewed_by text, content_sha text NOT NULL, updated_at timestamptz NOT NULL,
    source_verification_status text);
  CREATE INDEX idx_published_rag_metadata_document_id ON published_rag_metadata (document_id);
  CREATE INDEX idx_published_rag_metadata_updated_at ON published_rag_metadata (updated_at);
  CREATE INDEX idx_published_rag_metadata_payer ON published_rag_metadata (document_payer);
  CREATE INDEX idx_published_rag_metadata_state ON published_rag_metadata (document_state);
  CREATE INDEX idx_published_rag_metadata_program ON published_rag_metadata (document_program);
  CREATE INDEX idx_published_rag_metadata_authority ON published_rag_metadata (document_authority_level);
  ALTER TABLE published_rag_metadata ADD COLUMN instant_rag boolean DEFAULT false;
  ALTER TABLE published_rag_metadata ADD COLUMN verification_tier text DEFAULT 'verified';
  ALTER TABLE published_rag_metadata ADD COLUMN agent_scope_tags jsonb DEFAULT '[]';
  ALTER TABLE published_rag_metadata ADD COLUMN expires_at timestamptz;
  CREATE TABLE sync_runs (run_id uuid PRIMARY KEY, started_at timestamptz NOT NULL, finished_at timestamptz,
    mart_rows_read int, postgres_rows_written int, vector_rows_upserted int, status text NOT NULL, error_message text);
  CREATE INDEX idx_sync_runs_started_at ON sync_runs (started_at DESC);`;

/** Chunk-grain rows of ~rows/200 documents with realistic names (what the trigram index covers). */
export function fillChatRowsSql(rows: number, from = 1): string {
  return `
    INSERT INTO published_rag_metadata (id, document_id, source_type, source_id, created_at, text, page_number,
      paragraph_index, document_filename, document_display_name, document_payer, document_state, content_sha, updated_at)
    SELECT gen_random_uuid(), md5('doc' || (g / 200))::uuid, 'hierarchical', gen_random_uuid(), now(),
           'Members must obtain prior authorization before service ' || g || '.', 1 + (g % 200) / 20, g % 20,
           'FL.UM.' || (g / 200) || '-' || substr(md5((g / 200)::text), 1, 6) || '.pdf',
           'Provider manual ' || (g / 200) || ' coverage policy ' || substr(md5((g / 200)::text), 1, 10),
           (ARRAY['Sunshine Health', 'Molina Healthcare', 'Humana', 'Aetna Better Health'])[1 + (g / 200) % 4],
           'FL', md5(g::text), now()
      FROM generate_series(${from}, ${from + rows - 1}) AS g`;
}

/** One write the writer made: when it started and ended (performance.now() ms) and what it was. */
export interface TimedWrite {
  op: 'insert' | 'update';
  startedAt: number;
  endedAt: number;
}

/** Every default of the writer, in one place. */
export const WRITER_DEFAULTS = {
  /** Pause between two writes, so the writer does not take a whole core from the build it watches. */
  pauseMs: 5,
} as const;

/**
 * Starts a writer that alternates an INSERT of a new row and an UPDATE of an existing one (each its
 * own autocommit statement, as chat-sync and Chat write) until `stop()`, which resolves with every
 * write it timed.
 */
export async function startChatWriter(databaseUrl: string, pauseMs: number = WRITER_DEFAULTS.pauseMs) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'chat-writer' });
  await client.connect();
  const { rows } = await client.query<{ id: string }>('SELECT id FROM published_rag_metadata LIMIT 100');
  const writes: TimedWrite[] = [];
  let stopping = false;
  const loop = (async () => {
    for (let n = 0; !stopping; n++) {
      const op = n % 2 === 0 ? 'insert' : 'update';
      const startedAt = performance.now();
      if (op === 'insert') {
        await client.query(
          `INSERT INTO published_rag_metadata (id, document_id, source_type, source_id, created_at, text,
             document_display_name, document_filename, document_payer, content_sha, updated_at)
           VALUES (gen_random_uuid(), gen_random_uuid(), 'hierarchical', gen_random_uuid(), now(), 'written meanwhile',
             'Concurrent writer manual ' || $1, 'writer-' || $1 || '.pdf', 'Sunshine Health', md5($1::text), now())`,
          [n],
        );
      } else {
        await client.query(
          `UPDATE published_rag_metadata SET document_display_name = 'Updated meanwhile ' || $2, updated_at = now()
            WHERE id = $1`,
          [rows[n % rows.length]!.id, n],
        );
      }
      writes.push({ op, startedAt, endedAt: performance.now() });
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    async stop(): Promise<TimedWrite[]> {
      stopping = true;
      await loop.finally(() => client.end());
      return writes;
    },
  };
}

/** The writes that ended inside [from, to] and the longest latency among those that overlapped it. */
export function writesDuring(writes: TimedWrite[], from: number, to: number) {
  const completed = writes.filter((w) => w.endedAt > from && w.endedAt < to);
  const overlapping = writes.filter((w) => w.endedAt > from && w.startedAt < to);
  const maxLatencyMs = Math.max(0, ...overlapping.map((w) => w.endedAt - w.startedAt));
  return { completed, maxLatencyMs };
}

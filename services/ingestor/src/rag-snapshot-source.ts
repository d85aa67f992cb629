import { PUBLISHED_COLUMNS, type PublishedRow } from '@mobius/contracts';
import type { SnapshotToLand } from '@mobius/warehouse';
import type pg from 'pg';

/** Rows fetched per round trip from RAG: bounded memory whatever the document's size. */
export const SNAPSHOT_FETCH_ROWS = 500;

/** The latest publish event of a document, with the version RAG gives it. */
interface LatestEvent {
  id: string;
  event_type: 'published' | 'unpublished';
  version: string;
}

// The version of an event: our `document_version`, or for a row the existing RAG app wrote without it,
// its position in the document's publish history. The latest event is the one with the highest version.
const LATEST_EVENT_SQL = `
  WITH history AS (
    SELECT id, coalesce(event_type, 'published') AS event_type, document_version, published_at,
           row_number() OVER (ORDER BY published_at, id) AS position
      FROM publish_events WHERE document_id = $1)
  SELECT id, event_type, coalesce(document_version, position) AS version
    FROM history ORDER BY coalesce(document_version, position) DESC, published_at DESC, id DESC LIMIT 1`;

const SELECT_ROW_COLUMNS = PUBLISHED_COLUMNS.map((c) =>
  c.kind === 'timestamp' ? `${c.name}::text AS ${c.name}` : c.kind === 'uuid' ? `${c.name}::text AS ${c.name}` : c.name,
).join(', ');

/**
 * Reads documents' current snapshots from RAG: the latest publish event and the published rows, all
 * in ONE repeatable-read transaction, so rows and version always match (docs/architecture.md, "Why it stays correct" 3).
 * Rows stream through a cursor. Call `close()` once the snapshots have been consumed.
 */
export async function openSnapshots(client: pg.ClientBase, documentIds: string[]) {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const snapshots: SnapshotToLand[] = [];
  const missing: string[] = [];
  for (const [index, documentId] of documentIds.entries()) {
    const latest = (await client.query<LatestEvent>(LATEST_EVENT_SQL, [documentId])).rows[0];
    if (!latest) {
      missing.push(documentId);
      continue;
    }
    const gone = latest.event_type === 'unpublished';
    snapshots.push({
      documentId,
      documentVersion: Number(latest.version),
      publishEventId: latest.id,
      eventType: latest.event_type,
      rows: gone ? emptyRows() : streamRows(client, documentId, `mobius_snapshot_${index}`),
    });
  }
  return {
    snapshots,
    /** Documents with no publish event at all: deleted by the existing app; reconciliation catches those. */
    missing,
    close: async (failed: boolean) => {
      await client.query(failed ? 'ROLLBACK' : 'COMMIT');
    },
  };
}

async function* emptyRows(): AsyncIterable<PublishedRow[]> {}

async function* streamRows(client: pg.ClientBase, documentId: string, cursor: string): AsyncIterable<PublishedRow[]> {
  await client.query(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR
       SELECT ${SELECT_ROW_COLUMNS} FROM rag_published_embeddings WHERE document_id = $1 ORDER BY id`,
    [documentId],
  );
  try {
    for (;;) {
      const batch = await client.query<PublishedRow>(`FETCH ${SNAPSHOT_FETCH_ROWS} FROM ${cursor}`);
      if (batch.rows.length > 0) yield batch.rows;
      // A short page is the last one: no round trip for the empty page after it (most documents fit in one).
      if (batch.rows.length < SNAPSHOT_FETCH_ROWS) return;
    }
  } finally {
    await client.query(`CLOSE ${cursor}`);
  }
}

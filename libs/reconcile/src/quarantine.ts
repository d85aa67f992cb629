import type pg from 'pg';

/**
 * publish_events the outbox relay set aside because the event schema refuses them (docs/poison-isolation.md):
 * nothing downstream ever hears of them, so a check reports them. 0 on a RAG database whose migrations
 * have not added the quarantine column yet.
 */
export async function quarantinedEventCount(rag: pg.Pool): Promise<number> {
  const column = await rag.query(
    `SELECT 1 FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'publish_events' AND column_name = 'relay_quarantined_at'`,
  );
  if (column.rowCount === 0) return 0;
  const result = await rag.query<{ count: string }>('SELECT count(*)::text AS count FROM publish_events WHERE relay_quarantined_at IS NOT NULL');
  return Number(result.rows[0]!.count);
}

import { openSinkStore, SINK_STORE_DEFAULTS, type SinkStore } from '@mobius/sink-state';
import type pg from 'pg';

/** This sink's name in mobius_sink_state, mobius_document_versions and sync_runs. */
export const CHAT_SYNC_SINK = 'chat-sync';

/** Every default of the store, in one place (the sink store's: docs/sinks.md). */
export const CHAT_STORE_DEFAULTS = SINK_STORE_DEFAULTS;

/** Chat's database as chat-sync sees it: the sink's state (watermark, versions, sync_runs) and Chat's view. */
export interface ChatStore extends SinkStore {
  /**
   * Refreshes chat's `published_rag_documents` view if it exists (concurrently where its unique index
   * allows, so chat's readers are not blocked). Returns false when there is no such view.
   */
  refreshDocumentsView(): Promise<boolean>;
}

const VIEW_EXISTS = `
  SELECT EXISTS (SELECT 1 FROM pg_matviews
                  WHERE schemaname = current_schema() AND matviewname = 'published_rag_documents') AS present`;

/** Postgres's code when a view cannot be refreshed concurrently (no unique index, or never populated). */
const OBJECT_NOT_IN_PREREQUISITE_STATE = '55000';

/** The ChatStore on a pg pool the caller owns (and ends). */
export function createChatStore(pool: pg.Pool, options: { lockWaitMs?: number } = {}): ChatStore {
  return {
    ...openSinkStore(pool, CHAT_SYNC_SINK, options),
    async refreshDocumentsView() {
      const exists = await pool.query<{ present: boolean }>(VIEW_EXISTS);
      if (!exists.rows[0]?.present) return false;
      try {
        await pool.query('REFRESH MATERIALIZED VIEW CONCURRENTLY published_rag_documents');
      } catch (error) {
        if ((error as { code?: string }).code !== OBJECT_NOT_IN_PREREQUISITE_STATE) throw error;
        await pool.query('REFRESH MATERIALIZED VIEW published_rag_documents');
      }
      return true;
    },
  };
}

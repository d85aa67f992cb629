import { openSinkStore, SINK_STORE_DEFAULTS as STORE_DEFAULTS, type SinkStore } from '@mobius/sink-state';
import type pg from 'pg';

export type { SinkStore };

/** This sink's name in mobius_sink_state, mobius_document_versions and sync_runs. */
export const VERTEX_SYNC_SINK = 'vertex-sync';

/** Every default of the store, in one place (the sink store's: docs/sinks.md). */
export const SINK_STORE_DEFAULTS = STORE_DEFAULTS;

/**
 * vertex-sync's durable state, which lives in Chat's database (Postgres in every environment), next
 * to chat-sync's: the sink store of @mobius/sink-state on a pg pool the caller owns (and ends).
 */
export function createSinkStore(pool: pg.Pool, options: { lockWaitMs?: number } = {}): SinkStore {
  return openSinkStore(pool, VERTEX_SYNC_SINK, options);
}

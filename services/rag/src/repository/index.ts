import type pg from 'pg';
import { createDocumentStore } from './documents.ts';
import { createOutboxStore } from './outbox.ts';
import { createPublishingStore } from './publishing.ts';
import type { RagRepository } from './types.ts';

export { countQuarantinedEvents, listQuarantinedEvents } from './outbox.ts';
export { OUTBOX_CHANNEL } from './sql.ts';
export type * from './types.ts';

/** The rag repository on `pool`: every SQL statement of the service goes through it. */
export function createRagRepository(pool: pg.Pool): RagRepository {
  return {
    documents: createDocumentStore(pool),
    publishing: createPublishingStore(pool),
    outbox: createOutboxStore(pool),
    ping: async () => {
      await pool.query('SELECT 1');
    },
  };
}

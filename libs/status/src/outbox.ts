import type { Queryable } from './deps.ts';
import { readPart } from './errors.ts';
import type { OutboxStatus } from './types.ts';

/**
 * RAG's transactional outbox (`publish_events`): rows not yet relayed (and not quarantined), the age
 * of the oldest of them (its `published_at`, UTC), and the rows the relay quarantined. One statement,
 * served by the relay's own partial indexes (rag migrations 002, 003).
 */
const OUTBOX_SQL = `
  SELECT count(*) FILTER (WHERE relayed_at IS NULL AND relay_quarantined_at IS NULL)::bigint AS unrelayed,
         extract(epoch FROM (now() AT TIME ZONE 'UTC')
                 - min(published_at) FILTER (WHERE relayed_at IS NULL AND relay_quarantined_at IS NULL))::float8 AS oldest,
         count(*) FILTER (WHERE relay_quarantined_at IS NOT NULL)::bigint AS quarantined
    FROM publish_events
   WHERE relayed_at IS NULL`;

export async function collectOutbox(rag: Queryable): Promise<OutboxStatus> {
  return readPart('RAG outbox (publish_events)', async () => {
    const { rows } = await rag.query<{ unrelayed: string; oldest: number | null; quarantined: string }>(OUTBOX_SQL);
    const row = rows[0];
    return {
      unrelayed: Number(row?.unrelayed ?? 0),
      oldest_unrelayed_seconds: row?.oldest === null || row?.oldest === undefined ? null : Math.max(0, Math.round(row.oldest * 10) / 10),
      quarantined: Number(row?.quarantined ?? 0),
    };
  });
}

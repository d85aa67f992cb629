import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import { ISO_UTC, OUTBOX_CHANNEL } from './sql.ts';
import type { OutboxBatch, OutboxEvent, OutboxListener, OutboxStore, QuarantinedEvent } from './types.ts';

/** How long the listener waits before reconnecting after its connection failed. */
const LISTEN_RECONNECT_MS = 1_000;

/**
 * Pending events (neither relayed nor quarantined) oldest first. Rows the existing RAG app writes have
 * only the 8 contract columns: they read as event_type 'published' (the column default) with no
 * version. An event waits while an older pending event of its document exists, even one another relay
 * holds (SKIP LOCKED hides it, the NOT EXISTS does not), so a document's events go out in order however
 * many relays run. A quarantined event is never claimed again and holds no later event back.
 */
const CLAIM_SQL = `
  SELECT pe.id, pe.document_id, pe.event_type, pe.document_version, pe.rows_written,
         to_char(pe.published_at, '${ISO_UTC}') AS published_at
    FROM publish_events pe
   WHERE pe.relayed_at IS NULL AND pe.relay_quarantined_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM publish_events older
                      WHERE older.document_id = pe.document_id
                        AND older.relayed_at IS NULL AND older.relay_quarantined_at IS NULL
                        AND (older.published_at, older.id) < (pe.published_at, pe.id))
   ORDER BY pe.published_at, pe.id
   LIMIT $1
   FOR UPDATE OF pe SKIP LOCKED`;

function toOutboxEvent(row: Record<string, unknown>): OutboxEvent {
  return {
    id: row.id as string,
    documentId: row.document_id as string,
    eventType: row.event_type as OutboxEvent['eventType'],
    documentVersion: row.document_version === null ? null : Number(row.document_version),
    publishedAt: row.published_at as string,
    rowsWritten: row.rows_written as number,
  };
}

function batchOn(client: pg.PoolClient): OutboxBatch {
  return {
    async markRelayed(eventIds) {
      if (eventIds.length === 0) return;
      await client.query('UPDATE publish_events SET relayed_at = now(), relay_error = NULL WHERE id = ANY($1::uuid[])', [eventIds]);
    },
    async recordFailure(eventId, error) {
      await client.query('UPDATE publish_events SET relay_attempts = relay_attempts + 1, relay_error = $2 WHERE id = $1', [eventId, error]);
    },
    async quarantine(eventId, reason) {
      await client.query('UPDATE publish_events SET relay_quarantined_at = now(), relay_error = $2 WHERE id = $1', [eventId, reason]);
    },
  };
}

/** Quarantined events, oldest quarantine first (the partial index idx_publish_events_quarantined). */
const QUARANTINED_SQL = `
  SELECT id::text, document_id::text, relay_error AS reason, relay_quarantined_at AS quarantined_at
    FROM publish_events
   WHERE relay_quarantined_at IS NOT NULL
   ORDER BY relay_quarantined_at, id
   LIMIT $1`;

/**
 * Up to `limit` quarantined `publish_events` rows: events the relay will never send because the event
 * schema refuses them (see OutboxBatch.quarantine). For operators: `mobius resync --check` reports them
 * and the rag service exports their count. Only reads; works on any rag database migrated to 003.
 */
export async function listQuarantinedEvents(pool: pg.Pool, limit: number): Promise<QuarantinedEvent[]> {
  const result = await pool.query(QUARANTINED_SQL, [limit]);
  return result.rows.map((row) => ({
    id: row.id as string,
    documentId: (row.document_id as string | null) ?? null,
    reason: (row.reason as string | null) ?? '',
    quarantinedAt: row.quarantined_at as Date,
  }));
}

/** How many `publish_events` rows are quarantined (the partial index idx_publish_events_quarantined). */
export async function countQuarantinedEvents(pool: pg.Pool): Promise<number> {
  const result = await pool.query('SELECT count(*)::int AS n FROM publish_events WHERE relay_quarantined_at IS NOT NULL');
  return result.rows[0].n as number;
}

/**
 * LISTENs on a connection of its own, held out of the pool until closed. When that connection fails
 * the error is reported and a new one is opened after a pause; the relay's polling covers the gap.
 */
class OutboxListenerConnection implements OutboxListener {
  private client: pg.PoolClient | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly onNotification = (message: pg.Notification) => {
    if (message.channel === OUTBOX_CHANNEL) this.onNotify();
  };
  private readonly onClientError = (error: Error) => this.fail(error);

  constructor(
    private readonly pool: pg.Pool,
    private readonly onNotify: () => void,
    private readonly onError: (error: Error) => void,
  ) {}

  async connect(): Promise<void> {
    try {
      const client = await this.pool.connect();
      if (this.closed) return client.release();
      this.client = client;
      this.client.on('notification', this.onNotification);
      this.client.on('error', this.onClientError);
      await this.client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.detach();
    if (!client) return;
    const unlisten = await client.query(`UNLISTEN ${OUTBOX_CHANNEL}`).then(
      () => undefined,
      (error: Error) => error,
    );
    client.release(unlisten);
  }

  /** Drops the failed connection (the pool discards it) and schedules a new one unless closed. */
  private fail(error: Error): void {
    this.detach()?.release(error);
    this.onError(error);
    if (!this.closed) this.retry = setTimeout(() => void this.connect(), LISTEN_RECONNECT_MS);
  }

  private detach(): pg.PoolClient | undefined {
    const client = this.client;
    this.client = undefined;
    client?.off('notification', this.onNotification);
    client?.off('error', this.onClientError);
    // A dropped connection can report a second error after we let it go; without a listener that
    // error would crash the process.
    client?.on('error', ignoreLateError);
    return client;
  }
}

/** Swallows errors a released LISTEN connection reports after it was given up (already handled). */
function ignoreLateError(): void {}

/** The outbox side of the rag repository on `pool`. */
export function createOutboxStore(pool: pg.Pool): OutboxStore {
  return {
    withUnrelayedBatch: (limit, work) =>
      withTransaction(pool, async (client) => {
        const claimed = await client.query(CLAIM_SQL, [limit]);
        return work(claimed.rows.map(toOutboxEvent), batchOn(client));
      }),
    countQuarantined: () => countQuarantinedEvents(pool),
    async listen(onNotify, onError) {
      const listener = new OutboxListenerConnection(pool, onNotify, onError);
      await listener.connect();
      return listener;
    },
  };
}

import type { Bus } from '@mobius/bus';
import { EVENTS, InvalidEventError, encodeEvent } from '@mobius/contracts';
import { registerOutboxQuarantineMetrics, type Logger, type OutboxQuarantineMetrics, type ServiceMetrics } from '@mobius/service';
import type { OutboxBatch, OutboxEvent, OutboxStore } from '../repository/types.ts';
import { WakeSignal } from './wake-signal.ts';

/** Every default of the relay, in one place. */
export const RELAY_DEFAULTS = {
  /** Events claimed per transaction. */
  batchSize: 100,
  /** Poll interval while idle: the existing RAG app writes events without notifying. */
  pollIntervalMs: 250,
  /** First pause after a failed batch; it doubles per consecutive failure up to `maxBackoffMs`. */
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  /** A publish the bus has not confirmed by then counts as failed (the event is retried). */
  publishTimeoutMs: 10_000,
} as const;

export interface OutboxRelayOptions {
  store: OutboxStore;
  bus: Bus;
  logger: Logger;
  /** Where the quarantine metrics are registered (once per registry); none without it. */
  metrics?: ServiceMetrics;
  batchSize?: number;
  pollIntervalMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  publishTimeoutMs?: number;
}

export interface OutboxRelay {
  /** Stops taking batches, lets the current batch finish and commit, closes the LISTEN connection. */
  stop(): Promise<void>;
}

/** The `rag.publish_events` message of one event: id = the event id, ordering key = the document. */
export function encodeOutboxEvent(event: OutboxEvent) {
  const encoded = encodeEvent(
    EVENTS.ragPublishEvent,
    {
      publish_event_id: event.id,
      document_id: event.documentId,
      event_type: event.eventType,
      document_version: event.documentVersion,
      published_at: event.publishedAt,
      // The existing app's column has no check; a negative count would be refused by the schema forever.
      rows_written: Math.max(0, event.rowsWritten),
    },
    { id: event.id, time: new Date(event.publishedAt) },
  );
  return { topic: EVENTS.ragPublishEvent.topic, orderingKey: event.documentId, ...encoded };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not confirmed within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const describeError = (error: unknown) => {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
};

interface BatchOutcome {
  claimed: number;
  failed: boolean;
  /** Events set aside in this pass: later events of their documents can be claimed at once. */
  quarantined: number;
}

/**
 * The message of `event`, or the reason it can never be one: the event schema refuses it (an id
 * Postgres takes as a uuid but RFC 4122 does not, a NULL document id, ...). Only a refusal of the
 * schema (InvalidEventError) counts; anything else is thrown as it is.
 */
function encodeOrRefuse(event: OutboxEvent): { message: ReturnType<typeof encodeOutboxEvent> } | { refused: string } {
  try {
    return { message: encodeOutboxEvent(event) };
  } catch (error) {
    if (error instanceof InvalidEventError) return { refused: error.message };
    throw error;
  }
}

/** The quarantine metrics of a registry, registered once even when several relays share it. */
const quarantineMetrics = new WeakMap<object, OutboxQuarantineMetrics>();

function metricsOf(options: OutboxRelayOptions): OutboxQuarantineMetrics | undefined {
  const registry = options.metrics?.registry;
  if (!registry) return undefined;
  let metrics = quarantineMetrics.get(registry);
  if (!metrics) {
    metrics = registerOutboxQuarantineMetrics(registry, () => options.store.countQuarantined());
    quarantineMetrics.set(registry, metrics);
  }
  return metrics;
}

type RelaySettings = { -readonly [K in keyof typeof RELAY_DEFAULTS]: number };

function settingsOf(options: OutboxRelayOptions): RelaySettings {
  return {
    batchSize: options.batchSize ?? RELAY_DEFAULTS.batchSize,
    pollIntervalMs: options.pollIntervalMs ?? RELAY_DEFAULTS.pollIntervalMs,
    initialBackoffMs: options.initialBackoffMs ?? RELAY_DEFAULTS.initialBackoffMs,
    maxBackoffMs: options.maxBackoffMs ?? RELAY_DEFAULTS.maxBackoffMs,
    publishTimeoutMs: options.publishTimeoutMs ?? RELAY_DEFAULTS.publishTimeoutMs,
  };
}

/** The relay's loop; see startOutboxRelay. */
class OutboxRelayLoop {
  private readonly settings: RelaySettings;
  private readonly metrics: OutboxQuarantineMetrics | undefined;
  private readonly signal = new WakeSignal();
  private stopping = false;
  private consecutiveFailures = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.settings = settingsOf(options);
    this.metrics = metricsOf(options);
  }

  wake(): void {
    this.signal.wake();
  }

  /** Runs passes until stopped: at once while batches come back full, else after the poll interval or a wake. */
  async run(): Promise<void> {
    while (!this.stopping) {
      const outcome = await this.options.store
        .withUnrelayedBatch(this.settings.batchSize, (events, batch) => this.sendBatch(events, batch))
        .catch((error: unknown) => {
          this.options.logger.error({ err: error }, 'outbox relay: batch failed; will retry');
          return { claimed: 0, failed: true, quarantined: 0 };
        });
      this.consecutiveFailures = outcome.failed ? this.consecutiveFailures + 1 : 0;
      if (outcome.failed) await this.signal.sleep(this.backoffMs(), false);
      else if (outcome.claimed < this.settings.batchSize && outcome.quarantined === 0) {
        await this.signal.sleep(this.settings.pollIntervalMs, true);
      }
    }
  }

  stop(): void {
    this.stopping = true;
    this.signal.stop();
  }

  private backoffMs(): number {
    const { initialBackoffMs, maxBackoffMs } = this.settings;
    return Math.min(initialBackoffMs * 2 ** (this.consecutiveFailures - 1), maxBackoffMs);
  }

  /**
   * Publishes the claimed events in order; quarantines those the event schema refuses and goes on;
   * stops at the first publish failure and records it.
   */
  private async sendBatch(events: OutboxEvent[], batch: OutboxBatch): Promise<BatchOutcome> {
    const sent: string[] = [];
    let quarantined = 0;
    for (const event of events) {
      const encoded = encodeOrRefuse(event);
      if ('refused' in encoded) {
        await this.quarantine(event, encoded.refused, batch);
        quarantined += 1;
        continue;
      }
      try {
        const publish = this.options.bus.publish(encoded.message);
        await withTimeout(publish, this.settings.publishTimeoutMs, `publish of event ${event.id}`);
        sent.push(event.id);
      } catch (error) {
        await batch.markRelayed(sent);
        await batch.recordFailure(event.id, describeError(error));
        this.options.logger.warn(
          { err: error, eventId: event.id, relayed: sent.length, attempt: this.consecutiveFailures + 1 },
          'outbox relay: publish failed; will retry',
        );
        return { claimed: events.length, failed: true, quarantined };
      }
    }
    await batch.markRelayed(sent);
    if (sent.length > 0) this.options.logger.debug({ relayed: sent.length }, 'outbox relay: events relayed');
    return { claimed: events.length, failed: false, quarantined };
  }

  private async quarantine(event: OutboxEvent, reason: string, batch: OutboxBatch): Promise<void> {
    await batch.quarantine(event.id, reason);
    this.metrics?.quarantined.inc();
    this.options.logger.warn(
      { eventId: event.id, documentId: event.documentId, reason },
      'outbox relay: event quarantined; the event schema refuses it, so it will never be relayed',
    );
  }
}

/**
 * The transactional outbox relay (docs/architecture.md, "Why it stays correct" 1). Each pass claims unrelayed
 * `publish_events` rows oldest first (FOR UPDATE SKIP LOCKED, so several rag instances share the
 * work), publishes them in order to `rag.publish_events`, and marks the sent ones relayed in the
 * same transaction. On the first failure it ends the pass (a document's later events never overtake
 * an earlier one), records `relay_attempts` and `relay_error` on that event, commits, and backs off
 * (doubling, capped). An event the event schema refuses can never be sent: it is quarantined
 * (`relay_quarantined_at`, the reason in `relay_error`, a warn log and a metric) in the same
 * transaction, and the pass goes on; it no longer holds back anything, and later events of its
 * document follow at once. A crash after publishing but before the commit sends again; the message id
 * (the event id) lets the bus drop the duplicate. Woken by LISTEN `mobius_outbox`, and polls too,
 * which is how it finds the rows the existing RAG app writes without notifying.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const loop = new OutboxRelayLoop(options);
  const listener = options.store.listen(
    () => loop.wake(),
    (error) => options.logger.warn({ err: error }, 'outbox relay: LISTEN connection failed; polling meanwhile'),
  );
  const running = loop.run();
  return {
    async stop() {
      loop.stop();
      await running;
      await (await listener).close();
    },
  };
}

import { createHash } from 'node:crypto';
import { currentTraceparent, type Bus, type Subscriber } from '@mobius/bus';
import { EVENTS, SUBSCRIPTIONS, TOPICS, decodeEvent, encodeEvent } from '@mobius/contracts';
import {
  MicroBatcher,
  buildServiceApp,
  consumerMetrics,
  registerPushEndpoint,
  type Logger,
  type ReadinessCheck,
  type ServiceMetrics,
} from '@mobius/service';
import type { LandedBatch, Warehouse } from '@mobius/warehouse';
import { ingestDocuments, type SnapshotSource } from './handlers/ingest-documents.ts';

export interface IngestorDeps {
  bus: Bus;
  warehouse: Warehouse;
  source: SnapshotSource;
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: ReadinessCheck[];
}

/** Events arriving within this window (or this many) land in one warehouse write. */
export const INGEST_BATCH = { maxItems: 200, maxWaitMs: 20 } as const;
/** Messages held at once: high, so that a burst can fill a batch. */
export const INGEST_CONCURRENCY = 256;

export function buildApp(deps: IngestorDeps) {
  const app = buildServiceApp({ logger: deps.logger, metrics: deps.metrics, readiness: deps.readiness });
  registerPushEndpoint(app, deps.bus); // BUS_MODE=push: the consumer's handler also answers POST /pubsub/push
  return app;
}

/** Announces landed batches; the message id is derived from them, so a retry is deduplicated. */
function announcer(bus: Bus) {
  return async (landed: LandedBatch[]) => {
    const batches = landed.map((b) => ({
      batch_id: b.batchId,
      document_id: b.documentId,
      document_version: b.documentVersion,
      row_count: b.rowCount,
    }));
    const id = createHash('sha256').update(batches.map((b) => b.batch_id).sort().join(',')).digest('hex');
    const traceparent = currentTraceparent();
    const event = encodeEvent(EVENTS.landingIngested, { batches }, { id, ...(traceparent ? { traceparent } : {}) });
    await bus.publish({ topic: TOPICS.landingIngested, ...event });
  };
}

/** Subscribes the ingestor to rag.publish_events: each event's document lands with its burst. */
export async function startConsumer(deps: IngestorDeps): Promise<Subscriber> {
  const ingestDeps = { ...deps, announce: announcer(deps.bus) };
  const batcher = new MicroBatcher<string>((ids) => ingestDocuments(ingestDeps, ids), INGEST_BATCH);
  const { name, topic } = SUBSCRIPTIONS.ingestor;
  await deps.bus.ensureSubscription(topic, name);
  return deps.bus.subscribe(
    topic,
    name,
    async (message) => {
      const event = decodeEvent(EVENTS.ragPublishEvent, message);
      await batcher.add(event.document_id);
    },
    { concurrency: INGEST_CONCURRENCY, middleware: [consumerMetrics(name, deps.metrics, deps.logger)] },
  );
}

import { randomUUID } from 'node:crypto';
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
import { captureTraceContext, withBatchSpan, type TraceContext } from '@mobius/telemetry';
import type { LandedBatch, Warehouse } from '@mobius/warehouse';
import type pg from 'pg';
import { ingestDocuments, type IngestDeps, type SnapshotSource } from './handlers/ingest-documents.ts';
import { openSnapshots } from './rag-snapshot-source.ts';

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

/**
 * The snapshot source on RAG's pool (`mobius start ingestor` and `mobius dev` share it): each `open`
 * takes one client for its repeatable-read snapshot and releases it when the snapshots are closed.
 */
export function ragSnapshotSource(ragPool: pg.Pool): SnapshotSource {
  return {
    async open(documentIds: string[]) {
      const client = await ragPool.connect();
      try {
        const opened = await openSnapshots(client, documentIds);
        return {
          ...opened,
          close: async (failed: boolean) => {
            try {
              await opened.close(failed);
            } finally {
              client.release();
            }
          },
        };
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
    },
  };
}

/**
 * Announces landed batches with an id unique per announcement: landing the same batches again (a
 * replay into a rebuilt warehouse) must trigger the mart-builder again, which an id derived from the
 * batches would prevent within the bus's dedupe window. A repeated announcement costs one no-op merge.
 */
function announcer(bus: Bus) {
  return async (landed: LandedBatch[]) => {
    const batches = landed.map((b) => ({
      batch_id: b.batchId,
      document_id: b.documentId,
      document_version: b.documentVersion,
      row_count: b.rowCount,
    }));
    const id = `landed-${randomUUID()}`;
    const traceparent = currentTraceparent();
    const event = encodeEvent(EVENTS.landingIngested, { batches }, { id, ...(traceparent ? { traceparent } : {}) });
    await bus.publish({ topic: TOPICS.landingIngested, ...event });
  };
}

/** One event waiting in the micro-batch: its document, and the trace context of its delivery. */
interface PendingDocument {
  documentId: string;
  trace: TraceContext;
}

/**
 * Lands one micro-batch in a span `ingestor batch` that links to every event's delivery span (the
 * child of the first one's, so a lone event's trace runs straight through); the landing_ingested
 * event it announces carries this span's context.
 */
function landBatch(deps: IngestDeps, metrics: ServiceMetrics) {
  return (pending: PendingDocument[]) => {
    metrics.batchSize.observe({ batch: 'ingestor' }, pending.length);
    const documentIds = pending.map((item) => item.documentId);
    return withBatchSpan(
      'ingestor batch',
      pending.map((item) => item.trace),
      () => ingestDocuments(deps, documentIds),
      {
        'mobius.documents': new Set(documentIds).size,
      },
    );
  };
}

/** Subscribes the ingestor to rag.publish_events: each event's document lands with its burst. */
export async function startConsumer(deps: IngestorDeps): Promise<Subscriber> {
  const ingestDeps = { ...deps, announce: announcer(deps.bus) };
  const batcher = new MicroBatcher<PendingDocument>(landBatch(ingestDeps, deps.metrics), INGEST_BATCH);
  const { name, topic } = SUBSCRIPTIONS.ingestor;
  await deps.bus.ensureSubscription(topic, name);
  return deps.bus.subscribe(
    topic,
    name,
    async (message) => {
      const event = decodeEvent(EVENTS.ragPublishEvent, message);
      await batcher.add({ documentId: event.document_id, trace: captureTraceContext() });
    },
    { concurrency: INGEST_CONCURRENCY, middleware: [consumerMetrics(name, deps.metrics, deps.logger)] },
  );
}

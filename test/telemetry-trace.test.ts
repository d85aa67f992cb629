// One publish traced through the whole pipeline, in process: the rag outbox relay, the ingestor, the
// mart-builder, chat-sync and vertex-sync on the memory bus, real Postgres (RAG, warehouse, Chat), the
// memory vector index, with tracing on and an in-memory span exporter (docs/architecture.md, "Telemetry").
import { randomUUID } from 'node:crypto';
import { createBus, type Bus, type Subscriber } from '@mobius/bus';
import { buildApp as buildChatSync, createChatStore } from '@mobius/chat-sync';
import { PUBLISHED_COLUMNS, TOPICS } from '@mobius/contracts';
import { createPool } from '@mobius/db';
import { createRagRepository, startOutboxRelay, type OutboxRelay } from '@mobius/rag';
import { createLogger, createMetrics, type ServiceMetrics } from '@mobius/service';
import { memorySpanExporter, startTelemetry, tracePort, type InMemorySpanExporter, type ReadableSpan, type Telemetry } from '@mobius/telemetry';
import { createVectorIndex, type VectorIndex } from '@mobius/vector-index';
import { buildApp as buildVertexSync, createSinkStore } from '@mobius/vertex-sync';
import { createWarehouse, type Warehouse } from '@mobius/warehouse';
import { publishedRow } from '@mobius/warehouse/testing';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ragSnapshotSource, startConsumer as startIngestor } from '../services/ingestor/src/app.ts';
import { startConsumer as startMartBuilder } from '../services/mart-builder/src/app.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { waitFor } from './support/processes.ts';

const DIMENSIONS = 8;
const ROWS = 3;
const databases = { rag: uniqueName('otel_rag'), warehouse: uniqueName('otel_wh'), chat: uniqueName('otel_chat') };
const logger = createLogger('telemetry-test', 'silent');
const metrics: Record<'ingestor' | 'martBuilder', ServiceMetrics> = {
  ingestor: createMetrics('ingestor'),
  martBuilder: createMetrics('mart-builder'),
};
const SPAN_KIND = { SERVER: 1, PRODUCER: 3, CONSUMER: 4 } as const;

let exporter: InMemorySpanExporter;
let telemetry: Telemetry;
let bus: Bus;
let warehouse: Warehouse;
let index: VectorIndex;
let relay: OutboxRelay;
const pools: pg.Pool[] = [];
const subscribers: Subscriber[] = [];
const apps: FastifyInstance[] = [];

/** Writes a document's rows and one publish event with plain SQL, as the existing RAG app does; the relay sends it. */
async function publishAsExistingApp(ragPool: pg.Pool): Promise<string> {
  const documentId = randomUUID();
  const names = PUBLISHED_COLUMNS.map((c) => c.name);
  for (let i = 0; i < ROWS; i += 1) {
    const row = publishedRow(documentId, {}, DIMENSIONS);
    const params = names.map((name) => (name === 'embedding' ? JSON.stringify(row.embedding) : row[name]));
    await ragPool.query(`INSERT INTO rag_published_embeddings (${names.join(', ')}) VALUES (${names.map((_, n) => `$${n + 1}`).join(', ')})`, params);
  }
  await ragPool.query(`INSERT INTO publish_events (id, document_id, published_at, rows_written) VALUES ($1, $2, now() AT TIME ZONE 'utc', $3)`, [
    randomUUID(),
    documentId,
    ROWS,
  ]);
  return documentId;
}

beforeAll(async () => {
  exporter = await memorySpanExporter();
  telemetry = await startTelemetry({ service: 'pipeline', env: {}, exporter });
  await createMigratedDatabase(databases.rag, 'rag');
  await createMigratedDatabase(databases.warehouse, 'warehouse');
  await createMigratedDatabase(databases.chat, 'chat');
  const pool = (database: string) => {
    const created = createPool(testDatabaseUrl(database), { applicationName: 'telemetry-test', max: 4 });
    pools.push(created);
    return created;
  };
  const ragPool = pool(databases.rag);
  // The ports wrapped as the services' main.ts wrap them.
  warehouse = tracePort(
    await createWarehouse({ kind: 'postgres', databaseUrl: testDatabaseUrl(databases.warehouse), embeddingDimensions: DIMENSIONS }),
    'warehouse',
  );
  index = tracePort(await createVectorIndex({ kind: 'memory', dimensions: DIMENSIONS }), 'vector-index');
  bus = await createBus({ kind: 'memory', topicPrefix: 'otel_' });

  const common = { bus, warehouse, logger, readiness: [] };
  subscribers.push(await startIngestor({ ...common, source: ragSnapshotSource(ragPool), metrics: metrics.ingestor }));
  subscribers.push(await startMartBuilder({ ...common, metrics: metrics.martBuilder }));
  apps.push(buildChatSync({ store: createChatStore(pool(databases.chat)), warehouse, bus, logger, metrics: createMetrics('chat-sync') }));
  apps.push(
    buildVertexSync({
      store: createSinkStore(pool(databases.chat)),
      warehouse,
      index,
      dimensions: DIMENSIONS,
      bus,
      logger,
      metrics: createMetrics('vertex-sync'),
    }),
  );
  for (const app of apps) await app.ready();
  relay = startOutboxRelay({ store: createRagRepository(ragPool).outbox, bus, logger });
});

afterAll(async () => {
  await relay?.stop();
  for (const app of apps) await app.close();
  for (const subscriber of subscribers) await subscriber.close();
  await bus?.close();
  await warehouse?.close();
  await index?.close();
  for (const pool of pools) await pool.end();
  await telemetry?.shutdown();
  await dropDatabases(Object.values(databases));
});

/** The spans of one trace, and how to walk them. */
function traceOf(spans: ReadableSpan[], traceId: string) {
  const inTrace = spans.filter((span) => span.spanContext().traceId === traceId);
  const byId = new Map(inTrace.map((span) => [span.spanContext().spanId, span]));
  const named = (name: string, subscription?: string) =>
    inTrace.filter(
      (span) => span.name === name && (subscription === undefined || span.attributes['messaging.destination.subscription.name'] === subscription),
    );
  const one = (name: string, subscription?: string): ReadableSpan => {
    const found = named(name, subscription);
    expect(
      found.map((span) => span.name),
      `${name} ${subscription ?? ''}`,
    ).toEqual([name]);
    return found[0]!;
  };
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  /** True when `ancestor` is `span`'s parent, grandparent, ... */
  const under = (span: ReadableSpan, ancestor: ReadableSpan): boolean => {
    for (let id = parentOf(span); id !== undefined; id = parentOf(byId.get(id)!)) {
      if (id === ancestor.spanContext().spanId) return true;
      if (!byId.has(id)) return false;
    }
    return false;
  };
  return { inTrace, one, parentOf, under };
}

const traceparentOf = (span: ReadableSpan) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
const linkedSpanIds = (span: ReadableSpan) => span.links.map((link) => link.context.spanId);

describe('OpenTelemetry across the pipeline', () => {
  it('gives one publish one trace, from the relay through the ingestor and mart-builder to chat-sync and vertex-sync', async () => {
    const documentId = await publishAsExistingApp(pools[0]!);
    await waitFor('the rows in Chat', async () => {
      const rows = await queryDatabase(databases.chat, 'SELECT count(*)::int AS n FROM published_rag_metadata WHERE document_id = $1', [documentId]);
      return rows[0]!.n === ROWS;
    });
    await waitFor('the datapoints in the index', async () => (await index.listDatapointIds()).length === ROWS);
    const finishedSync = () => exporter.getFinishedSpans().filter((s) => s.name === 'warehouse.mart_updated process').length === 2;
    await waitFor('both sinks done', async () => finishedSync());

    const spans = exporter.getFinishedSpans();
    const roots = spans.filter((span) => span.name === 'rag.publish_events publish');
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    expect(root.parentSpanContext).toBeUndefined(); // the relay's publish starts the trace
    expect(root.kind).toBe(SPAN_KIND.PRODUCER);
    const trace = traceOf(spans, root.spanContext().traceId);

    const ingest = trace.one('rag.publish_events process', 'ingestor');
    const batch = trace.one('ingestor batch');
    const landed = trace.one('warehouse.landing_ingested publish');
    const trigger = trace.one('warehouse.landing_ingested process', 'mart-builder');
    const run = trace.one('mart-builder run');
    const martUpdated = trace.one('warehouse.mart_updated publish');
    const chatSync = trace.one('warehouse.mart_updated process', 'chat-sync');
    const vertexSync = trace.one('warehouse.mart_updated process', 'vertex-sync');

    // Each hop is the child of the one before; the batch spans also link to every message they merged.
    expect(trace.parentOf(ingest)).toBe(root.spanContext().spanId);
    expect(ingest.kind).toBe(SPAN_KIND.CONSUMER);
    expect(trace.parentOf(batch)).toBe(ingest.spanContext().spanId);
    expect(linkedSpanIds(batch)).toEqual([ingest.spanContext().spanId]);
    expect(trace.parentOf(landed)).toBe(batch.spanContext().spanId);
    expect(trace.parentOf(trigger)).toBe(landed.spanContext().spanId);
    expect(trace.parentOf(run)).toBe(trigger.spanContext().spanId);
    expect(linkedSpanIds(run)).toEqual([trigger.spanContext().spanId]);
    expect(trace.parentOf(martUpdated)).toBe(run.spanContext().spanId);
    expect(trace.parentOf(chatSync)).toBe(martUpdated.spanContext().spanId);
    expect(trace.parentOf(vertexSync)).toBe(martUpdated.spanContext().spanId);
    for (const consumer of [ingest, trigger, chatSync, vertexSync]) expect(consumer.attributes['mobius.outcome']).toBe('ack');
    expect(ingest.attributes).toMatchObject({
      'messaging.system': 'mobius_memory',
      'messaging.destination.name': TOPICS.ragPublishEvents,
      'cloudevents.event_type': expect.any(String),
    });

    // No hop started a trace of its own: every messaging span of the run is in this one.
    const messaging = spans.filter((span) => span.kind === SPAN_KIND.PRODUCER || span.kind === SPAN_KIND.CONSUMER);
    expect(new Set(messaging.map((span) => span.spanContext().traceId))).toEqual(new Set([root.spanContext().traceId]));

    // The traceparent each message carries is its PRODUCER span's context.
    for (const [topic, producer] of [
      [TOPICS.ragPublishEvents, root],
      [TOPICS.landingIngested, landed],
      [TOPICS.martUpdated, martUpdated],
    ] as const) {
      const [message] = await bus.peek(topic, 10);
      expect(message?.attributes.traceparent, topic).toBe(traceparentOf(producer));
    }

    // Postgres and port spans, each under the hop that made the call.
    const pgUnder = (hop: ReadableSpan) => trace.inTrace.filter((span) => span.name.startsWith('pg.query') && trace.under(span, hop));
    for (const hop of [batch, run, chatSync, vertexSync]) expect(pgUnder(hop).length, `Postgres queries under ${hop.name}`).toBeGreaterThan(0);
    expect(trace.under(trace.one('warehouse landSnapshots'), batch)).toBe(true);
    expect(trace.under(trace.one('warehouse mergePendingBatches'), run)).toBe(true);
    expect(trace.inTrace.filter((span) => span.name === 'warehouse readMartChanges' && trace.under(span, chatSync))).not.toHaveLength(0);
    expect(trace.under(trace.one('vector-index upsertDatapoints'), vertexSync)).toBe(true);
  });

  it('counts handled messages, their end-to-end lag and the batch sizes per subscription', async () => {
    const handled = (await metrics.ingestor.messages.get()).values.filter((v) => v.labels.subscription === 'ingestor');
    expect(handled).toEqual([expect.objectContaining({ labels: { subscription: 'ingestor', outcome: 'ack' }, value: 1 })]);
    const lagCount = (await metrics.ingestor.eventLagSeconds.get()).values.find((v) => v.metricName === 'mobius_event_lag_seconds_count');
    expect(lagCount?.value).toBe(1);
    const batchCount = (await metrics.martBuilder.batchSize.get()).values.find((v) => v.metricName === 'mobius_batch_size_count');
    expect(batchCount).toMatchObject({ labels: { batch: 'mart-builder' }, value: 1 });
  });

  it('traces HTTP requests a service serves, but not its probes and scrapes', async () => {
    exporter.reset();
    const vertexSyncApp = apps[1]!;
    const base = await vertexSyncApp.listen({ port: 0, host: '127.0.0.1' });
    for (const path of ['/healthz', '/readyz', '/metrics', '/index/datapoints']) expect((await fetch(`${base}${path}`)).status, path).toBe(200);
    await waitFor('the request span', async () => exporter.getFinishedSpans().some((span) => span.kind === SPAN_KIND.SERVER));
    const served = exporter.getFinishedSpans().filter((span) => span.kind === SPAN_KIND.SERVER);
    expect(served.map((span) => [span.name, span.attributes['http.target'] ?? span.attributes['url.path']])).toEqual([['GET', '/index/datapoints']]);
  });

  it('records a dead-lettered event on its delivery span and in the dead-letter count', async () => {
    exporter.reset();
    const attributes = {
      'ce-type': 'mobius.rag.publish_event.v1',
      'ce-id': 'broken',
      'ce-source': 'test',
      'ce-specversion': '1.0',
      'ce-time': new Date().toISOString(),
    };
    await bus.publish({ topic: TOPICS.ragPublishEvents, id: 'broken', data: new TextEncoder().encode('{"not":"an event"}'), attributes });
    await waitFor('the dead-lettered delivery', async () =>
      exporter.getFinishedSpans().find((span) => span.name === 'rag.publish_events process' && span.attributes['mobius.outcome'] !== undefined),
    );
    const delivery = exporter.getFinishedSpans().find((span) => span.name === 'rag.publish_events process')!;
    expect(delivery.attributes['mobius.outcome']).toBe('dead_letter');
    expect(delivery.events.map((event) => event.name)).toEqual(['dead_lettered']);
    const dlq = exporter.getFinishedSpans().find((span) => span.name === `${TOPICS.ragPublishEvents}.dlq.ingestor publish`);
    expect(dlq?.spanContext().traceId).toBe(delivery.spanContext().traceId);
    const deadLettered = (await metrics.ingestor.messages.get()).values.find((v) => v.labels.outcome === 'dead_letter');
    expect(deadLettered?.value).toBe(1);
  });
});

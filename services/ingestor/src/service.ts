import { createServiceBus, createServiceWarehouse, describeWarehouse } from '@mobius/backends';
import type { Bus } from '@mobius/bus';
import { maskUrl } from '@mobius/config';
import { createPool } from '@mobius/db';
import { closeWithApp, createLogger, createMetrics, serviceInstance, startWithApp, type Logger, type ServiceInstance } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
import { buildApp, ragSnapshotSource, startConsumer } from './app.ts';
import type { IngestorConfig } from './config.ts';

const SERVICE = 'ingestor';

/** What `mobius dev` shares with the ingestor: its one bus and a logger. Never closed here. */
export interface IngestorShared {
  bus?: Bus;
  logger?: Logger;
}

/**
 * The ingestor's composition root (docs/architecture.md, "Composition roots"), for `mobius start
 * ingestor` and `mobius dev` alike: reads published snapshots from RAG, lands them in the warehouse and
 * announces them on the bus. Its consumer starts once the app is ready and drains when it closes,
 * before the bus (unless shared), the warehouse and the RAG pool close.
 */
export async function createService(config: IngestorConfig, shared: IngestorShared = {}): Promise<ServiceInstance> {
  const logger = shared.logger ?? createLogger(SERVICE, config.runtime.logLevel);
  const { pipeline } = config;
  const ragPool = createPool(config.ragDatabaseUrl, {
    applicationName: SERVICE,
    onIdleError: (err) => logger.warn({ err }, 'rag connection lost'),
  });
  // A start that fails here closes what it already opened; once the app exists, the app closes it.
  const warehouse = tracePort(
    await createServiceWarehouse(SERVICE, pipeline).catch(async (error: unknown) => {
      await ragPool.end();
      throw error;
    }),
    'warehouse',
  );
  const bus =
    shared.bus ??
    (await createServiceBus(SERVICE, pipeline.bus, logger).catch(async (error: unknown) => {
      await Promise.all([warehouse.close(), ragPool.end()]);
      throw error;
    }));
  const readiness = [
    { name: 'rag-postgres', check: async () => void (await ragPool.query('SELECT 1')) },
    { name: 'warehouse', check: async () => void (await warehouse.latestMartRunId()) },
    { name: 'bus', check: () => bus.ping() },
  ];
  const deps = { bus, warehouse, source: ragSnapshotSource(ragPool), logger, metrics: createMetrics(SERVICE), readiness };
  const app = buildApp(deps);
  closeWithApp(app, () => ragPool.end());
  closeWithApp(app, () => warehouse.close());
  if (!shared.bus) closeWithApp(app, () => bus.close());
  // Registered last: fastify closes it first, so the consumer drains before what it uses closes.
  startWithApp(
    app,
    () => startConsumer(deps),
    (subscriber) => subscriber.close(),
  );
  return serviceInstance(SERVICE, app, logger, {
    ragDatabase: maskUrl(config.ragDatabaseUrl),
    warehouse: describeWarehouse(pipeline.warehouse),
    bus: shared.bus ? 'shared' : pipeline.bus.kind,
    topicPrefix: pipeline.bus.topicPrefix,
  });
}

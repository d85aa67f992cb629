import { createBus } from '@mobius/bus';
import { loadBusConfig, loadPipelineConfig, loadRuntimeConfig } from '@mobius/config';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics, runService } from '@mobius/service';
import { createWarehouse } from '@mobius/warehouse';
import { buildApp, startConsumer } from './app.ts';
import { openSnapshots } from './rag-snapshot-source.ts';

const SERVICE = 'ingestor';
const runtime = loadRuntimeConfig(SERVICE, process.env, 8011);
const busConfig = loadBusConfig(SERVICE, process.env);
const pipeline = loadPipelineConfig(process.env);
const logger = createLogger(SERVICE, runtime.logLevel);
const metrics = createMetrics(SERVICE);

const ragPool = createPool(pipeline.ragDatabaseUrl, {
  applicationName: SERVICE,
  onIdleError: (err) => logger.warn({ err }, 'rag connection lost'),
});
const warehouse = await createWarehouse({
  kind: 'postgres',
  databaseUrl: pipeline.warehouseDatabaseUrl,
  embeddingDimensions: pipeline.env.EMBEDDING_DIMENSIONS,
});
const bus = await createBus({ kind: busKind(), natsUrl: busConfig.NATS_URL, topicPrefix: busConfig.TOPIC_PREFIX, logger });

function busKind(): 'nats' | 'memory' {
  if (busConfig.BUS === 'pubsub') throw new Error('BUS=pubsub is not available yet in this build');
  return busConfig.BUS;
}

const source = {
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

const readiness = [
  { name: 'rag-postgres', check: async () => void (await ragPool.query('SELECT 1')) },
  { name: 'warehouse', check: async () => void (await warehouse.latestMartRunId()) },
  { name: 'bus', check: () => bus.ping() },
];
const deps = { bus, warehouse, source, logger, metrics, readiness };
const app = buildApp(deps);
const subscriber = await startConsumer(deps);
await runService({
  name: SERVICE,
  app,
  port: runtime.port,
  host: runtime.host,
  logger,
  shutdown: async () => {
    await subscriber.close();
    await bus.close();
    await warehouse.close();
    await ragPool.end();
  },
});

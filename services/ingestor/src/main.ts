import { loadBusConfig, loadPipelineConfig, loadRuntimeConfig } from '@mobius/config';
import { createPool } from '@mobius/db';
import { createServiceBus, createServiceWarehouse } from '@mobius/backends';
import { createLogger, createMetrics, runService } from '@mobius/service';
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
const warehouse = await createServiceWarehouse(SERVICE, pipeline);
const bus = await createServiceBus(SERVICE, busConfig, logger);

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

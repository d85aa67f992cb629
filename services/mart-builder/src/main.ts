import { createBus } from '@mobius/bus';
import { loadBusConfig, loadPipelineConfig, loadRuntimeConfig } from '@mobius/config';
import { createLogger, createMetrics, runService } from '@mobius/service';
import { createWarehouse } from '@mobius/warehouse';
import { buildApp, startConsumer } from './app.ts';

const SERVICE = 'mart-builder';
const runtime = loadRuntimeConfig(SERVICE, process.env, 8012);
const busConfig = loadBusConfig(SERVICE, process.env);
const pipeline = loadPipelineConfig(process.env);
const logger = createLogger(SERVICE, runtime.logLevel);
const metrics = createMetrics(SERVICE);

if (busConfig.BUS === 'pubsub') throw new Error('BUS=pubsub is not available yet in this build');
const warehouse = await createWarehouse({
  kind: 'postgres',
  databaseUrl: pipeline.warehouseDatabaseUrl,
  embeddingDimensions: pipeline.env.EMBEDDING_DIMENSIONS,
});
const bus = await createBus({ kind: busConfig.BUS, natsUrl: busConfig.NATS_URL, topicPrefix: busConfig.TOPIC_PREFIX, logger });

const readiness = [
  { name: 'warehouse', check: async () => void (await warehouse.latestMartRunId()) },
  { name: 'bus', check: () => bus.ping() },
];
const deps = { bus, warehouse, logger, metrics, readiness };
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
  },
});

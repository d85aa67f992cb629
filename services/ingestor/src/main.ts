import { loadBusConfig, loadPipelineConfig, loadRuntimeConfig } from '@mobius/config';
import { createPool } from '@mobius/db';
import { createServiceBus, createServiceWarehouse } from '@mobius/backends';
import { createLogger, createMetrics, runService } from '@mobius/service';
import { startTelemetry, tracePort } from '@mobius/telemetry';
import { buildApp, ragSnapshotSource, startConsumer } from './app.ts';

const SERVICE = 'ingestor';
await startTelemetry({ service: SERVICE, env: process.env }); // first: tracing of pg and http is set up before any connection
const runtime = loadRuntimeConfig(SERVICE, process.env, 8011);
const busConfig = loadBusConfig(SERVICE, process.env);
const pipeline = loadPipelineConfig(process.env);
const logger = createLogger(SERVICE, runtime.logLevel);
const metrics = createMetrics(SERVICE);

const ragPool = createPool(pipeline.ragDatabaseUrl, {
  applicationName: SERVICE,
  onIdleError: (err) => logger.warn({ err }, 'rag connection lost'),
});
const warehouse = tracePort(await createServiceWarehouse(SERVICE, pipeline), 'warehouse');
const bus = await createServiceBus(SERVICE, busConfig, logger);

const source = ragSnapshotSource(ragPool);

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

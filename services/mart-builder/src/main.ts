import { loadBusConfig, loadPipelineConfig, loadRuntimeConfig } from '@mobius/config';
import { createServiceBus, createServiceWarehouse } from '@mobius/backends';
import { createLogger, createMetrics, runService } from '@mobius/service';
import { startTelemetry, tracePort } from '@mobius/telemetry';
import { buildApp, startConsumer } from './app.ts';

const SERVICE = 'mart-builder';
await startTelemetry({ service: SERVICE, env: process.env }); // first: tracing of pg and http is set up before any connection
const runtime = loadRuntimeConfig(SERVICE, process.env, 8012);
const busConfig = loadBusConfig(SERVICE, process.env);
const pipeline = loadPipelineConfig(process.env);
const logger = createLogger(SERVICE, runtime.logLevel);
const metrics = createMetrics(SERVICE);

const warehouse = tracePort(await createServiceWarehouse(SERVICE, pipeline), 'warehouse');
const bus = await createServiceBus(SERVICE, busConfig, logger);

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

/**
 * mobius-rag: reads its config from the environment (the only file that does), builds its
 * dependencies, serves the API and runs the outbox relay until SIGTERM.
 */
import { createPool } from '@mobius/db';
import { createEmbedder } from '@mobius/embedder';
import { createServiceBus } from '@mobius/backends';
import { createLogger, createMetrics, createServiceAccess, runService } from '@mobius/service';
import { startTelemetry } from '@mobius/telemetry';
import { buildApp } from './app.ts';
import { startCanaryProbe } from './canary/probe.ts';
import { loadRagServiceConfig } from './config.ts';
import { startOutboxRelay } from './outbox/relay.ts';
import { findDocumentIdByFilename } from './repository/canary.ts';
import { createRagRepository } from './repository/index.ts';
import { CANARY } from '@mobius/contracts';

const SERVICE = 'rag';
await startTelemetry({ service: SERVICE, env: process.env }); // first: tracing of pg and http is set up before any connection

const config = loadRagServiceConfig(process.env);
const logger = createLogger(SERVICE, config.runtime.logLevel);
const pool = createPool(config.database.databaseUrl, {
  applicationName: `mobius-${SERVICE}`,
  onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
});
const repository = createRagRepository(pool);
const embedder = createEmbedder(config.embedding);
const bus = await createServiceBus(SERVICE, config.bus, logger);
const metrics = createMetrics(SERVICE);
const access = createServiceAccess(config.auth, { applicationName: `mobius-${SERVICE}-auth`, logger });
const app = buildApp({
  repository,
  embedder,
  access: access.policy,
  logger,
  metrics,
  bodyLimitBytes: config.bodyLimitBytes,
});
const relay = startOutboxRelay({ store: repository.outbox, bus, metrics, logger: logger.child({ component: 'outbox-relay' }) });
const canary =
  config.probeIntervalMs === undefined
    ? undefined
    : startCanaryProbe({
        app,
        findCanary: () => findDocumentIdByFilename(pool, CANARY.filename),
        intervalMs: config.probeIntervalMs,
        headers: config.auth.mode === 'required' && config.auth.serviceToken ? { authorization: `Bearer ${config.auth.serviceToken}` } : {},
        logger: logger.child({ component: 'canary' }),
      });

await runService({
  name: SERVICE,
  app,
  port: config.runtime.port,
  host: config.runtime.host,
  logger,
  shutdown: async () => {
    await canary?.stop();
    await relay.stop();
    await bus.close();
    await pool.end();
    await access.close();
  },
});

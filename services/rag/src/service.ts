import type { Bus } from '@mobius/bus';
import { createServiceBus } from '@mobius/backends';
import { maskUrl } from '@mobius/config';
import { CANARY } from '@mobius/contracts';
import { createPool } from '@mobius/db';
import { createEmbedder } from '@mobius/embedder';
import { closeWithApp, createLogger, createMetrics, createServiceAccess, serviceInstance, type Logger, type ServiceInstance } from '@mobius/service';
import { buildApp } from './app.ts';
import { startCanaryProbe, type CanaryProbe } from './canary/probe.ts';
import type { RagServiceConfig } from './config.ts';
import { startOutboxRelay, type OutboxRelay } from './outbox/relay.ts';
import { findDocumentIdByFilename } from './repository/canary.ts';
import { createRagRepository } from './repository/index.ts';

const SERVICE = 'rag';

/** What `mobius dev` shares with rag: its one bus (the relay publishes on it) and a logger. Never closed here. */
export interface RagShared {
  /** `mobius dev` has said once that AUTH=none admits anyone: this service does not warn again. */
  authNoneAnnounced?: boolean;
  bus?: Bus;
  logger?: Logger;
}

/**
 * rag's composition root (docs/architecture.md, "Composition roots"), for `mobius start rag` and
 * `mobius dev` alike: the API on its database, the outbox relay on the bus, and with
 * PROBE_INTERVAL_SECONDS the freshness canary. The pool, the user-directory pool and (unless shared)
 * the bus close with the app; the relay and the canary start once the app is ready.
 */
export async function createService(config: RagServiceConfig, shared: RagShared = {}): Promise<ServiceInstance> {
  const logger = shared.logger ?? createLogger(SERVICE, config.runtime.logLevel);
  const pool = createPool(config.database.databaseUrl, {
    applicationName: `mobius-${SERVICE}`,
    onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  });
  const repository = createRagRepository(pool);
  const metrics = createMetrics(SERVICE);
  const access = createServiceAccess(config.auth, {
    applicationName: `mobius-${SERVICE}-auth`,
    logger,
    authNoneAnnounced: shared.authNoneAnnounced ?? false,
  });
  const app = buildApp({
    repository,
    embedder: createEmbedder(config.embedding),
    access: access.policy,
    logger,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
  });
  closeWithApp(app, () => pool.end());
  closeWithApp(app, () => access.close());
  let bus = shared.bus;
  if (!bus) {
    bus = await createServiceBus(SERVICE, config.bus, logger).catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
    const own = bus;
    closeWithApp(app, () => own.close());
  }
  const relayBus = bus;

  // Registered after the pool and the bus: fastify closes it first, so the relay's batch commits before they go.
  let relay: OutboxRelay | undefined;
  app.addHook('onReady', async () => {
    relay = startOutboxRelay({ store: repository.outbox, bus: relayBus, metrics, logger: logger.child({ component: 'outbox-relay' }) });
  });
  closeWithApp(app, () => relay?.stop());

  const probeIntervalMs = config.probeIntervalMs;
  if (probeIntervalMs !== undefined) {
    let canary: CanaryProbe | undefined;
    app.addHook('onReady', async () => {
      canary = startCanaryProbe({
        app,
        findCanary: () => findDocumentIdByFilename(pool, CANARY.filename),
        intervalMs: probeIntervalMs,
        headers: config.auth.mode === 'required' && config.auth.serviceToken ? { authorization: `Bearer ${config.auth.serviceToken}` } : {},
        logger: logger.child({ component: 'canary' }),
      });
    });
    // preClose, not onClose: the canary publishes through the app itself, so a probe in flight finishes
    // while the app still answers, before it stops taking requests.
    app.addHook('preClose', async () => {
      await canary?.stop();
    });
  }

  return serviceInstance(SERVICE, app, logger, {
    database: maskUrl(config.database.databaseUrl),
    bus: shared.bus ? 'shared' : config.bus.kind,
    topicPrefix: config.bus.topicPrefix,
    canary: probeIntervalMs !== undefined,
  });
}

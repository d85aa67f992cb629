import { createPool } from '@mobius/db';
import { createEmbedder } from '@mobius/embedder';
import { buildApp, createRagRepository, loadRagServiceConfig, startOutboxRelay } from '@mobius/rag';
import { createMetrics } from '@mobius/service';
import type { DevContext, DevService } from './types.ts';

/** A handle on rag for the sample loader: its app (the real API routes) and its database. */
export interface DevRag extends DevService {
  databaseUrl: string;
}

/**
 * rag as `mobius start rag` wires it (services/rag/src/main.ts), its outbox relay on the shared bus.
 * AUTH defaults to `none` here only (dev listens on loopback for one person); with AUTH=required the
 * API takes MOBIUS_SERVICE_TOKEN, which `mobius publish` sends.
 */
export function startRag(ctx: DevContext): DevRag {
  const config = loadRagServiceConfig({ ...ctx.env, AUTH: ctx.env.AUTH || 'none' });
  const logger = ctx.logger('rag');
  const pool = createPool(config.database.databaseUrl, {
    applicationName: 'mobius-rag',
    onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  });
  const repository = createRagRepository(pool);
  const metrics = createMetrics('rag');
  const app = buildApp({
    repository,
    embedder: createEmbedder(config.embedding),
    access: config.auth.mode === 'none' ? { mode: 'none' } : { mode: 'required', ...(config.auth.serviceToken ? { serviceToken: config.auth.serviceToken } : {}) },
    logger,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
  });
  const relay = startOutboxRelay({ store: repository.outbox, bus: ctx.bus, metrics, logger: logger.child({ component: 'outbox-relay' }) });
  return {
    name: 'rag',
    app,
    databaseUrl: config.database.databaseUrl,
    async stop() {
      await relay.stop();
      await pool.end();
    },
  };
}

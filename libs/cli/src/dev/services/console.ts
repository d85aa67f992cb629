import { createServiceWarehouse } from '@mobius/backends';
import { buildApp, consoleSources, loadConsoleConfig } from '@mobius/console';
import { createPool } from '@mobius/db';
import { createMetrics, createServiceAccess } from '@mobius/service';
import type { DevContext, DevService } from './types.ts';

/**
 * The console as `mobius start console` wires it, on the bus the whole process shares (so it sees
 * the in-process subscriptions' backlog and dead letters too). CONSOLE_AUTH defaults to `none` here
 * only: dev listens on loopback for one person; CONSOLE_AUTH=jwt puts it behind the shared guard
 * (MOBIUS_SERVICE_TOKEN, or AUTH_ALLOWED_EMAILS / AUTH_ALLOWED_ROLES with JWT_SECRET and USER_DATABASE_URL).
 */
export async function startConsole(ctx: DevContext): Promise<DevService> {
  const config = loadConsoleConfig({ ...ctx.env, CONSOLE_AUTH: ctx.env.CONSOLE_AUTH || 'none' });
  const logger = ctx.logger('console');
  const onIdleError = (error: Error) => logger.warn({ err: error }, 'idle database connection failed');
  const rag = createPool(ctx.ragReadUrl, { applicationName: 'mobius-console', onIdleError });
  const chat = createPool(ctx.pipeline.chatDatabaseUrl, { applicationName: 'mobius-console', onIdleError });
  const warehouse = await createServiceWarehouse('console', ctx.pipeline, { applicationName: 'mobius-console' });
  const access = createServiceAccess(config.auth, { applicationName: 'mobius-console-auth', logger });
  const app = buildApp({
    ...consoleSources({ bus: ctx.bus, rag, chat, warehouse }),
    access: access.policy,
    refreshSeconds: config.refreshSeconds,
    sampleIntervalMs: config.sampleIntervalMs,
    readiness: [
      { name: 'rag-db', check: async () => void (await rag.query('SELECT 1')) },
      { name: 'chat-db', check: async () => void (await chat.query('SELECT 1')) },
    ],
    logger,
    metrics: createMetrics('console'),
  });
  return {
    name: 'console',
    app,
    async stop() {
      await warehouse.close();
      await Promise.all([rag.end(), chat.end(), access.close()]);
    },
  };
}

import { createServiceWarehouse } from '@mobius/backends';
import { buildApp, createChatStore } from '@mobius/chat-sync';
import { createPool } from '@mobius/db';
import { createMetrics } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
import type { DevContext, DevService } from './types.ts';

/** chat-sync as `mobius start chat-sync` wires it; its consumer (on the shared bus) starts when the app listens. */
export async function startChatSync(ctx: DevContext): Promise<DevService> {
  const logger = ctx.logger('chat-sync');
  const pool = createPool(ctx.pipeline.chatDatabaseUrl, {
    applicationName: 'mobius-chat-sync',
    onIdleError: (error) => logger.warn({ err: error }, 'idle Chat database connection failed'),
  });
  const warehouse = tracePort(await createServiceWarehouse('chat-sync', ctx.pipeline), 'warehouse');
  const app = buildApp({ store: createChatStore(pool), warehouse, bus: ctx.bus, logger, metrics: createMetrics('chat-sync') });
  return {
    name: 'chat-sync',
    app,
    async stop() {
      await warehouse.close();
      await pool.end();
    },
  };
}

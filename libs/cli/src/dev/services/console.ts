import { createService, loadConsoleConfig } from '@mobius/console';
import type { DevContext, DevService } from './types.ts';

/**
 * The console's composition root (the one `mobius start console` runs), on the bus the whole process
 * shares (so it sees the in-process subscriptions' backlog and dead letters too), reading RAG where the
 * ingestor reads it. CONSOLE_AUTH defaults to `none` here only: dev listens on loopback for one person;
 * CONSOLE_AUTH=jwt puts it behind the shared guard (MOBIUS_SERVICE_TOKEN, or AUTH_ALLOWED_EMAILS /
 * AUTH_ALLOWED_ROLES with JWT_SECRET and USER_DATABASE_URL).
 */
export async function startConsole(ctx: DevContext): Promise<DevService> {
  const config = loadConsoleConfig({ ...ctx.env, CONSOLE_AUTH: ctx.env.CONSOLE_AUTH || 'none' });
  const console = await createService(
    { ...config, pipeline: { ...config.pipeline, ragDatabaseUrl: ctx.ragReadUrl } },
    { bus: ctx.bus, logger: ctx.logger('console'), authNoneAnnounced: true },
  );
  return { name: 'console', app: console.app, open: config.auth.mode === 'none', stop: () => console.stop() };
}

import { createService, loadConsoleConfig } from '@mobius/console';
import type { Env } from '@mobius/config';
import type { DevContext, DevService } from './types.ts';

/** The config `mobius dev` gives console (also read by the pre-flight check, before anything starts). */
export const consoleDevConfig = (env: Env) => loadConsoleConfig({ ...env, CONSOLE_AUTH: env.CONSOLE_AUTH || 'none' });

/**
 * The console's composition root (the one `mobius start console` runs), on the bus the whole process
 * shares (so it sees the in-process subscriptions' backlog and dead letters too), reading RAG where the
 * ingestor reads it. CONSOLE_AUTH defaults to `none` here only: dev listens on loopback for one person;
 * CONSOLE_AUTH=jwt puts it behind the shared guard (MOBIUS_SERVICE_TOKEN, or AUTH_ALLOWED_EMAILS /
 * AUTH_ALLOWED_ROLES with JWT_SECRET and USER_DATABASE_URL).
 */
export async function startConsole(ctx: DevContext): Promise<DevService> {
  const config = consoleDevConfig(ctx.env);
  const console = await createService(
    { ...config, pipeline: { ...config.pipeline, ragDatabaseUrl: ctx.ragReadUrl } },
    { bus: ctx.bus, logger: ctx.logger('console'), authNoneAnnounced: true },
  );
  return { name: 'console', app: console.app, open: config.auth.mode === 'none', stop: () => console.stop() };
}

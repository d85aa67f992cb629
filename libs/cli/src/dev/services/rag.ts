import { createService, loadRagServiceConfig } from '@mobius/rag';
import type { Env } from '@mobius/config';
import type { DevContext, DevService } from './types.ts';

/** The config `mobius dev` gives rag (also read by the pre-flight check, before anything starts). */
export const ragDevConfig = (env: Env) => loadRagServiceConfig({ ...env, AUTH: env.AUTH || 'none' });

/** A handle on rag for the sample loader: its app (the real API routes) and its database. */
export interface DevRag extends DevService {
  databaseUrl: string;
  /** MOBIUS_SERVICE_TOKEN when rag's API is guarded (AUTH=required): the sample loader sends it. */
  serviceToken: string | undefined;
}

/**
 * rag's composition root (the one `mobius start rag` runs), its outbox relay on the shared bus.
 * AUTH defaults to `none` here only (dev listens on loopback for one person); with AUTH=required the
 * API takes MOBIUS_SERVICE_TOKEN, which `mobius publish` sends.
 */
export async function startRag(ctx: DevContext): Promise<DevRag> {
  const config = ragDevConfig(ctx.env);
  const rag = await createService(config, { bus: ctx.bus, logger: ctx.logger('rag'), authNoneAnnounced: true });
  return {
    name: 'rag',
    app: rag.app,
    databaseUrl: config.database.databaseUrl,
    serviceToken: config.auth.mode === 'required' ? config.auth.serviceToken : undefined,
    open: config.auth.mode === 'none',
    stop: () => rag.stop(),
  };
}

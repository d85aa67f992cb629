import { createService, loadRagServiceConfig } from '@mobius/rag';
import type { DevContext, DevService } from './types.ts';

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
  const config = loadRagServiceConfig({ ...ctx.env, AUTH: ctx.env.AUTH || 'none' });
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

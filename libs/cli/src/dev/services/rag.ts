import { createService, loadRagServiceConfig } from '@mobius/rag';
import type { DevContext, DevService } from './types.ts';

/** A handle on rag for the sample loader: its app (the real API routes) and its database. */
export interface DevRag extends DevService {
  databaseUrl: string;
}

/**
 * rag's composition root (the one `mobius start rag` runs), its outbox relay on the shared bus.
 * AUTH defaults to `none` here only (dev listens on loopback for one person); with AUTH=required the
 * API takes MOBIUS_SERVICE_TOKEN, which `mobius publish` sends.
 */
export async function startRag(ctx: DevContext): Promise<DevRag> {
  const config = loadRagServiceConfig({ ...ctx.env, AUTH: ctx.env.AUTH || 'none' });
  const rag = await createService(config, { bus: ctx.bus, logger: ctx.logger('rag') });
  return { name: 'rag', app: rag.app, databaseUrl: config.database.databaseUrl, stop: () => rag.stop() };
}

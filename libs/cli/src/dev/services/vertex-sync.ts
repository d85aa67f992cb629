import { createService, loadVertexSyncConfig } from '@mobius/vertex-sync';
import type { DevContext, DevService } from './types.ts';

/** vertex-sync, and how many datapoints it put back into an in-process index at start. */
export interface DevVertexSync extends DevService {
  refilled: number | undefined;
}

/**
 * vertex-sync's composition root (the one `mobius start vertex-sync` runs), writing the shared index
 * (which chat reads), its consumer on the shared bus. The in-process index starts empty at every run,
 * so it is refilled from the mart before the consumer starts. AUTH defaults to `none` here only (dev
 * listens on loopback for one person): its index views are then open, as rag's API is.
 */
export async function startVertexSync(ctx: DevContext): Promise<DevVertexSync> {
  const config = loadVertexSyncConfig({ ...ctx.env, AUTH: ctx.env.AUTH || 'none' });
  const vertexSync = await createService(config, {
    bus: ctx.bus,
    index: ctx.index,
    logger: ctx.logger('vertex-sync'),
    refillIndex: ctx.indexIsInProcess,
    authNoneAnnounced: true,
  });
  return {
    name: 'vertex-sync',
    app: vertexSync.app,
    open: config.auth.mode === 'none',
    stop: () => vertexSync.stop(),
    refilled: vertexSync.refilled,
  };
}

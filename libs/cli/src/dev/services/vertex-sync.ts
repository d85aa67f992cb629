import { createService, loadVertexSyncConfig } from '@mobius/vertex-sync';
import type { Env } from '@mobius/config';
import type { DevContext, DevService } from './types.ts';

/** The config `mobius dev` gives vertex-sync (also read by the pre-flight check, before anything starts). */
export const vertexSyncDevConfig = (env: Env) => loadVertexSyncConfig({ ...env, AUTH: env.AUTH || 'none' });

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
  const config = vertexSyncDevConfig(ctx.env);
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

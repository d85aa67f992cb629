import { createService, loadReconcilerConfig } from '@mobius/reconciler';
import type { Env } from '@mobius/config';
import type { DevContext, DevService } from './types.ts';

/** The config `mobius dev` gives reconciler (also read by the pre-flight check, before anything starts). */
export const reconcilerDevConfig = (env: Env) => loadReconcilerConfig(env);

/**
 * The reconciler's composition root (the one `mobius start reconciler` runs), but on the one index the
 * whole process shares (the in-process index too), so it checks and repairs both Chat and the index,
 * against dev's RAG database. Its passes start when the app listens, every RECONCILE_INTERVAL_SECONDS
 * (default 300; 0: off), in RECONCILE_MODE.
 */
export async function startReconciler(ctx: DevContext): Promise<DevService> {
  const config = { ...reconcilerDevConfig(ctx.env), ragDatabaseUrl: ctx.ragReadUrl };
  const reconciler = await createService(config, { index: ctx.index, logger: ctx.logger('reconciler') });
  return { name: 'reconciler', app: reconciler.app, stop: () => reconciler.stop() };
}

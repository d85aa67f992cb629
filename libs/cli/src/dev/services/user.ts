import { createService, loadUserServiceConfig } from '@mobius/user';
import type { Env } from '@mobius/config';
import type { DevContext, DevService } from './types.ts';

/** The config `mobius dev` gives user (also read by the pre-flight check, before anything starts). */
export const userDevConfig = (env: Env) => loadUserServiceConfig(env);

/**
 * user's composition root (the one `mobius start user` runs), minting tokens with dev's JWT_SECRET.
 * Closing its app closes its pool and mailer, so `stop` has nothing left to do.
 */
export async function startUser(ctx: DevContext): Promise<DevService> {
  const user = await createService(userDevConfig(ctx.env), { logger: ctx.logger('user') });
  return { name: 'user', app: user.app, stop: async () => undefined };
}

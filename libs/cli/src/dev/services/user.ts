import { createService, loadUserServiceConfig } from '@mobius/user';
import type { DevContext, DevService } from './types.ts';

/**
 * user's composition root (the one `mobius start user` runs), minting tokens with dev's JWT_SECRET.
 * Closing its app closes its pool and mailer, so `stop` has nothing left to do.
 */
export async function startUser(ctx: DevContext): Promise<DevService> {
  const user = await createService(loadUserServiceConfig(ctx.env), { logger: ctx.logger('user') });
  return { name: 'user', app: user.app, stop: async () => undefined };
}

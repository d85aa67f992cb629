import { createTokenService } from '@mobius/auth';
import { createPool } from '@mobius/db';
import { createMetrics } from '@mobius/service';
import { buildApp, createUserRepository, loadUserServiceConfig, userAppDeps } from '@mobius/user';
import type { DevContext, DevService } from './types.ts';

/** user as `mobius start user` wires it, minting tokens with dev's JWT_SECRET. */
export function startUser(ctx: DevContext): DevService {
  const config = loadUserServiceConfig(ctx.env);
  const logger = ctx.logger('user');
  const pool = createPool(config.user.databaseUrl, {
    applicationName: 'mobius-user',
    onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  });
  const tokens = createTokenService({
    secret: config.user.jwtSecret,
    accessTokenMinutes: config.user.accessTokenMinutes,
    refreshTokenDays: config.user.refreshTokenDays,
  });
  const app = buildApp(userAppDeps(config, { repository: createUserRepository(pool), tokens, logger, metrics: createMetrics('user') }));
  return { name: 'user', app, stop: () => pool.end() };
}

import type { TokenService } from '@mobius/auth';
import type { Logger, ServiceMetrics } from '@mobius/service';
import type { BackgroundWork } from './lifecycle/background.ts';
import type { Mailer } from './mail/mailer.ts';
import type { UserAppDeps } from './app.ts';
import { createGoogleIdTokenVerifier } from './auth/google-id-token.ts';
import { createPasswordHashQueue } from './auth/hash-queue.ts';
import { USER_DEFAULTS, type UserServiceConfig } from './config.ts';
import type { UserRepository } from './repository/types.ts';

/**
 * The app's dependencies from its config: the Google verifier (when GOOGLE_CLIENT_ID is set), the
 * bcrypt queue, the rate limits, the directory's access and the account mails' settings. One place
 * for the composition root (service.ts) and tests.
 */
export function userAppDeps(
  config: UserServiceConfig,
  base: {
    repository: UserRepository;
    tokens: TokenService;
    logger: Logger;
    metrics: ServiceMetrics;
    mailer: Mailer;
    background?: BackgroundWork;
  },
): UserAppDeps {
  const google =
    config.google &&
    createGoogleIdTokenVerifier({
      ...config.google,
      keysCacheMs: USER_DEFAULTS.googleKeysCacheSeconds * 1000,
      fetchTimeoutMs: USER_DEFAULTS.googleKeysFetchTimeoutMs,
    });
  return {
    ...base,
    accessTokenMinutes: config.user.accessTokenMinutes,
    google,
    hashQueue: createPasswordHashQueue({ ...config.passwordHashing, hashMs: USER_DEFAULTS.passwordHashMs }),
    rateLimits: config.rateLimits,
    directoryAccess: config.directoryAccess,
    trustedProxyHops: config.trustedProxyHops,
    mail: {
      setPasswordUrlBase: config.mail.setPasswordUrlBase,
      resetTtlSeconds: config.mail.resetTtlSeconds,
      inviteTtlSeconds: config.mail.inviteTtlSeconds,
    },
  };
}

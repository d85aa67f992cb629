import { cachedUserDirectory, createTokenService, postgresUserDirectory, type AccessPolicy } from '@mobius/auth';
import type { HttpAuthConfig } from '@mobius/config';
import { createPool } from '@mobius/db';
import type { Logger } from './logger.ts';
import { oidcPushVerifier, type SignerCerts } from './push-auth.ts';

/** A guarded service's AccessPolicy and what closes its resources (the user database pool). */
export interface ServiceAccess {
  policy: AccessPolicy;
  close(): Promise<void>;
}

export interface ServiceAccessOptions {
  /** Shown in pg_stat_activity for the user-directory pool. */
  applicationName: string;
  logger: Logger;
  /**
   * True when the caller has already told the operator that AUTH=none admits anyone (`mobius dev` says it
   * once for every service): the service then logs it at debug instead of warning on its own.
   */
  authNoneAnnounced?: boolean;
  /** OIDC signer certificates (tests); default Google's. */
  certs?: () => Promise<SignerCerts>;
}

/** The user-directory pool is tiny: one indexed read per user per AUTH_ACTIVE_USER_CACHE_SECONDS (cached). */
const DIRECTORY_POOL_MAX = 2;

/**
 * Builds the AccessPolicy `config` (loadHttpAuthConfig) describes: the service token as given, people
 * through the one validator of @mobius/auth plus a cached read of mobius-user's database, Google OIDC
 * tokens through the same verifier push endpoints use (one per admitted service account).
 */
export function createServiceAccess(config: HttpAuthConfig, options: ServiceAccessOptions): ServiceAccess {
  if (config.mode === 'none') {
    const say = options.authNoneAnnounced ? options.logger.debug.bind(options.logger) : options.logger.warn.bind(options.logger);
    say('AUTH=none: every API route of this service admits anyone (only for mobius dev and tests)');
    return { policy: { mode: 'none' }, close: async () => {} };
  }
  const pool = config.people
    ? createPool(config.people.userDatabaseUrl, {
        applicationName: options.applicationName,
        max: DIRECTORY_POOL_MAX,
        onIdleError: (error) => options.logger.warn({ err: error }, 'idle user database connection failed'),
      })
    : undefined;
  const people =
    config.people && pool
      ? {
          tokens: createTokenService({ secret: config.people.jwtSecret, accessTokenMinutes: config.people.accessTokenMinutes }),
          directory: cachedUserDirectory(postgresUserDirectory(pool), { ttlMs: config.people.activeUserCacheMs }),
          allowedEmails: config.people.allowedEmails,
          allowedRoles: config.people.allowedRoles,
        }
      : undefined;
  const oidc = config.oidc ? anyServiceAccount(config.oidc, options.certs) : undefined;
  return {
    policy: {
      mode: 'required',
      ...(config.serviceToken ? { serviceToken: config.serviceToken } : {}),
      ...(people ? { people } : {}),
      ...(oidc ? { oidc } : {}),
    },
    close: async () => {
      await pool?.end();
    },
  };
}

/** Admits an OIDC token of any of the accounts: the push verifier checks one account each. */
function anyServiceAccount(oidc: { audience: string; serviceAccounts: string[] }, certs?: () => Promise<SignerCerts>) {
  const verifiers = oidc.serviceAccounts.map((serviceAccountEmail) =>
    oidcPushVerifier({ audience: oidc.audience, serviceAccountEmail, ...(certs ? { certs } : {}) }),
  );
  return async (authorization: string): Promise<void> => {
    let last: unknown;
    for (const verify of verifiers) {
      try {
        return await verify(authorization);
      } catch (error) {
        last = error;
      }
    }
    throw last;
  };
}

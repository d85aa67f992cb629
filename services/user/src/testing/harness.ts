/**
 * Builds the user service on a real database for tests (test/user-*.test.ts): the app, its pool
 * and the token service. The caller creates and migrates the database.
 */
import { createTokenService, type TokenService } from '@mobius/auth';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics, type Logger } from '@mobius/service';
import type pg from 'pg';
import { buildApp, type UserApp } from '../app.ts';
import type { GoogleIdTokenVerifier } from '../auth/google-id-token.ts';
import { createPasswordHashQueue } from '../auth/hash-queue.ts';
import { DEFAULT_RATE_LIMITS, USER_DEFAULTS, type RateLimits } from '../config.ts';
import { createUserRepository } from '../repository/index.ts';

export interface UserTestService {
  app: UserApp;
  pool: pg.Pool;
  tokens: TokenService;
  /** Closes the app and the pool. */
  close(): Promise<void>;
}

export function createUserTestService(options: {
  databaseUrl: string;
  secret: string;
  accessTokenMinutes?: number;
  refreshTokenDays?: number;
  /** Merged over DEFAULT_RATE_LIMITS, except registration per address: unlimited unless given (tests register many users). */
  rateLimits?: Partial<RateLimits>;
  /** Default USER_DEFAULTS' queue. */
  passwordHashing?: { concurrency: number; maxQueued: number };
  google?: GoogleIdTokenVerifier | null;
  internalKey?: string | null;
  adminEmails?: string[];
  trustedProxyHops?: number;
  /** Default: a silent logger. */
  logger?: Logger;
}): UserTestService {
  const pool = createPool(options.databaseUrl, { applicationName: 'mobius-user-test' });
  const accessTokenMinutes = options.accessTokenMinutes ?? 60;
  const tokens = createTokenService({
    secret: options.secret,
    accessTokenMinutes,
    refreshTokenDays: options.refreshTokenDays ?? 7,
  });
  const app = buildApp({
    repository: createUserRepository(pool),
    tokens,
    accessTokenMinutes,
    logger: options.logger ?? createLogger('user-test', 'silent'),
    metrics: createMetrics('user-test'),
    rateLimits: { ...DEFAULT_RATE_LIMITS, registerPerIp: 10_000, registerGlobal: 10_000, ...options.rateLimits },
    hashQueue: createPasswordHashQueue({
      concurrency: options.passwordHashing?.concurrency ?? USER_DEFAULTS.passwordHashConcurrency,
      maxQueued: options.passwordHashing?.maxQueued ?? USER_DEFAULTS.passwordHashQueue,
      hashMs: USER_DEFAULTS.passwordHashMs,
    }),
    google: options.google ?? null,
    directoryAccess: {
      internalKey: options.internalKey ?? null,
      adminEmails: new Set((options.adminEmails ?? []).map((email) => email.toLowerCase())),
    },
    ...(options.trustedProxyHops === undefined ? {} : { trustedProxyHops: options.trustedProxyHops }),
  });
  return {
    app,
    pool,
    tokens,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

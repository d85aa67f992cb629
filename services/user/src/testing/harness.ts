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
import { createBackgroundWork } from '../lifecycle/background.ts';
import type { Mailer } from '../mail/mailer.ts';
import { createOutboxMailer, readOutbox, type OutboxMail } from '../mail/outbox-mailer.ts';
import { createUserRepository } from '../repository/index.ts';

export interface UserTestService {
  app: UserApp;
  pool: pg.Pool;
  tokens: TokenService;
  /** Waits until the work started after an answer (the reset request's mail) has finished. */
  settled(): Promise<void>;
  /** The outbox's mails to `email`, newest first (after settled()). */
  mailbox(email: string): Promise<OutboxMail[]>;
  /** Closes the app and the pool. */
  close(): Promise<void>;
}

/** The set-password page the test services' mails link to. */
export const TEST_SET_PASSWORD_URL = 'https://app.example.test/set-password';

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
  /** Default: the outbox mailer on the service's pool. */
  mailer?: Mailer;
  /** Default TEST_SET_PASSWORD_URL; null: no reset or invite mail is sent. */
  setPasswordUrlBase?: string | null;
  resetTtlSeconds?: number;
}): UserTestService {
  const pool = createPool(options.databaseUrl, { applicationName: 'mobius-user-test' });
  const accessTokenMinutes = options.accessTokenMinutes ?? 60;
  const tokens = createTokenService({
    secret: options.secret,
    accessTokenMinutes,
    refreshTokenDays: options.refreshTokenDays ?? 7,
  });
  const logger = options.logger ?? createLogger('user-test', 'silent');
  const background = createBackgroundWork(logger);
  const app = buildApp({
    repository: createUserRepository(pool),
    tokens,
    accessTokenMinutes,
    logger,
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
    mailer: options.mailer ?? createOutboxMailer(pool),
    mail: {
      setPasswordUrlBase: options.setPasswordUrlBase === undefined ? TEST_SET_PASSWORD_URL : options.setPasswordUrlBase,
      resetTtlSeconds: options.resetTtlSeconds ?? USER_DEFAULTS.resetTtlMinutes * 60,
      inviteTtlSeconds: USER_DEFAULTS.inviteTtlDays * 86_400,
    },
    background,
  });
  return {
    app,
    pool,
    tokens,
    settled: () => background.settled(),
    mailbox: async (email) => {
      await background.settled();
      return readOutbox(pool, email);
    },
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

/**
 * The user service's composition root (docs/architecture.md, "Composition roots"): from its config,
 * the pool, the token service, the repository, the mailer and the app. What it creates it closes
 * when the app closes: started background work first, then the mailer, then the pool. The user
 * service uses no bus and no vector index; `shared` may give it a logger (`mobius dev`).
 */
import { createTokenService } from '@mobius/auth';
import { maskUrl } from '@mobius/config';
import { createPool } from '@mobius/db';
import { closeWithApp, createLogger, createMetrics, serviceInstance, type Logger, type ServiceInstance } from '@mobius/service';
import { buildApp } from './app.ts';
import type { UserServiceConfig } from './config.ts';
import { createBackgroundWork } from './lifecycle/background.ts';
import type { Mailer } from './mail/mailer.ts';
import { createOutboxMailer } from './mail/outbox-mailer.ts';
import { createSmtpMailer } from './mail/smtp-mailer.ts';
import { createUserRepository } from './repository/index.ts';
import { userAppDeps } from './wiring.ts';

const SERVICE = 'user';

/** What `mobius dev` shares with the user service: only its logger. */
export interface UserShared {
  logger?: Logger;
}

export async function createService(config: UserServiceConfig, shared: UserShared = {}): Promise<ServiceInstance> {
  const logger = shared.logger ?? createLogger(SERVICE, config.runtime.logLevel);
  const pool = createPool(config.user.databaseUrl, {
    applicationName: `mobius-${SERVICE}`,
    onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  });
  const tokens = createTokenService({
    secret: config.user.jwtSecret,
    accessTokenMinutes: config.user.accessTokenMinutes,
    refreshTokenDays: config.user.refreshTokenDays,
  });
  const mailer: Mailer =
    config.mail.mailer.kind === 'smtp' ? createSmtpMailer({ url: config.mail.mailer.url, from: config.mail.mailer.from }) : createOutboxMailer(pool);
  const background = createBackgroundWork(logger.child({ component: 'background' }));
  const app = buildApp(
    userAppDeps(config, { repository: createUserRepository(pool), tokens, logger, metrics: createMetrics(SERVICE), mailer, background }),
  );
  // One hook, in order: the reset mails being sent use the mailer and the pool.
  closeWithApp(app, async () => {
    await background.settled();
    await mailer.close();
    await pool.end();
  });
  return serviceInstance(SERVICE, app, logger, {
    database: maskUrl(config.user.databaseUrl),
    mailer: mailer.kind,
    googleSignIn: config.google !== null,
    directoryKey: config.directoryAccess.internalKey !== null,
  });
}

/** mobius-user's public surface: its composition root and config (main.ts, `mobius dev`), and what tests import. */
export { AUTH_PREFIX, USERS_PREFIX, buildApp, type UserApp, type UserAppDeps } from './app.ts';
export {
  DEFAULT_RATE_LIMITS,
  USER_DEFAULTS,
  loadUserServiceConfig,
  type MailSettings,
  userServiceEnvSchema,
  type RateLimits,
  type UserServiceConfig,
} from './config.ts';
export { USER_ERROR_CODES } from './errors.ts';
export type { ErrorBody } from './http/fastapi-errors.ts';
export { BCRYPT_COST } from './auth/passwords.ts';
export { refreshTokenHash } from './auth/sessions.ts';
export { createGoogleIdTokenVerifier, type GoogleIdTokenVerifier } from './auth/google-id-token.ts';
export { createPasswordHashQueue, type PasswordHashQueue } from './auth/hash-queue.ts';
export { buildProfileEnvelope } from './auth/profile-envelope.ts';
export { createUserRepository, type UserRepository } from './repository/index.ts';
export { userAppDeps } from './wiring.ts';
export { createService, type UserShared } from './service.ts';
export { createBackgroundWork, type BackgroundWork } from './lifecycle/background.ts';
export { MailDeliveryError, MailRefused, checkMail, type Mailer, type OutgoingMail } from './mail/mailer.ts';
export { createOutboxMailer, readOutbox, type OutboxMail } from './mail/outbox-mailer.ts';
export { createSmtpMailer } from './mail/smtp-mailer.ts';

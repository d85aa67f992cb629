/** mobius-user's public surface, for `mobius start user` and the tests. */
export { AUTH_PREFIX, buildApp, type UserApp, type UserAppDeps } from './app.ts';
export { USER_DEFAULTS, loadUserServiceConfig, userServiceEnvSchema, type LoginRateLimit, type UserServiceConfig } from './config.ts';
export { USER_ERROR_CODES } from './errors.ts';
export type { ErrorEnvelope } from './http/envelope.ts';
export { BCRYPT_COST } from './auth/passwords.ts';
export { refreshTokenHash } from './auth/sessions.ts';
export { createUserRepository, type UserRepository } from './repository/index.ts';

import {
  loadRuntimeConfig,
  loadUserConfig,
  parseEnv,
  type Env,
  type RuntimeConfig,
  type UserConfig,
} from '@mobius/config';
import { z } from 'zod';

/** Every default of the user service in one place. */
export const USER_DEFAULTS = {
  /** Local port (Cloud Run sets PORT). */
  port: 8003,
  /** Login attempts one email address may make per window, whatever the client. */
  loginLimitPerEmail: 10,
  /** Login attempts one client address may make per window, whatever the email. */
  loginLimitPerIp: 30,
  /** The rate-limit window. */
  loginLimitWindowSeconds: 60,
  /** Proxies in front of the service whose X-Forwarded-For entries are trusted (0: use the socket address). */
  trustedProxyHops: 0,
  /** Largest accepted request body: auth bodies are a few hundred bytes. */
  bodyLimitBytes: 64 * 1024,
} as const;

/** An optional variable: the empty string counts as unset. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const positiveInteger = z.coerce.number({ message: 'is not a number' }).int('is not an integer').positive('must be positive');
const countOfHops = z.coerce.number({ message: 'is not a number' }).int('is not an integer').min(0, 'must be 0 or more');

/**
 * The user service's own variables, besides USER_DATABASE_URL, JWT_* (`@mobius/config`) and the
 * runtime (PORT, HOST, LOG_LEVEL). All are additions to the existing mobius-user's environment.
 */
export const userServiceEnvSchema = z.object({
  /** Addition: login attempts per email address per window. */
  USER_LOGIN_RATE_LIMIT_PER_EMAIL: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.loginLimitPerEmail),
  /** Addition: login attempts per client address per window. */
  USER_LOGIN_RATE_LIMIT_PER_IP: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.loginLimitPerIp),
  /** Addition: the login rate-limit window, in seconds. */
  USER_LOGIN_RATE_LIMIT_WINDOW_SECONDS: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.loginLimitWindowSeconds),
  /**
   * Addition: how many proxies in front of the service append to X-Forwarded-For (1 on Cloud Run or
   * behind one load balancer). 0 trusts no header, so a client cannot choose its own address.
   */
  USER_TRUSTED_PROXY_HOPS: unsetIfEmpty(countOfHops).default(USER_DEFAULTS.trustedProxyHops),
});

/** The login rate limits: a request over either limit is refused with 429. */
export interface LoginRateLimit {
  perEmail: number;
  perIp: number;
  windowMs: number;
}

export interface UserServiceConfig {
  /** USER_DATABASE_URL, JWT_SECRET and the token lifetimes. */
  user: UserConfig;
  runtime: RuntimeConfig;
  loginRateLimit: LoginRateLimit;
  trustedProxyHops: number;
}

/**
 * The user service's whole config from `env`. Pure. Throws a ConfigError naming the variable that is
 * wrong; a missing JWT_SECRET is always an error (there is no built-in secret).
 */
export function loadUserServiceConfig(env: Env): UserServiceConfig {
  const user = loadUserConfig(env);
  const own = parseEnv('user', userServiceEnvSchema, env);
  return {
    user,
    runtime: loadRuntimeConfig('user', env, USER_DEFAULTS.port),
    loginRateLimit: {
      perEmail: own.USER_LOGIN_RATE_LIMIT_PER_EMAIL,
      perIp: own.USER_LOGIN_RATE_LIMIT_PER_IP,
      windowMs: own.USER_LOGIN_RATE_LIMIT_WINDOW_SECONDS * 1000,
    },
    trustedProxyHops: own.USER_TRUSTED_PROXY_HOPS,
  };
}

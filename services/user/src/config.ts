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
  /** Registrations one client address may make per registration window. */
  registerLimitPerIp: 5,
  /** Registrations the whole process accepts per registration window, from every address together. */
  registerLimitGlobal: 100,
  /** The registration rate-limit window. */
  registerLimitWindowSeconds: 600,
  /** Google sign-ins one client address may attempt per minute. */
  googleLimitPerIp: 30,
  googleLimitWindowSeconds: 60,
  /** bcrypt hashes of new passwords at once per process: one core, so logins keep the other. */
  passwordHashConcurrency: 1,
  /** Registrations that may wait for a hash slot; more are refused with 429 and retry-after. */
  passwordHashQueue: 4,
  /** One cost-12 hash, for retry-after. */
  passwordHashMs: 300,
  /** Google's published signing keys (JWKS). */
  googleJwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
  /** Google's keys are reused this long without asking again (Google rotates them over days). */
  googleKeysCacheSeconds: 3600,
  /** Timeout of one fetch of Google's keys. */
  googleKeysFetchTimeoutMs: 5000,
  /** Largest accepted request body: auth bodies are a few hundred bytes. */
  bodyLimitBytes: 64 * 1024,
} as const;

/** An optional variable: the empty string counts as unset. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const positiveInteger = z.coerce.number({ message: 'is not a number' }).int('is not an integer').positive('must be positive');
const nonNegativeInteger = z.coerce.number({ message: 'is not a number' }).int('is not an integer').min(0, 'must be 0 or more');

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
  USER_TRUSTED_PROXY_HOPS: unsetIfEmpty(nonNegativeInteger).default(USER_DEFAULTS.trustedProxyHops),
  /** Addition: registrations per client address per registration window. */
  USER_REGISTER_RATE_LIMIT_PER_IP: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.registerLimitPerIp),
  /** Addition: registrations per registration window for the whole process. */
  USER_REGISTER_RATE_LIMIT_GLOBAL: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.registerLimitGlobal),
  /** Addition: the registration rate-limit window, in seconds. */
  USER_REGISTER_RATE_LIMIT_WINDOW_SECONDS: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.registerLimitWindowSeconds),
  /** Addition: Google sign-in attempts per client address per minute. */
  USER_GOOGLE_RATE_LIMIT_PER_IP: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.googleLimitPerIp),
  /** Addition: bcrypt hashes of new passwords at once in this process. */
  USER_PASSWORD_HASH_CONCURRENCY: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.passwordHashConcurrency),
  /** Addition: registrations that may wait for a hash slot before 429. */
  USER_PASSWORD_HASH_QUEUE: unsetIfEmpty(nonNegativeInteger).default(USER_DEFAULTS.passwordHashQueue),
  /** The existing service's: the OAuth web client id Google ID tokens must be issued for; unset disables Google sign-in. */
  GOOGLE_CLIENT_ID: unsetIfEmpty(z.string().trim().min(1)),
  /** Addition: where Google's signing keys are fetched (tests point it at a loopback server). */
  GOOGLE_JWKS_URL: unsetIfEmpty(z.url({ message: 'is not a URL' })).default(USER_DEFAULTS.googleJwksUrl),
  /** The existing service's: the X-Internal-Key of /api/v1/users/*; unset disables the key (never falls open). */
  MOBIUS_USER_INTERNAL_KEY: unsetIfEmpty(z.string().trim().min(16, 'must be at least 16 characters')),
  /** The existing service's: comma-separated emails whose Bearer tokens may call the /api/v1/users/* writers. */
  MOBIUS_USER_ADMIN_EMAILS: unsetIfEmpty(z.string()),
});

/** Every rate limit of the service: a request over one is refused with 429 and retry-after. */
export interface RateLimits {
  loginPerEmail: number;
  loginPerIp: number;
  loginWindowMs: number;
  registerPerIp: number;
  registerGlobal: number;
  registerWindowMs: number;
  googlePerIp: number;
  googleWindowMs: number;
}

/** The rate limits with every default (tests override some). */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  loginPerEmail: USER_DEFAULTS.loginLimitPerEmail,
  loginPerIp: USER_DEFAULTS.loginLimitPerIp,
  loginWindowMs: USER_DEFAULTS.loginLimitWindowSeconds * 1000,
  registerPerIp: USER_DEFAULTS.registerLimitPerIp,
  registerGlobal: USER_DEFAULTS.registerLimitGlobal,
  registerWindowMs: USER_DEFAULTS.registerLimitWindowSeconds * 1000,
  googlePerIp: USER_DEFAULTS.googleLimitPerIp,
  googleWindowMs: USER_DEFAULTS.googleLimitWindowSeconds * 1000,
};

/** The bcrypt queue of register (auth/hash-queue.ts). */
export interface PasswordHashing {
  concurrency: number;
  maxQueued: number;
}

/** Google sign-in; null when GOOGLE_CLIENT_ID is unset. */
export interface GoogleSignIn {
  clientId: string;
  jwksUrl: string;
}

export interface UserServiceConfig {
  /** USER_DATABASE_URL, JWT_SECRET and the token lifetimes. */
  user: UserConfig;
  runtime: RuntimeConfig;
  rateLimits: RateLimits;
  passwordHashing: PasswordHashing;
  trustedProxyHops: number;
  google: GoogleSignIn | null;
  /** /api/v1/users/* access (directory/access.ts). */
  directoryAccess: { internalKey: string | null; adminEmails: Set<string> };
}

/** MOBIUS_USER_ADMIN_EMAILS as a set of trimmed, lowercased emails. */
export function adminEmailsOf(value: string | undefined): Set<string> {
  return new Set((value ?? '').split(',').map((email) => email.trim().toLowerCase()).filter(Boolean));
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
    rateLimits: {
      ...DEFAULT_RATE_LIMITS,
      loginPerEmail: own.USER_LOGIN_RATE_LIMIT_PER_EMAIL,
      loginPerIp: own.USER_LOGIN_RATE_LIMIT_PER_IP,
      loginWindowMs: own.USER_LOGIN_RATE_LIMIT_WINDOW_SECONDS * 1000,
      registerPerIp: own.USER_REGISTER_RATE_LIMIT_PER_IP,
      registerGlobal: own.USER_REGISTER_RATE_LIMIT_GLOBAL,
      registerWindowMs: own.USER_REGISTER_RATE_LIMIT_WINDOW_SECONDS * 1000,
      googlePerIp: own.USER_GOOGLE_RATE_LIMIT_PER_IP,
    },
    passwordHashing: { concurrency: own.USER_PASSWORD_HASH_CONCURRENCY, maxQueued: own.USER_PASSWORD_HASH_QUEUE },
    trustedProxyHops: own.USER_TRUSTED_PROXY_HOPS,
    google: own.GOOGLE_CLIENT_ID ? { clientId: own.GOOGLE_CLIENT_ID, jwksUrl: own.GOOGLE_JWKS_URL } : null,
    directoryAccess: {
      internalKey: own.MOBIUS_USER_INTERNAL_KEY ?? null,
      adminEmails: adminEmailsOf(own.MOBIUS_USER_ADMIN_EMAILS),
    },
  };
}

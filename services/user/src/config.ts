import { ConfigError, loadRuntimeConfig, loadUserConfig, parseEnv, type Env, type RuntimeConfig, type UserConfig } from '@mobius/config';
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
  /** Password-reset requests per client address and per email per window (the original's 5 in 15 minutes; silent). */
  resetLimitPerIp: 5,
  resetLimitPerEmail: 5,
  resetLimitWindowSeconds: 900,
  /** token-info look-ups per client address per window (the original's 30 in 5 minutes). */
  tokenInfoLimitPerIp: 30,
  tokenInfoLimitWindowSeconds: 300,
  /** check-email look-ups per client address per minute (an addition: it tells whether an account exists). */
  checkEmailLimitPerIp: 30,
  checkEmailLimitWindowSeconds: 60,
  /** A reset link lives this long (the original's MOBIUS_RESET_TTL_MINUTES). */
  resetTtlMinutes: 60,
  /** An invite link lives this long (the original's MOBIUS_INVITE_TTL_DAYS). */
  inviteTtlDays: 7,
  /** Where account mails go: `outbox` (a table) or `smtp`. */
  mailer: 'outbox',
  mailFrom: 'Mobius <no-reply@mobius.local>',
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
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

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
  /** Addition: password-reset requests per client address per window (over it: 202, nothing sent). */
  USER_RESET_RATE_LIMIT_PER_IP: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.resetLimitPerIp),
  /** Addition: password-reset requests per email per window (over it: 202, nothing sent). */
  USER_RESET_RATE_LIMIT_PER_EMAIL: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.resetLimitPerEmail),
  /** Addition: the password-reset rate-limit window, in seconds. */
  USER_RESET_RATE_LIMIT_WINDOW_SECONDS: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.resetLimitWindowSeconds),
  /** Addition: token-info look-ups per client address per 5 minutes. */
  USER_TOKEN_INFO_RATE_LIMIT_PER_IP: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.tokenInfoLimitPerIp),
  /** Addition: check-email look-ups per client address per minute. */
  USER_CHECK_EMAIL_RATE_LIMIT_PER_IP: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.checkEmailLimitPerIp),
  /** The existing service's: minutes a password-reset link stays usable. */
  MOBIUS_RESET_TTL_MINUTES: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.resetTtlMinutes),
  /** The existing service's: days an invite link stays usable. */
  MOBIUS_INVITE_TTL_DAYS: unsetIfEmpty(positiveInteger).default(USER_DEFAULTS.inviteTtlDays),
  /** The existing service's: the page that consumes `?token=` links; unset: no reset or invite mail is sent. */
  MOBIUS_SET_PASSWORD_URL_BASE: unsetIfEmpty(z.url({ protocol: /^https?$/, message: 'is not an http(s) URL' })),
  /** Addition: `outbox` (mails are rows of user_ext.mail_outbox; the default) or `smtp` (USER_SMTP_URL). */
  USER_MAILER: unsetIfEmpty(z.enum(['outbox', 'smtp'], { message: 'must be outbox or smtp' })).default(USER_DEFAULTS.mailer),
  /** Addition: `smtp://user:pass@host:port` or `smtps://...`; required with USER_MAILER=smtp. */
  USER_SMTP_URL: unsetIfEmpty(z.url({ protocol: /^smtps?$/, message: 'is not an smtp:// or smtps:// URL' })),
  /** Addition: the From of account mails. */
  USER_MAIL_FROM: unsetIfEmpty(z.string().trim().min(3).max(254)).default(USER_DEFAULTS.mailFrom),
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
  resetPerIp: number;
  resetPerEmail: number;
  resetWindowMs: number;
  tokenInfoPerIp: number;
  tokenInfoWindowMs: number;
  checkEmailPerIp: number;
  checkEmailWindowMs: number;
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
  resetPerIp: USER_DEFAULTS.resetLimitPerIp,
  resetPerEmail: USER_DEFAULTS.resetLimitPerEmail,
  resetWindowMs: USER_DEFAULTS.resetLimitWindowSeconds * 1000,
  tokenInfoPerIp: USER_DEFAULTS.tokenInfoLimitPerIp,
  tokenInfoWindowMs: USER_DEFAULTS.tokenInfoLimitWindowSeconds * 1000,
  checkEmailPerIp: USER_DEFAULTS.checkEmailLimitPerIp,
  checkEmailWindowMs: USER_DEFAULTS.checkEmailLimitWindowSeconds * 1000,
};

/** Account mails: where they go and what their links are. */
export interface MailSettings {
  mailer: { kind: 'outbox' } | { kind: 'smtp'; url: string; from: string };
  setPasswordUrlBase: string | null;
  resetTtlSeconds: number;
  inviteTtlSeconds: number;
}

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
  mail: MailSettings;
}

/** MOBIUS_USER_ADMIN_EMAILS as a set of trimmed, lowercased emails. */
export function adminEmailsOf(value: string | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((email) => email.trim().toLowerCase())
      .filter(Boolean),
  );
}

/**
 * The user service's whole config from `env`. Pure. Throws a ConfigError naming the variable that is
 * wrong; a missing JWT_SECRET is always an error (there is no built-in secret).
 */
export function loadUserServiceConfig(env: Env): UserServiceConfig {
  const user = loadUserConfig(env);
  const own = parseEnv('user', userServiceEnvSchema, env);
  if (own.USER_MAILER === 'smtp' && !own.USER_SMTP_URL) throw new ConfigError('user', 'USER_SMTP_URL', 'is required with USER_MAILER=smtp');
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
      resetPerIp: own.USER_RESET_RATE_LIMIT_PER_IP,
      resetPerEmail: own.USER_RESET_RATE_LIMIT_PER_EMAIL,
      resetWindowMs: own.USER_RESET_RATE_LIMIT_WINDOW_SECONDS * 1000,
      tokenInfoPerIp: own.USER_TOKEN_INFO_RATE_LIMIT_PER_IP,
      checkEmailPerIp: own.USER_CHECK_EMAIL_RATE_LIMIT_PER_IP,
    },
    passwordHashing: { concurrency: own.USER_PASSWORD_HASH_CONCURRENCY, maxQueued: own.USER_PASSWORD_HASH_QUEUE },
    trustedProxyHops: own.USER_TRUSTED_PROXY_HOPS,
    google: own.GOOGLE_CLIENT_ID ? { clientId: own.GOOGLE_CLIENT_ID, jwksUrl: own.GOOGLE_JWKS_URL } : null,
    directoryAccess: {
      internalKey: own.MOBIUS_USER_INTERNAL_KEY ?? null,
      adminEmails: adminEmailsOf(own.MOBIUS_USER_ADMIN_EMAILS),
    },
    mail: {
      mailer: own.USER_MAILER === 'smtp' ? { kind: 'smtp', url: own.USER_SMTP_URL!, from: own.USER_MAIL_FROM } : { kind: 'outbox' },
      setPasswordUrlBase: own.MOBIUS_SET_PASSWORD_URL_BASE ?? null,
      resetTtlSeconds: own.MOBIUS_RESET_TTL_MINUTES * 60,
      inviteTtlSeconds: own.MOBIUS_INVITE_TTL_DAYS * 86_400,
    },
  };
}

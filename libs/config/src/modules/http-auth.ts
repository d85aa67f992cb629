import { z } from 'zod';
import { optional, postgresUrl } from '../fields.ts';
import { parseEnv, type Env } from '../parse-env.ts';

/** The shortest MOBIUS_SERVICE_TOKEN accepted (as SERVICE_TOKEN_MIN_LENGTH in @mobius/auth). */
const SERVICE_TOKEN_MIN_LENGTH = 32;

/** The longest the user directory may be cached (cachedUserDirectory in @mobius/auth caps it the same). */
export const ACTIVE_USER_CACHE_MAX_SECONDS = 60;

/** AUTH_ACTIVE_USER_CACHE_SECONDS: 0 to 60 whole seconds (chat's config reads the same variable). */
export const activeUserCacheSeconds = z.coerce
  .number({ message: 'is not a number' })
  .int('is not an integer')
  .min(0, 'must be 0 or more')
  .max(ACTIVE_USER_CACHE_MAX_SECONDS, `must be at most ${ACTIVE_USER_CACHE_MAX_SECONDS} (revocation takes effect within a minute)`);

/** A comma-separated list, trimmed, empty entries dropped. */
const list = (lowercase: boolean) =>
  optional(z.string()).transform((value) =>
    (value ?? '')
      .split(',')
      .map((entry) => (lowercase ? entry.trim().toLowerCase() : entry.trim()))
      .filter((entry) => entry !== ''),
  );

/** The guard's variables, each on its own (all are additions; httpAuthEnvSchema adds the combinations). */
const httpAuthEnvFields = z.object({
  /** Addition: `required` (default): every API route needs a credential; `none`: anyone (only `mobius dev` and tests). */
  AUTH: optional(z.enum(['required', 'none'], { message: 'must be required or none' })).default('required'),
  /** Addition: the shared service token (at least 32 characters) services and the CLI send as `Authorization: Bearer`. */
  MOBIUS_SERVICE_TOKEN: optional(z.string().min(SERVICE_TOKEN_MIN_LENGTH, `must be at least ${SERVICE_TOKEN_MIN_LENGTH} characters`)),
  /** HS256 secret shared with mobius-user: people's access tokens are accepted when it is set (with an allow list). */
  JWT_SECRET: optional(z.string()),
  /** Access token lifetime mobius-user mints with (a later `exp` is refused). */
  JWT_ACCESS_TOKEN_EXPIRE_MINUTES: optional(z.coerce.number({ message: 'is not a number' }).int().positive()).default(60),
  /** Addition: emails (comma-separated) of people admitted with their access token. */
  AUTH_ALLOWED_EMAILS: list(true),
  /** Addition: role names (`role.name`, comma-separated) whose users are admitted with their access token. */
  AUTH_ALLOWED_ROLES: list(false),
  /** The user database, where a token's user's status, email and role are read (required with an allow list). */
  USER_DATABASE_URL: optional(postgresUrl),
  /** Addition: the `aud` a Google OIDC ID token of a calling service must carry (Cloud Run: this service's URL). */
  AUTH_OIDC_AUDIENCE: optional(z.string().trim().min(1)),
  /** Addition: the service accounts (emails, comma-separated) whose Google OIDC tokens are admitted. */
  AUTH_OIDC_SERVICE_ACCOUNTS: list(true),
  /**
   * Addition: how long a person's status, email and role read from the user database are reused, in
   * seconds: a deactivated user is refused within this time. 0 reads on every request; at most 60
   * (revocation takes effect within a minute, docs/security.md).
   */
  AUTH_ACTIVE_USER_CACHE_SECONDS: optional(activeUserCacheSeconds).default(ACTIVE_USER_CACHE_MAX_SECONDS),
});

type HttpAuthEnv = z.infer<typeof httpAuthEnvFields>;

/**
 * The combinations, naming the variable to set (none with AUTH=none): an allow list needs JWT_SECRET
 * and USER_DATABASE_URL, an OIDC audience needs its service accounts, and AUTH=required (the default)
 * needs at least one kind of credential.
 */
function checkHttpAuthEnv(env: HttpAuthEnv, ctx: z.RefinementCtx): void {
  if (env.AUTH === 'none') return;
  const issue = (variable: keyof HttpAuthEnv, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  const listed = env.AUTH_ALLOWED_EMAILS.length + env.AUTH_ALLOWED_ROLES.length > 0;
  if (listed && !env.JWT_SECRET) {
    issue('JWT_SECRET', 'is required with AUTH_ALLOWED_EMAILS or AUTH_ALLOWED_ROLES');
    return;
  }
  if (listed && !env.USER_DATABASE_URL) {
    issue('USER_DATABASE_URL', 'is required with AUTH_ALLOWED_EMAILS or AUTH_ALLOWED_ROLES (roles and emails are read there)');
    return;
  }
  if (env.AUTH_OIDC_AUDIENCE && env.AUTH_OIDC_SERVICE_ACCOUNTS.length === 0) {
    issue('AUTH_OIDC_SERVICE_ACCOUNTS', 'is required with AUTH_OIDC_AUDIENCE');
    return;
  }
  if (!env.MOBIUS_SERVICE_TOKEN && !listed && !env.AUTH_OIDC_AUDIENCE) {
    issue(
      'AUTH',
      'is required (the default) but no credential is configured: set MOBIUS_SERVICE_TOKEN, AUTH_ALLOWED_EMAILS/AUTH_ALLOWED_ROLES with JWT_SECRET and USER_DATABASE_URL, or AUTH_OIDC_AUDIENCE; or AUTH=none where only you can reach the service',
    );
  }
}

/**
 * Who may call a guarded HTTP API (rag, vertex-sync's index views, the local vector index server, the
 * console; docs/security.md), each variable and then the combinations (checkHttpAuthEnv). With
 * AUTH=required (the default) at least one kind of credential must be configured, so a service never
 * starts open by omission.
 */
export const httpAuthEnvSchema = httpAuthEnvFields.superRefine(checkHttpAuthEnv);

/** What a guarded service admits; built into an AccessPolicy by @mobius/service's createAccessPolicy. */
export type HttpAuthConfig =
  | { mode: 'none' }
  | {
      mode: 'required';
      serviceToken?: string;
      people?: {
        jwtSecret: string;
        accessTokenMinutes: number;
        allowedEmails: string[];
        allowedRoles: string[];
        userDatabaseUrl: string;
        /** AUTH_ACTIVE_USER_CACHE_SECONDS in milliseconds. */
        activeUserCacheMs: number;
      };
      oidc?: { audience: string; serviceAccounts: string[] };
    };

/**
 * The guarded API's auth settings from `env`. Pure. Throws a ConfigError naming the variable: AUTH
 * when it is `required` (the default) and no credential kind is configured, JWT_SECRET or
 * USER_DATABASE_URL when an allow list lacks them, AUTH_OIDC_SERVICE_ACCOUNTS when an audience has none.
 */
export function loadHttpAuthConfig(service: string, env: Env): HttpAuthConfig {
  const parsed = parseEnv(service, httpAuthEnvSchema, env);
  if (parsed.AUTH === 'none') return { mode: 'none' };
  const listed = parsed.AUTH_ALLOWED_EMAILS.length + parsed.AUTH_ALLOWED_ROLES.length > 0;
  return {
    mode: 'required',
    ...(parsed.MOBIUS_SERVICE_TOKEN ? { serviceToken: parsed.MOBIUS_SERVICE_TOKEN } : {}),
    ...(listed
      ? {
          people: {
            jwtSecret: parsed.JWT_SECRET!,
            accessTokenMinutes: parsed.JWT_ACCESS_TOKEN_EXPIRE_MINUTES,
            allowedEmails: parsed.AUTH_ALLOWED_EMAILS,
            allowedRoles: parsed.AUTH_ALLOWED_ROLES,
            userDatabaseUrl: parsed.USER_DATABASE_URL!,
            activeUserCacheMs: parsed.AUTH_ACTIVE_USER_CACHE_SECONDS * 1000,
          },
        }
      : {}),
    ...(parsed.AUTH_OIDC_AUDIENCE ? { oidc: { audience: parsed.AUTH_OIDC_AUDIENCE, serviceAccounts: parsed.AUTH_OIDC_SERVICE_ACCOUNTS } } : {}),
  };
}

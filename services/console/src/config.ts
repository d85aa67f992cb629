import {
  loadHttpAuthConfig,
  loadPipelineConfig,
  loadRuntimeConfig,
  parseEnv,
  type Env,
  type HttpAuthConfig,
  type PipelineConfig,
  type RuntimeConfig,
} from '@mobius/config';
import { z } from 'zod';

/** Every default of the console, in one place. */
export const CONSOLE_DEFAULTS = {
  /** Local port (Cloud Run sets PORT); 8016 is the reconciler's, 8020 leaves room for more consumers. */
  port: 8020,
  /** The page reloads itself this often (a `<meta http-equiv=refresh>`, so it works without script). */
  refreshSeconds: 5,
  /** One sample of the pipeline's status for the charts every this many seconds. */
  sampleIntervalSeconds: 10,
  /** How far back the charts look: the ring holds window / interval samples (360 by default). */
  historyWindowSeconds: 3_600,
  /** Rows of the "recent sync runs" table. */
  syncRunsShown: 10,
  /** Dead letters shown per subscription (the newest). */
  deadLettersShown: 5,
  /**
   * Dead letters read per subscription, oldest first (the store's order; NATS reads them one request
   * each), of which the newest are shown: a page load stays cheap however many there are.
   */
  deadLetterScanLimit: 50,
  /** The freshness chart's bucket: one p50/p99 point per sink per minute with publishes. */
  freshnessBucketSeconds: 60,
  /** A stage whose oldest waiting item, or a sink whose freshness p99, passes this many seconds shows amber. */
  slowSeconds: 60,
  /** Shown for backlog and dead letters when the console has no bus (BUS unset or memory, as in the cloud catalogue). */
  noBusNote:
    'no bus configured for the console (BUS=memory): backlog and dead letters need BUS=nats or pubsub; mobius status and mobius dlq read them with your credentials',
  /** Largest request body: the console takes only the sign-in form (a token of a few hundred bytes). */
  bodyLimitBytes: 16 * 1024,
  /** The cookie that carries the access token after `/login` (HttpOnly, SameSite=Strict). */
  sessionCookie: 'mobius_console_token',
} as const;

const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const positiveInteger = z.coerce.number({ message: 'is not a number' }).int('is not an integer').positive('must be positive');

/** The console's own variables, besides the pipeline's (POSTGRES_*, CHAT_DATABASE_URL, BUS, TOPIC_PREFIX, ...). */
export const consoleEnvSchema = z.object({
  /**
   * Addition: `jwt` (default): the shared guard of every API (docs/security.md; its variables are
   * httpAuthEnvSchema's: AUTH, MOBIUS_SERVICE_TOKEN, JWT_SECRET, AUTH_ALLOWED_EMAILS,
   * AUTH_ALLOWED_ROLES, USER_DATABASE_URL, AUTH_OIDC_*), for the Bearer header and the sign-in cookie
   * alike; `none`: anyone may look, the same as AUTH=none (mobius dev's default only).
   */
  CONSOLE_AUTH: unsetIfEmpty(z.enum(['jwt', 'none'], { message: 'must be jwt or none' })).default('jwt'),
  /** Addition: seconds between the page's reloads. */
  CONSOLE_REFRESH_SECONDS: unsetIfEmpty(positiveInteger).default(CONSOLE_DEFAULTS.refreshSeconds),
  /** Addition: seconds between two samples of the charts' history (the last hour, in memory). */
  CONSOLE_SAMPLE_INTERVAL_SECONDS: unsetIfEmpty(positiveInteger).default(CONSOLE_DEFAULTS.sampleIntervalSeconds),
});

/** Who may look at the console: the guard's settings (loadHttpAuthConfig), `none` with CONSOLE_AUTH=none. */
export type ConsoleAuth = HttpAuthConfig;

export interface ConsoleConfig {
  pipeline: PipelineConfig;
  runtime: RuntimeConfig;
  auth: ConsoleAuth;
  refreshSeconds: number;
  sampleIntervalMs: number;
}

/**
 * The console's whole config; throws a ConfigError naming the wrong variable (AUTH when the guard has
 * no credential configured, JWT_SECRET or USER_DATABASE_URL when an allow list lacks them). Pure.
 */
export function loadConsoleConfig(env: Env): ConsoleConfig {
  const own = parseEnv('console', consoleEnvSchema, env);
  return {
    pipeline: loadPipelineConfig(env),
    runtime: loadRuntimeConfig('console', env, CONSOLE_DEFAULTS.port),
    auth: own.CONSOLE_AUTH === 'none' ? { mode: 'none' } : loadHttpAuthConfig('console', env),
    refreshSeconds: own.CONSOLE_REFRESH_SECONDS,
    sampleIntervalMs: own.CONSOLE_SAMPLE_INTERVAL_SECONDS * 1000,
  };
}

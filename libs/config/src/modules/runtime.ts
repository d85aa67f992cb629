import { z } from 'zod';
import { optional } from '../fields.ts';
import { parseEnv, type Env } from '../parse-env.ts';

/** What every service process reads besides its module's variables. */
export const runtimeEnvSchema = z.object({
  /** HTTP port (Cloud Run sets it); 0 lets the OS pick one. Each service has its own local default. */
  PORT: optional(z.coerce.number({ message: 'is not a number' }).int().min(0).max(65535, 'is not a valid port')),
  /**
   * Interface to listen on: loopback unless told otherwise, so a service started on a workstation is
   * not reachable from the network. The image sets 0.0.0.0 (a container is reached from outside it).
   */
  HOST: optional(z.string()).default('127.0.0.1'),
  /** pino level. */
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])).default('info'),
});

/** Which bus the services use; the same variables for every service (field by field; busEnvSchema adds the combinations). */
export const busEnvFields = z.object({
  /** Addition: `nats`, `pubsub` or `memory` (in-process: only `mobius dev` and tests). */
  BUS: optional(z.enum(['nats', 'pubsub', 'memory'])).default('nats'),
  NATS_URL: optional(z.string()).default('nats://127.0.0.1:4222'),
  /** Addition: prefix of every topic, subscription and stream, so environments can share a server. */
  TOPIC_PREFIX: optional(z.string().regex(/^[A-Za-z0-9_-]*$/, 'may hold only letters, digits, - and _')).default(''),
  // Google Pub/Sub (BUS=pubsub). Unset numbers take the bus's commented defaults (PUBSUB_DEFAULTS in
  // @mobius/bus), so every default lives in one place; the ranges are Pub/Sub's own.
  /** Addition: the project of the topics; falls back to GOOGLE_CLOUD_PROJECT, then to what the client detects (Cloud Run, GKE). */
  PUBSUB_PROJECT: optional(z.string().trim().min(1)),
  GOOGLE_CLOUD_PROJECT: optional(z.string().trim().min(1)),
  /** `host:port` of Google's Pub/Sub emulator (e.g. 127.0.0.1:8085); unset: the real service. */
  PUBSUB_EMULATOR_HOST: optional(z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port')),
  /** Addition: `pull` (GKE, local; default) or `push` (Cloud Run: messages arrive on POST /pubsub/push, nothing is pulled). */
  BUS_MODE: optional(z.enum(['pull', 'push'])).default('pull'),
  /** Addition: `auto` (default) creates topics, subscriptions, dead-letter topics at start; `off` where services lack admin rights (`mobius pubsub provision` creates them). */
  PUBSUB_PROVISION: optional(z.enum(['auto', 'off'])).default('auto'),
  /** Addition: ack deadline of the subscriptions created (10..600; default 60, the bus's ack wait). */
  PUBSUB_ACK_DEADLINE_SECONDS: optional(wholeNumber(10, 600)),
  /** Addition: retry policy of the subscriptions created, min and max backoff (0..600; defaults 1 and 60). */
  PUBSUB_MIN_BACKOFF_SECONDS: optional(wholeNumber(0, 600)),
  PUBSUB_MAX_BACKOFF_SECONDS: optional(wholeNumber(0, 600)),
  /** Addition: Pub/Sub's own dead-letter policy, a safety net behind the bus's (5..100; default 10). */
  PUBSUB_MAX_DELIVERY_ATTEMPTS: optional(wholeNumber(5, 100)),
  /** Addition: flow control per subscriber: unsettled messages and bytes at most (defaults 1000 and 104857600). */
  PUBSUB_MAX_OUTSTANDING_MESSAGES: optional(wholeNumber(1, 1_000_000)),
  PUBSUB_MAX_OUTSTANDING_BYTES: optional(wholeNumber(1, Number.MAX_SAFE_INTEGER)),
  /** Addition: keep acked messages (default true) so `mobius replay --from <time>|beginning` can seek back on the cloud. */
  PUBSUB_RETAIN_ACKED_MESSAGES: optional(z.enum(['true', 'false'], { message: 'must be true or false' })),
  /** Addition: push mode with provisioning: this service's public base URL; its subscriptions push to `<url>/pubsub/push`. */
  PUBSUB_PUSH_ENDPOINT: optional(z.url({ message: 'is not a URL' })),
  /** Addition: how POST /pubsub/push authenticates: `oidc` (default; Google-signed token) or `none` (emulator or loopback callers only). */
  PUSH_AUTH: optional(z.enum(['oidc', 'none'])).default('oidc'),
  /** Addition: the `aud` the push token must carry (the push subscription's audience); required with BUS_MODE=push and PUSH_AUTH=oidc. */
  PUSH_AUDIENCE: optional(z.string().trim().min(1)),
  /** Addition: the `email` of the service account Pub/Sub signs push tokens as; required with BUS_MODE=push and PUSH_AUTH=oidc. */
  PUSH_SERVICE_ACCOUNT: optional(z.email({ message: 'is not an email address' })),
});

/** A whole number given as a string in the environment, within [min, max]. */
function wholeNumber(min: number, max: number) {
  return z.coerce
    .number({ message: 'is not a number' })
    .int('is not an integer')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
}

export interface RuntimeConfig {
  port: number;
  host: string;
  logLevel: z.infer<typeof runtimeEnvSchema>['LOG_LEVEL'];
}

/** The bus variables as parsed (raw names); only the loaders read it. */
export type BusEnv = z.infer<typeof busEnvFields>;

/** How POST /pubsub/push authenticates Pub/Sub (the Bus port's PushAuthSettings). */
export type PushAuthSettings = { kind: 'none' } | { kind: 'oidc'; audience: string; serviceAccountEmail: string };

/**
 * The Pub/Sub adapter's settings (the Bus port's PubSubOptions): unset numbers take the bus's
 * defaults (PUBSUB_DEFAULTS in @mobius/bus).
 */
export interface PubSubSettings {
  /** PUBSUB_PROJECT, else GOOGLE_CLOUD_PROJECT, else `mobius-local` on the emulator; unset: the client detects it. */
  projectId?: string;
  emulatorHost?: string;
  mode: 'pull' | 'push';
  provision: 'auto' | 'off';
  ackDeadlineSeconds?: number;
  minBackoffSeconds?: number;
  maxBackoffSeconds?: number;
  maxDeliveryAttempts?: number;
  maxOutstandingMessages?: number;
  maxOutstandingBytes?: number;
  retainAckedMessages?: boolean;
  pushEndpoint?: string;
  pushAuth: PushAuthSettings;
}

/** Which bus a service uses and how (BUS, NATS_URL, TOPIC_PREFIX, BUS_MODE, PUBSUB_*, PUSH_*), checked whole. */
export interface BusSettings {
  kind: 'nats' | 'pubsub' | 'memory';
  natsUrl: string;
  topicPrefix: string;
  /** Read only with `kind: 'pubsub'`. */
  pubsub: PubSubSettings;
}

/** The bus settings (kept under the old name for the callers). */
export type BusConfig = BusSettings;

/**
 * The combinations zod cannot check field by field, each naming the variable to set: BUS_MODE=push
 * needs BUS=pubsub; with BUS=pubsub, push with PUSH_AUTH=oidc needs PUSH_AUDIENCE and
 * PUSH_SERVICE_ACCOUNT, and PUBSUB_MAX_BACKOFF_SECONDS must not be below PUBSUB_MIN_BACKOFF_SECONDS.
 */
export function checkBusEnv(env: BusEnv, ctx: z.RefinementCtx): void {
  const issue = (variable: keyof BusEnv, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  if (env.BUS !== 'pubsub') {
    if (env.BUS_MODE === 'push') issue('BUS_MODE', `push needs BUS=pubsub (BUS is ${env.BUS})`);
    return;
  }
  if (env.BUS_MODE === 'push' && env.PUSH_AUTH === 'oidc') {
    if (env.PUSH_AUDIENCE === undefined) issue('PUSH_AUDIENCE', 'is required with BUS_MODE=push and PUSH_AUTH=oidc');
    else if (env.PUSH_SERVICE_ACCOUNT === undefined) issue('PUSH_SERVICE_ACCOUNT', 'is required with BUS_MODE=push and PUSH_AUTH=oidc');
  }
  if ((env.PUBSUB_MIN_BACKOFF_SECONDS ?? 0) > (env.PUBSUB_MAX_BACKOFF_SECONDS ?? Number.MAX_SAFE_INTEGER)) {
    issue('PUBSUB_MAX_BACKOFF_SECONDS', 'must not be below PUBSUB_MIN_BACKOFF_SECONDS');
  }
}

/** The bus variables, each checked and then the combinations (checkBusEnv). */
export const busEnvSchema = busEnvFields.superRefine(checkBusEnv);

/** Leaves out the keys whose value is undefined (the bus's defaults apply to those). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** Maps the parsed (and checked) bus variables to the bus settings. */
export function busSettingsOf(env: BusEnv): BusSettings {
  const pushAuth: PushAuthSettings =
    env.PUSH_AUTH === 'oidc' && env.BUS_MODE === 'push' && env.PUSH_AUDIENCE !== undefined && env.PUSH_SERVICE_ACCOUNT !== undefined
      ? { kind: 'oidc', audience: env.PUSH_AUDIENCE, serviceAccountEmail: env.PUSH_SERVICE_ACCOUNT }
      : { kind: 'none' };
  const pubsub: PubSubSettings = {
    mode: env.BUS_MODE,
    provision: env.PUBSUB_PROVISION,
    pushAuth,
    ...defined({
      projectId: env.PUBSUB_PROJECT ?? env.GOOGLE_CLOUD_PROJECT ?? (env.PUBSUB_EMULATOR_HOST ? 'mobius-local' : undefined),
      emulatorHost: env.PUBSUB_EMULATOR_HOST,
      ackDeadlineSeconds: env.PUBSUB_ACK_DEADLINE_SECONDS,
      minBackoffSeconds: env.PUBSUB_MIN_BACKOFF_SECONDS,
      maxBackoffSeconds: env.PUBSUB_MAX_BACKOFF_SECONDS,
      maxDeliveryAttempts: env.PUBSUB_MAX_DELIVERY_ATTEMPTS,
      maxOutstandingMessages: env.PUBSUB_MAX_OUTSTANDING_MESSAGES,
      maxOutstandingBytes: env.PUBSUB_MAX_OUTSTANDING_BYTES,
      retainAckedMessages: env.PUBSUB_RETAIN_ACKED_MESSAGES === undefined ? undefined : env.PUBSUB_RETAIN_ACKED_MESSAGES === 'true',
      pushEndpoint: env.PUBSUB_PUSH_ENDPOINT,
    }),
  };
  return { kind: env.BUS, natsUrl: env.NATS_URL, topicPrefix: env.TOPIC_PREFIX, pubsub };
}

/** The runtime settings of `service`, with its default port. */
export function loadRuntimeConfig(service: string, env: Env, defaultPort: number): RuntimeConfig {
  const parsed = parseEnv(service, runtimeEnvSchema, env);
  return { port: parsed.PORT ?? defaultPort, host: parsed.HOST, logLevel: parsed.LOG_LEVEL };
}

/** The bus settings shared by every service; throws a ConfigError naming the variable (combinations included). */
export function loadBusConfig(service: string, env: Env): BusSettings {
  return busSettingsOf(parseEnv(service, busEnvSchema, env));
}

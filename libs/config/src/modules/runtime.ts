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

/** Which bus the services use; the same variables for every service. */
export const busEnvSchema = z.object({
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

export type BusConfig = z.infer<typeof busEnvSchema>;

/** The runtime settings of `service`, with its default port. */
export function loadRuntimeConfig(service: string, env: Env, defaultPort: number): RuntimeConfig {
  const parsed = parseEnv(service, runtimeEnvSchema, env);
  return { port: parsed.PORT ?? defaultPort, host: parsed.HOST, logLevel: parsed.LOG_LEVEL };
}

/** The bus settings shared by every service. */
export function loadBusConfig(service: string, env: Env): BusConfig {
  return parseEnv(service, busEnvSchema, env);
}

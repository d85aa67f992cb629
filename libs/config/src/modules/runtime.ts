import { z } from 'zod';
import { optional } from '../fields.ts';
import { parseEnv, type Env } from '../parse-env.ts';

/** What every service process reads besides its module's variables. */
export const runtimeEnvSchema = z.object({
  /** HTTP port (Cloud Run sets it); 0 lets the OS pick one. Each service has its own local default. */
  PORT: optional(z.coerce.number({ message: 'is not a number' }).int().min(0).max(65535, 'is not a valid port')),
  /** Interface to listen on. */
  HOST: optional(z.string()).default('0.0.0.0'),
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
});

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

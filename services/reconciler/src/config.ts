import { loadPipelineConfig, loadRuntimeConfig, parseEnv, type Env, type PipelineConfig, type RuntimeConfig } from '@mobius/config';
import { z } from 'zod';

/** Every default of the reconciler, in one place. */
export const RECONCILER_DEFAULTS = {
  /** Local port (Cloud Run sets PORT); 8015 is the local vector index server's. */
  port: 8016,
  /** Seconds between passes: a hard delete by the existing app leaves Chat and the index within this. */
  intervalSeconds: 300,
} as const;

const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** The reconciler's own variables, besides the pipeline's (POSTGRES_*, CHAT_DATABASE_URL, VECTOR_INDEX, ...). */
export const reconcilerEnvSchema = z.object({
  /** Addition: seconds between check-and-repair passes; 0 turns the passes off (the service only serves /metrics). */
  RECONCILE_INTERVAL_SECONDS: unsetIfEmpty(
    z.coerce.number({ message: 'is not a number' }).int('is not an integer').min(0, 'must be 0 (off) or more'),
  ).default(RECONCILER_DEFAULTS.intervalSeconds),
  /** Addition: `repair` (default) checks and repairs; `check` only reports drift (a shadow run before cutover). */
  RECONCILE_MODE: unsetIfEmpty(z.enum(['repair', 'check'])).default('repair'),
});

export interface ReconcilerConfig {
  /** The RAG database it checks against, built from POSTGRES_* (`mobius dev` gives its own). */
  ragDatabaseUrl: string;
  /** CHAT_DATABASE_URL (`chatDatabaseUrl`), VECTOR_INDEX and its variables, EMBEDDING_DIMENSIONS. */
  pipeline: PipelineConfig;
  runtime: RuntimeConfig;
  intervalMs: number;
  mode: 'repair' | 'check';
}

/** The reconciler's whole config; throws a ConfigError naming the wrong variable. Pure. */
export function loadReconcilerConfig(env: Env): ReconcilerConfig {
  const own = parseEnv('reconciler', reconcilerEnvSchema, env);
  const pipeline = loadPipelineConfig(env);
  return {
    ragDatabaseUrl: pipeline.ragDatabaseUrl,
    pipeline,
    runtime: loadRuntimeConfig('reconciler', env, RECONCILER_DEFAULTS.port),
    intervalMs: own.RECONCILE_INTERVAL_SECONDS * 1000,
    mode: own.RECONCILE_MODE,
  };
}

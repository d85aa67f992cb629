import type { z } from 'zod';
import { ConfigError } from './errors.ts';
import { isolatedEnv } from './isolate.ts';

/** The process environment, or any plain record of variables (tests pass their own). */
export type Env = Record<string, string | undefined>;

/**
 * Parses `env` with `schema`: each variable, then the combinations (the schemas' superRefine, whose
 * issue names the variable to set). On failure throws a ConfigError naming the first wrong variable
 * and why, without quoting its value.
 */
export function parseEnv<T extends z.ZodType>(module: string, schema: T, env: Env): z.infer<T> {
  // MOBIUS_ISOLATE=<name> derives the databases, topic prefix and index directory left unset (isolate.ts).
  const result = schema.safeParse(isolatedEnv(env));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'environment');
  const given = env[variable];
  // A combination's issue says itself what is required with what; a field's own says only what is wrong.
  const reason = issue.code !== 'custom' && (given === undefined || given === '') ? 'is required' : issue.message;
  throw new ConfigError(module, variable, reason);
}

/** Throws the ConfigError for a variable that is required in `prod`. */
export function requiredInProd(module: string, variable: string): never {
  throw new ConfigError(module, variable, 'is required with --env prod (no local default in production)');
}

import { resolve } from 'node:path';
import type { Env } from '@mobius/config';
import { dataDirOf } from '../dev/defaults.ts';
import { readSecret } from '../dev/secrets.ts';
import type { CliIO } from '../io.ts';
import { readDevRuntime, type DevRuntime, type DevRuntimeState } from './dev-runtime.ts';
import { DEV_VARIABLE_GROUPS } from './variables.ts';

/** Where a value a command uses came from. */
export type ValueSource = 'environment' | 'mobius dev' | 'default';

export interface ResolveOptions {
  /** The data directory to look in (a command's --data-dir); default MOBIUS_DATA_DIR, else `<repo>/.mobius`. */
  dataDir?: string | undefined;
  /** False: never take values from a running dev (`mobius migrate --env prod`). ENV=prod means false too. */
  useDev?: boolean;
}

/** The environment a CLI command works with, and where it came from. */
export interface ResolvedCliEnv {
  /** The caller's environment, with the gaps filled from the running `mobius dev` (if any). */
  env: Env;
  /** The data directory looked at (--data-dir, MOBIUS_DATA_DIR, else `<repo>/.mobius`), absolute. */
  dataDir: string;
  /** What was found there: a running dev, a stale runtime file, or nothing. */
  dev: DevRuntimeState;
  /** Where a variable's value came from: the environment, the running dev, or (unset) the command's default. */
  sourceOf(variable: string): ValueSource;
}

const isSet = (env: Env, name: string) => env[name] !== undefined && env[name] !== '';

/** The variables of `runtime` that fill groups the environment leaves entirely unset. */
function fromDev(env: Env, runtime: DevRuntime): Record<string, string> {
  const filled: Record<string, string> = {};
  for (const group of Object.values(DEV_VARIABLE_GROUPS)) {
    if (group.some((name) => isSet(env, name))) continue;
    for (const name of group) if (runtime.env[name] !== undefined) filled[name] = runtime.env[name];
  }
  if (!isSet(env, 'ENV')) filled.ENV = 'dev';
  return filled;
}

/**
 * The one place that answers "which databases, bus, index and URLs does this command use": the
 * environment where it says, else the running `mobius dev` of the data directory (its
 * `runtime.json`, when its pid is alive), else the command's own defaults (left unset here). The JWT
 * secret is filled from the running dev's secret file when JWT_SECRET is unset. A production
 * environment (ENV=prod, or `useDev: false`) never takes a dev's values. Commands call it first and
 * read `env` instead of `io.env`.
 */
export async function resolveCliEnv(io: CliIO, options: ResolveOptions = {}): Promise<ResolvedCliEnv> {
  const dataDir = resolve(dataDirOf(options.dataDir, io.env));
  const dev = await readDevRuntime(dataDir);
  const useDev = options.useDev !== false && io.env.ENV !== 'prod';
  const filled = dev.state === 'running' && useDev ? fromDev(io.env, dev.runtime) : {};
  if (dev.state === 'running' && useDev && !isSet(io.env, 'JWT_SECRET') && dev.runtime.secrets.jwtSecret) {
    const secret = await readSecret(dev.runtime.secrets.jwtSecret);
    if (secret !== undefined) filled.JWT_SECRET = secret;
  }
  const env: Env = { ...io.env, ...filled };
  const sourceOf = (variable: string): ValueSource => (variable in filled ? 'mobius dev' : isSet(io.env, variable) ? 'environment' : 'default');
  return { env, dataDir, dev, sourceOf };
}

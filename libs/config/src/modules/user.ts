import { z } from 'zod';
import { deployEnvSchema, localDatabaseUrl, optional, postgresUrl } from '../fields.ts';
import { parseEnv, requiredInProd, type Env } from '../parse-env.ts';
import type { DatabaseConfig, LoadOptions } from './database-config.ts';

/** The user database's variables: what `mobius migrate` needs. */
export const userDatabaseEnvSchema = z.object({
  ENV: optional(deployEnvSchema),
  /** The user database. */
  USER_DATABASE_URL: optional(postgresUrl),
});

/** mobius-user's full environment: the database plus the token settings shared with os and chat. */
export const userEnvSchema = userDatabaseEnvSchema.extend({
  /** HS256 secret shared with os and chat. Required, never defaulted: a built-in secret is a forgery kit. */
  JWT_SECRET: z.string({ message: 'is required (the HS256 secret shared with os and chat)' }).min(1, 'is empty'),
  /** Access token lifetime. */
  JWT_ACCESS_TOKEN_EXPIRE_MINUTES: optional(z.coerce.number().int().positive()).default(60),
  /** Refresh token lifetime. */
  JWT_REFRESH_TOKEN_EXPIRE_DAYS: optional(z.coerce.number().int().positive()).default(7),
});

export const USER_DEFAULT_DATABASE = 'mobius_user';

export interface UserConfig extends DatabaseConfig {
  jwtSecret: string;
  accessTokenMinutes: number;
  refreshTokenDays: number;
}

/** Resolves the user database: `USER_DATABASE_URL`, else (dev only) the local `mobius_user`. */
export function loadUserDatabaseConfig(env: Env, options: LoadOptions = {}): DatabaseConfig {
  const parsed = parseEnv('user', userDatabaseEnvSchema, env);
  const deployEnv = options.deployEnv ?? parsed.ENV ?? 'dev';
  if (parsed.USER_DATABASE_URL) {
    return { module: 'user', databaseUrl: parsed.USER_DATABASE_URL, source: 'USER_DATABASE_URL', deployEnv };
  }
  if (deployEnv === 'prod') requiredInProd('user', 'USER_DATABASE_URL');
  return { module: 'user', databaseUrl: localDatabaseUrl(USER_DEFAULT_DATABASE), source: 'dev default', deployEnv };
}

/** The user service's whole config; throws when JWT_SECRET is missing, in every environment. */
export function loadUserConfig(env: Env, options: LoadOptions = {}): UserConfig {
  const parsed = parseEnv('user', userEnvSchema, env);
  return {
    ...loadUserDatabaseConfig(env, options),
    jwtSecret: parsed.JWT_SECRET,
    accessTokenMinutes: parsed.JWT_ACCESS_TOKEN_EXPIRE_MINUTES,
    refreshTokenDays: parsed.JWT_REFRESH_TOKEN_EXPIRE_DAYS,
  };
}

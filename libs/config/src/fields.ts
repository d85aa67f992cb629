import { z } from 'zod';

/** `dev` falls back to local defaults; `prod` requires every connection to be given explicitly. */
export const deployEnvSchema = z.enum(['dev', 'prod']);
export type DeployEnv = z.infer<typeof deployEnvSchema>;

/** Where the dev defaults point: the machine's or compose's Postgres, trust auth, user `postgres`. */
export const LOCAL_POSTGRES = { host: 'localhost', port: 5432, user: 'postgres' } as const;

/**
 * A Unix-socket URL as libpq and node-postgres read it, with no host before the path
 * (`postgresql://user:pw@/db?host=/cloudsql/p:r:i`), which WHATWG `URL` rejects.
 */
const SOCKET_URL = /^postgres(?:ql)?:\/\/[^/?#]*\/[^?#]*\?(?:[^#]*&)?host=(?:\/|%2F)/i;

/** A `postgres://` or `postgresql://` URL. The error never repeats the value (it may hold a password). */
export const postgresUrl = z
  .string()
  .trim()
  .min(1, 'is empty')
  .refine(
    (value) => {
      try {
        const protocol = new URL(value).protocol;
        return protocol === 'postgres:' || protocol === 'postgresql:';
      } catch {
        return SOCKET_URL.test(value);
      }
    },
    { message: 'is not a valid postgres:// URL' },
  );

/** A TCP port given as a string in the environment. */
export const port = z.coerce
  .number({ message: 'is not a number' })
  .int('is not an integer')
  .min(1, 'is not a valid port')
  .max(65535, 'is not a valid port');

/** Treats a variable set to the empty string as unset, as shells and compose files often leave them. */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
}

/** The URL of a database on the local Postgres, used only by `dev`. */
export function localDatabaseUrl(database: string): string {
  const { host, port: localPort, user } = LOCAL_POSTGRES;
  return `postgresql://${user}@${host}:${localPort}/${database}`;
}

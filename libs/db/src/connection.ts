import { maskUrl, maskUrlsIn } from '@mobius/config';
import pg from 'pg';
import { parse } from 'pg-connection-string';
import { DatabaseMissingError, DatabaseUnreachableError } from './errors.ts';

/**
 * Session settings of every connection we open, sent at connect time (no extra round trip):
 * `timestamp::text` follows DateStyle, and rows travel between databases as that text
 * (`2026-01-02 03:04:05.123456`, microseconds kept), so it must not depend on a server's setting.
 */
export const SESSION_OPTIONS = '-c DateStyle=ISO,MDY';

/** How long to wait for a server before calling it unreachable. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** The parts of a postgres URL an operator needs to see, password masked. */
export function describeDatabase(url: string): { host: string; database: string; masked: string } {
  // pg's own parser: it reads socket URLs (`postgresql://u@/db?host=/cloudsql/x`) that WHATWG URL rejects.
  const parsed = parse(url);
  const socket = parsed.host?.startsWith('/');
  const host = socket ? `${parsed.host} (socket)` : `${parsed.host || 'localhost'}:${parsed.port || '5432'}`;
  return { host, database: parsed.database ?? '', masked: maskUrl(url) };
}

/** Postgres error codes a caller may branch on. */
export const PG_ERROR = {
  invalidCatalogName: '3D000',
  duplicateDatabase: '42P04',
  uniqueViolation: '23505',
  lockNotAvailable: '55P03',
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
} as const;

/** Turns a driver's connection failure into an error that names the host and never the password. */
export function connectionError(url: string, error: unknown): Error {
  const { host, database } = describeDatabase(url);
  const code = (error as { code?: string }).code;
  if (code === PG_ERROR.invalidCatalogName) {
    return new DatabaseMissingError(`${database} on ${host}`, 'create it, or run with --env dev to create it');
  }
  const reason = maskUrlsIn(error instanceof Error ? error.message : String(error));
  return new DatabaseUnreachableError(`database ${database} at ${host}`, reason, { cause: error });
}

/**
 * Opens one client on `url` (or on another `database` of the same server), with the connect timeout
 * and an error that names the host, never the password, on failure.
 */
export async function connectClient(url: string, applicationName = 'mobius', database?: string): Promise<pg.Client> {
  // Parsed here rather than passed as `connectionString`, which pg would let override `database`.
  const parts = parse(url) as pg.ClientConfig;
  const client = new pg.Client({
    ...parts,
    database: database ?? parts.database,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: applicationName,
    options: SESSION_OPTIONS,
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(url, error);
  }
  return client;
}

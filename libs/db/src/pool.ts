import pg from 'pg';
import { CONNECT_TIMEOUT_MS, SESSION_OPTIONS } from './connection.ts';

export interface PoolOptions {
  /** Shown in pg_stat_activity, so an operator can tell the services apart. */
  applicationName: string;
  /** Most connections the pool opens. */
  max?: number;
  /** Called when an idle client errors (server restart, network cut); the pool drops that client. */
  onIdleError?: (error: Error) => void;
}

/** Default pool size: small, since every service runs several instances against one server. */
export const DEFAULT_POOL_MAX = 10;

/**
 * A pg pool on `url`. Idle-client errors are reported, not thrown: without a listener pg would crash
 * the process when the server restarts.
 */
export function createPool(url: string, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: options.applicationName,
    max: options.max ?? DEFAULT_POOL_MAX,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    options: SESSION_OPTIONS,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  // pg-pool listens for errors only on idle clients: a checked-out client whose connection dies
  // (Postgres restarted, network cut) while no query runs on it (a session lock held during a pass,
  // a transaction awaiting the bus) would emit 'error' with no listener and crash the process.
  // Found by the chaos suite (pg-restart). The error is not lost: the client is no longer queryable,
  // so its next query rejects, and the pool discards it at release.
  pool.on('connect', (client) => client.on('error', ignoreCheckedOutClientError));
  return pool;
}

/** See createPool: a checked-out client's connection error surfaces on its next query. */
function ignoreCheckedOutClientError(): void {}

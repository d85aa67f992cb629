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
  return pool;
}

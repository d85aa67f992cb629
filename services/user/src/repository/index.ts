import type pg from 'pg';
import { createDirectoryStore } from './directory.ts';
import { createDirectoryAdminStore } from './directory-admin.ts';
import { createLifecycleStore } from './lifecycle.ts';
import { createPreferenceStore } from './preferences.ts';
import { createSessionStore } from './sessions.ts';
import type { UserRepository } from './types.ts';
import { createUserStore } from './users.ts';

export type * from './types.ts';
export type * from './directory-types.ts';
export type * from './lifecycle-types.ts';
export type * from './directory-admin-types.ts';

/**
 * The user repository on `pool`: every SQL statement of the service goes through it. Every
 * connection of the pool is switched to UTC first: the columns are `timestamp` without time zone
 * holding UTC, and their `now()` defaults (created_at, added_at) must not follow the server's zone.
 */
export function createUserRepository(pool: pg.Pool): UserRepository {
  // Queries on one client run in order, so this SET precedes the first statement of the connection;
  // if it fails, that statement fails too (the connection is broken), so nothing is lost by ignoring it here.
  pool.on('connect', (client) => void client.query(`SET TIME ZONE 'UTC'`).catch(() => undefined));
  return {
    users: createUserStore(pool),
    preferences: createPreferenceStore(pool),
    sessions: createSessionStore(pool),
    directory: createDirectoryStore(pool),
    directoryAdmin: createDirectoryAdminStore(pool),
    lifecycle: createLifecycleStore(pool),
    ping: async () => {
      await pool.query('SELECT 1');
    },
  };
}

import { AUTH_ERROR_CODES, AuthError, AuthUnavailableError } from './errors.ts';

/**
 * What an API needs to know about the user behind a valid access token, read from mobius-user's
 * database (`app_user`, `role`; docs/contracts.md, "The user database"): whether the user is still active (a token
 * outlives a deactivation by up to its lifetime), and the email and role that admission lists name.
 */
export interface UserRecord {
  /** `app_user.status`; only `active` users are admitted. */
  status: string;
  /** `app_user.email`, lowercased. */
  email: string | null;
  /** `role.name` of `app_user.role_id`, or null without a role. */
  role: string | null;
}

/** The port: one user by id; undefined when no such user exists. */
export interface UserDirectory {
  lookup(userId: string): Promise<UserRecord | undefined>;
}

/** The least a Postgres pool must offer (node-postgres' `Pool#query`). */
export interface Queryable {
  query(sql: string, values: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** Every default of the directory, in one place. */
export const USER_DIRECTORY_DEFAULTS = {
  /** How long a lookup is reused: a deactivated user is refused at most this long after. */
  cacheTtlMs: 60_000,
  /** Entries kept at most (oldest dropped first), so a flood of distinct ids cannot grow memory. */
  cacheMaxEntries: 10_000,
} as const;

/** A uuid (any version, either case): a `sub` that is not one names no `app_user` row. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The directory on mobius-user's database: one indexed read by primary key. */
export function postgresUserDirectory(pool: Queryable): UserDirectory {
  return {
    async lookup(userId) {
      if (!UUID.test(userId)) return undefined;
      const { rows } = await pool.query(
        'SELECT u.status, lower(u.email) AS email, r.name AS role FROM app_user u LEFT JOIN role r ON r.role_id = u.role_id WHERE u.user_id = $1',
        [userId],
      );
      const row = rows[0];
      if (!row) return undefined;
      return { status: String(row.status), email: (row.email as string | null) ?? null, role: (row.role as string | null) ?? null };
    },
  };
}

/**
 * `directory` with each answer (found or not) reused for `ttlMs` (at most USER_DIRECTORY_DEFAULTS.cacheTtlMs:
 * revocation must take effect within a minute). Concurrent lookups of one id share one read.
 */
export function cachedUserDirectory(
  directory: UserDirectory,
  options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): UserDirectory {
  const ttlMs = Math.min(options.ttlMs ?? USER_DIRECTORY_DEFAULTS.cacheTtlMs, USER_DIRECTORY_DEFAULTS.cacheTtlMs);
  const maxEntries = options.maxEntries ?? USER_DIRECTORY_DEFAULTS.cacheMaxEntries;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; answer: Promise<UserRecord | undefined> }>();
  return {
    lookup(userId) {
      const hit = cache.get(userId);
      if (hit && now() - hit.at < ttlMs) return hit.answer;
      cache.delete(userId);
      const answer = directory.lookup(userId);
      // A failed read is not remembered: the next request asks again.
      answer.catch(() => cache.delete(userId));
      cache.set(userId, { at: now(), answer });
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      return answer;
    },
  };
}

/**
 * The user behind a valid token, when `active` in `directory`. Throws AuthError USER_INACTIVE (401)
 * when the user is absent or not active (deactivated since the token was minted), and
 * AuthUnavailableError (503) when the directory cannot be read: never admits on a failed read.
 */
export async function activeUser(directory: UserDirectory, userId: string): Promise<UserRecord> {
  const user = await directory.lookup(userId).catch((error: unknown) => {
    throw new AuthUnavailableError('the user directory cannot be read; try again', { cause: error });
  });
  if (user?.status !== 'active') throw new AuthError(AUTH_ERROR_CODES.userInactive, "the token's user does not exist or is not active");
  return user;
}

import { DEFAULT_TENANT_ID } from '@mobius/auth';
import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import { readAccount } from './accounts.ts';
import { UNIQUE_VIOLATION } from './sql.ts';
import type { CreateUserResult, NewUser, UserKey, UserStore } from './types.ts';

/** The default tenant's name when it has to be created (the migration seeds the same row). */
const DEFAULT_TENANT_NAME = 'Default';

interface KeyRow {
  user_id: string;
  tenant_id: string;
  status: string | null;
  password_hash: string | null;
}

const keyOf = (row: KeyRow | undefined): UserKey | undefined =>
  row && { userId: row.user_id, tenantId: row.tenant_id, status: row.status, passwordHash: row.password_hash };

async function insertUser(client: pg.PoolClient, user: NewUser): Promise<string> {
  if (user.tenantId === DEFAULT_TENANT_ID) {
    await client.query('INSERT INTO tenant (tenant_id, name) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING', [
      user.tenantId,
      DEFAULT_TENANT_NAME,
    ]);
  }
  const inserted = await client.query<{ user_id: string }>(
    `INSERT INTO app_user (tenant_id, email, password_hash, display_name, first_name, preferred_name, avatar_url, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'active') RETURNING user_id`,
    [user.tenantId, user.email, user.passwordHash, user.displayName, user.firstName, user.preferredName, user.avatarUrl],
  );
  const userId = inserted.rows[0]!.user_id;
  // The `email` provider's id is the user id: an email may exist in several tenants, and
  // (provider, provider_user_id) is unique across all of them.
  const providerUserId = user.provider.name === 'google' ? user.provider.providerUserId : userId;
  await client.query(`INSERT INTO auth_provider_link (user_id, provider, provider_user_id, email) VALUES ($1, $2, $3, $4)`, [
    userId,
    user.provider.name,
    providerUserId,
    user.email,
  ]);
  return userId;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === UNIQUE_VIOLATION;

/** The user store on `pool`. */
export function createUserStore(pool: pg.Pool): UserStore {
  return {
    async createUser(user): Promise<CreateUserResult> {
      try {
        return { kind: 'created', userId: await withTransaction(pool, (client) => insertUser(client, user)) };
      } catch (error) {
        // A concurrent registration of the same email committed first: the unique index on
        // (tenant_id, lower(email)) made this insert wait for it, then refused it.
        if (isUniqueViolation(error)) return { kind: 'email_taken' };
        throw error;
      }
    },

    async findByEmail(tenantId, email) {
      const result = await pool.query<KeyRow>(
        `SELECT user_id, tenant_id, status, password_hash FROM app_user WHERE tenant_id = $1 AND lower(email) = $2`,
        [tenantId, email],
      );
      return keyOf(result.rows[0]);
    },

    async findByProvider(provider, providerUserId) {
      const result = await pool.query<KeyRow>(
        `SELECT u.user_id, u.tenant_id, u.status, u.password_hash
           FROM auth_provider_link l JOIN app_user u ON u.user_id = l.user_id
          WHERE l.provider = $1 AND l.provider_user_id = $2`,
        [provider, providerUserId],
      );
      return keyOf(result.rows[0]);
    },

    async linkProvider(userId, provider, providerUserId, email) {
      await pool.query(
        `INSERT INTO auth_provider_link (user_id, provider, provider_user_id, email) VALUES ($1, $2, $3, $4)
         ON CONFLICT (provider, provider_user_id) DO NOTHING`,
        [userId, provider, providerUserId, email],
      );
    },

    async registrationOpen(tenantId) {
      if (tenantId === DEFAULT_TENANT_ID) return true;
      const result = await pool.query<{ open: boolean }>(
        `SELECT s.open_registration AS open FROM user_ext.tenant_settings s JOIN tenant t ON t.tenant_id = s.tenant_id
          WHERE s.tenant_id = $1`,
        [tenantId],
      );
      return result.rows[0]?.open === true;
    },

    account: (userId) => readAccount(pool, userId),
  };
}

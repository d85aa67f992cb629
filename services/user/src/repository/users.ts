import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import { UNIQUE_VIOLATION, iso } from './sql.ts';
import type { CreateUserResult, NewUser, UserActivity, UserPreference, UserProfile, UserStore } from './types.ts';

const PROFILE_SQL = `
  SELECT u.user_id, u.tenant_id, u.email, u.display_name, u.first_name, u.preferred_name, u.status,
         r.name AS role, u.timezone, u.locale, u.avatar_url,
         ${iso('u.created_at')} AS created_at, ${iso('u.last_login_at')} AS last_login_at,
         ${iso('u.onboarding_completed_at')} AS onboarding_completed_at
    FROM app_user u LEFT JOIN role r ON r.role_id = u.role_id
   WHERE u.user_id = $1`;

const ACTIVITIES_SQL = `
  SELECT a.activity_id, a.activity_code, a.label, a.description, a.quick_actions, a.relevant_data_fields,
         a.display_order, a.is_active, ua.is_primary, ${iso('ua.added_at')} AS added_at
    FROM user_activity ua JOIN activity a ON a.activity_id = ua.activity_id
   WHERE ua.user_id = $1
   ORDER BY ua.is_primary DESC NULLS LAST, a.display_order, a.activity_code`;

const PREFERENCE_SQL = `
  SELECT preference_id, always_require_oversight, notification_preferences, tone, greeting_enabled,
         ai_experience_level, autonomy_routine_tasks, autonomy_sensitive_tasks, display_preferences_json,
         ${iso('created_at')} AS created_at, ${iso('updated_at')} AS updated_at
    FROM user_preference WHERE user_id = $1`;

async function ensureTenant(client: pg.PoolClient, user: NewUser): Promise<boolean> {
  if (user.createTenantIfMissing) {
    await client.query('INSERT INTO tenant (tenant_id, name) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING', [
      user.tenantId,
      user.createTenantIfMissing.name,
    ]);
  }
  const found = await client.query('SELECT 1 FROM tenant WHERE tenant_id = $1', [user.tenantId]);
  return found.rowCount === 1;
}

async function insertUser(client: pg.PoolClient, user: NewUser): Promise<string> {
  const inserted = await client.query<{ user_id: string }>(
    `INSERT INTO app_user (tenant_id, email, password_hash, display_name, first_name, preferred_name, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'active') RETURNING user_id`,
    [user.tenantId, user.email, user.passwordHash, user.displayName, user.firstName, user.preferredName],
  );
  const userId = inserted.rows[0]!.user_id;
  // The provider's id for `email` is the user id: an email may exist in several tenants, and
  // (provider, provider_user_id) is unique across all of them.
  await client.query(
    `INSERT INTO auth_provider_link (user_id, provider, provider_user_id, email) VALUES ($1, 'email', $2, $3)`,
    [userId, userId, user.email],
  );
  return userId;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === UNIQUE_VIOLATION;

/** The user store on `pool`. */
export function createUserStore(pool: pg.Pool): UserStore {
  return {
    async createUser(user): Promise<CreateUserResult> {
      try {
        return await withTransaction(pool, async (client) => {
          if (!(await ensureTenant(client, user))) return { kind: 'tenant_unknown' } as const;
          return { kind: 'created', userId: await insertUser(client, user) } as const;
        });
      } catch (error) {
        // A concurrent registration of the same email committed first: the unique index on
        // (tenant_id, lower(email)) made this insert wait for it, then refused it.
        if (isUniqueViolation(error)) return { kind: 'email_taken' };
        throw error;
      }
    },

    async findLoginCandidate(tenantId, email) {
      const result = await pool.query<{ user_id: string; tenant_id: string; password_hash: string | null }>(
        `SELECT user_id, tenant_id, password_hash FROM app_user
          WHERE tenant_id = $1 AND lower(email) = $2 AND status = 'active'`,
        [tenantId, email],
      );
      const row = result.rows[0];
      return row && { userId: row.user_id, tenantId: row.tenant_id, passwordHash: row.password_hash };
    },

    async profile(userId) {
      return (await pool.query<UserProfile>(PROFILE_SQL, [userId])).rows[0];
    },

    async activities(userId) {
      return (await pool.query<UserActivity>(ACTIVITIES_SQL, [userId])).rows;
    },

    async preference(userId) {
      return (await pool.query<UserPreference>(PREFERENCE_SQL, [userId])).rows[0] ?? null;
    },
  };
}

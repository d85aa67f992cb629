import type pg from 'pg';
import { iso } from './sql.ts';
import type { Account, Capability, Membership, UserActivity, UserPreference, UserProfile } from './types.ts';

const PROFILE_SQL = `
  SELECT user_id, tenant_id, email, display_name, first_name, preferred_name, status, timezone, locale, avatar_url,
         ${iso('created_at')} AS created_at, ${iso('last_login_at')} AS last_login_at,
         ${iso('onboarding_completed_at')} AS onboarding_completed_at
    FROM app_user WHERE user_id = $1`;

// The original lists activities in user_activity's order; primary first, then display order, is stable.
const ACTIVITIES_SQL = `
  SELECT a.activity_code, a.label, ua.is_primary
    FROM user_activity ua JOIN activity a ON a.activity_id = ua.activity_id
   WHERE ua.user_id = $1
   ORDER BY ua.is_primary DESC NULLS LAST, a.display_order, a.activity_code`;

const PREFERENCE_SQL = `
  SELECT p.tone, p.greeting_enabled, p.ai_experience_level, p.autonomy_routine_tasks, p.autonomy_sensitive_tasks,
         COALESCE(h.hesitations, '{}') AS hesitations
    FROM user_preference p LEFT JOIN user_ext.user_hesitations h ON h.user_id = p.user_id
   WHERE p.user_id = $1`;

const MEMBERSHIPS_SQL = `
  SELECT org_slug, COALESCE(org_display_name, org_slug) AS display_name, roles, status
    FROM user_ext.user_org_membership WHERE user_id = $1 ORDER BY org_slug`;

const CAPABILITIES_SQL = `
  SELECT capability, org_slug FROM user_ext.user_capability
   WHERE user_id = $1 AND revoked_at IS NULL ORDER BY capability, org_slug`;

/** The user's account as the envelope and `me` show it; undefined when there is no such user. */
export async function readAccount(pool: pg.Pool, userId: string): Promise<Account | undefined> {
  const [profile, activities, preference, memberships, capabilities] = await Promise.all([
    pool.query<UserProfile>(PROFILE_SQL, [userId]),
    pool.query<UserActivity>(ACTIVITIES_SQL, [userId]),
    pool.query<UserPreference>(PREFERENCE_SQL, [userId]),
    pool.query<Membership>(MEMBERSHIPS_SQL, [userId]),
    pool.query<Capability>(CAPABILITIES_SQL, [userId]),
  ]);
  const row = profile.rows[0];
  if (!row) return undefined;
  return {
    profile: row,
    activities: activities.rows,
    preference: preference.rows[0] ?? null,
    memberships: memberships.rows,
    capabilities: capabilities.rows,
  };
}

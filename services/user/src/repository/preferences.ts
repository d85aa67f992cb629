import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import { NOW_UTC } from './sql.ts';
import type { OnboardingWrite, PreferenceStore, PreferencesWrite } from './types.ts';

/**
 * An audit value as the original writes it: text as is, anything else as Python's json.dumps would
 * (`true`, `["a", "b"]` with its ", " separator), null as NULL.
 */
function auditValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
  return JSON.stringify(value);
}

const same = (a: unknown, b: unknown) => auditValue(a) === auditValue(b);

/** Replaces the user's activities by `codes` in order (the first is primary); unknown codes are skipped. */
async function replaceActivities(client: pg.PoolClient, userId: string, codes: string[]): Promise<void> {
  await client.query('DELETE FROM user_activity WHERE user_id = $1', [userId]);
  await client.query(
    `INSERT INTO user_activity (user_id, activity_id, is_primary)
     SELECT $1, a.activity_id, c.ord = 1 FROM unnest($2::text[]) WITH ORDINALITY AS c(code, ord)
       JOIN activity a ON a.activity_code = c.code
     ON CONFLICT (user_id, activity_id) DO NOTHING`,
    [userId, codes],
  );
}

/** The preference row, created with its defaults when missing, locked for this transaction. */
async function lockedPreference(client: pg.PoolClient, userId: string): Promise<Record<string, unknown>> {
  await client.query('INSERT INTO user_preference (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [userId]);
  const found = await client.query('SELECT * FROM user_preference WHERE user_id = $1 FOR UPDATE', [userId]);
  return found.rows[0] as Record<string, unknown>;
}

async function completeOnboarding(client: pg.PoolClient, userId: string, write: OnboardingWrite): Promise<void> {
  await client.query(
    `UPDATE app_user SET preferred_name = COALESCE($2, preferred_name), timezone = $3, onboarding_completed_at = ${NOW_UTC}
      WHERE user_id = $1`,
    [userId, write.preferredName, write.timezone],
  );
  await lockedPreference(client, userId);
  await client.query(
    `UPDATE user_preference SET tone = $2, greeting_enabled = $3, ai_experience_level = $4, autonomy_routine_tasks = $5,
            autonomy_sensitive_tasks = $6, updated_at = ${NOW_UTC} WHERE user_id = $1`,
    [userId, write.tone, write.greetingEnabled, write.aiExperienceLevel, write.autonomyRoutineTasks, write.autonomySensitiveTasks],
  );
  await replaceActivities(client, userId, write.activities);
}

type Audit = (field: string, old: unknown, next: unknown) => void;

/** Sets each given column of `table` whose value changes, auditing it. */
async function updateColumns(
  client: pg.PoolClient,
  table: 'app_user' | 'user_preference',
  userId: string,
  current: Record<string, unknown>,
  changes: Record<string, unknown>,
  audit: Audit,
): Promise<void> {
  const columns = Object.entries(changes).filter(([, value]) => value !== undefined);
  for (const [column, value] of columns) audit(column, current[column], value);
  if (columns.length === 0) return;
  const sets = columns.map(([column], i) => `${column} = $${i + 2}`);
  if (table === 'user_preference') sets.push(`updated_at = ${NOW_UTC}`);
  await client.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE user_id = $1`, [userId, ...columns.map(([, v]) => v)]);
}

async function claimOrganization(client: pg.PoolClient, userId: string, org: { slug: string; displayName: string }, audit: Audit) {
  const existing = await client.query<{ org_slug: string }>(
    'SELECT org_slug FROM user_ext.user_org_membership WHERE user_id = $1 ORDER BY org_slug',
    [userId],
  );
  const slugs = existing.rows.map((row) => row.org_slug);
  if (slugs.includes(org.slug)) {
    await client.query('UPDATE user_ext.user_org_membership SET org_display_name = $3 WHERE user_id = $1 AND org_slug = $2', [
      userId,
      org.slug,
      org.displayName,
    ]);
    return;
  }
  // A self-claim replaces the other memberships and is pending until an admin approves it.
  audit('organization', slugs.length > 0 ? slugs : null, [org.slug]);
  await client.query('DELETE FROM user_ext.user_org_membership WHERE user_id = $1', [userId]);
  await client.query(
    `INSERT INTO user_ext.user_org_membership (user_id, org_slug, org_display_name, roles, status) VALUES ($1, $2, $3, '{}', 'pending')`,
    [userId, org.slug, org.displayName],
  );
}

async function updatePreferences(client: pg.PoolClient, userId: string, write: PreferencesWrite): Promise<void> {
  const audits: Array<[string, string | null, string | null]> = [];
  const audit: Audit = (field, old, next) => {
    if (!same(old, next)) audits.push([field, auditValue(old), auditValue(next)]);
  };
  const user = (await client.query('SELECT * FROM app_user WHERE user_id = $1 FOR UPDATE', [userId])).rows[0];
  await updateColumns(client, 'app_user', userId, user, write.user, audit);
  const preference = await lockedPreference(client, userId);
  await updateColumns(client, 'user_preference', userId, preference, write.preference, audit);
  if (write.hesitations !== undefined) {
    const old = await client.query<{ hesitations: string[] }>('SELECT hesitations FROM user_ext.user_hesitations WHERE user_id = $1', [userId]);
    audit('hesitations', old.rows[0]?.hesitations ?? [], write.hesitations);
    await client.query(
      `INSERT INTO user_ext.user_hesitations (user_id, hesitations) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET hesitations = EXCLUDED.hesitations`,
      [userId, write.hesitations],
    );
  }
  if (write.organization) await claimOrganization(client, userId, write.organization, audit);
  if (write.activities !== undefined) {
    const old = await client.query<{ activity_code: string }>(
      `SELECT a.activity_code FROM user_activity ua JOIN activity a ON a.activity_id = ua.activity_id WHERE ua.user_id = $1`,
      [userId],
    );
    audit('activities', old.rows.map((row) => row.activity_code).sort(), [...write.activities].sort());
    await replaceActivities(client, userId, write.activities);
  }
  // Saving preferences counts as onboarding, as in the original.
  await client.query(`UPDATE app_user SET onboarding_completed_at = ${NOW_UTC} WHERE user_id = $1 AND onboarding_completed_at IS NULL`, [userId]);
  for (const [field, oldValue, newValue] of audits) {
    await client.query(
      `INSERT INTO user_ext.user_preference_audit (user_id, field, old_value, new_value, source, changed_at)
       VALUES ($1, $2, $3, $4, $5, ${NOW_UTC})`,
      [userId, field, oldValue, newValue, write.source],
    );
  }
}

/** The preference store on `pool`: each write is one transaction. */
export function createPreferenceStore(pool: pg.Pool): PreferenceStore {
  return {
    completeOnboarding: (userId, write) => withTransaction(pool, (client) => completeOnboarding(client, userId, write)),
    updatePreferences: (userId, write) => withTransaction(pool, (client) => updatePreferences(client, userId, write)),
  };
}

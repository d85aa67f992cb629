import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import { readAccount } from './accounts.ts';
import type { DirectoryStore, DirectoryUser, ResolveCandidate } from './directory-types.ts';
import { NOW_UTC } from './sql.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How many rows `/resolve` reads per candidate asked for before ranking them. */
const RESOLVE_ROWS_PER_CANDIDATE = 10;

async function directoryUser(pool: pg.Pool, userId: string): Promise<DirectoryUser | undefined> {
  const account = await readAccount(pool, userId);
  if (!account) return undefined;
  const extra = await pool.query<{ sessions: number; invited: boolean; handle: string | null; aliases: string[] }>(
    `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM user_session WHERE user_id = $1 LIMIT 2) s) AS sessions,
            EXISTS (SELECT 1 FROM user_ext.auth_token WHERE user_id = $1 AND purpose = 'invite') AS invited,
            (SELECT canonical_handle FROM user_ext.agent_principal WHERE user_id = $1) AS handle,
            ARRAY(SELECT alias FROM user_ext.user_alias WHERE user_id = $1 ORDER BY alias) AS aliases`,
    [userId],
  );
  const row = extra.rows[0]!;
  return { ...account, sessionCount: row.sessions, invited: row.invited, agentHandle: row.handle, aliases: row.aliases };
}

async function audit(client: pg.PoolClient, userId: string, field: string, old: string | null, next: string, actor: string) {
  await client.query(
    `INSERT INTO user_ext.user_preference_audit (user_id, field, old_value, new_value, source, changed_at)
     VALUES ($1, $2, $3, $4, $5, ${NOW_UTC})`,
    [userId, field, old, next, `admin:${actor}`.slice(0, 30)],
  );
}

async function identityToUserId(pool: pg.Pool, subject: string): Promise<string | undefined> {
  if (UUID.test(subject)) {
    const byId = await pool.query<{ user_id: string }>('SELECT user_id FROM app_user WHERE user_id = $1', [subject]);
    if (byId.rows[0]) return byId.rows[0].user_id;
  }
  const byLink = await pool.query<{ user_id: string }>('SELECT user_id FROM auth_provider_link WHERE provider_user_id = $1 LIMIT 1', [subject]);
  if (byLink.rows[0]) return byLink.rows[0].user_id;
  if (!subject.includes('@')) return undefined;
  const byEmail = await pool.query<{ user_id: string }>(`SELECT user_id FROM app_user WHERE lower(email) = lower($1) AND status = 'active' LIMIT 1`, [
    subject,
  ]);
  return byEmail.rows[0]?.user_id;
}

/** The directory store on `pool`. */
export function createDirectoryStore(pool: pg.Pool): DirectoryStore {
  return {
    async findByIdentity(subject) {
      const userId = await identityToUserId(pool, subject);
      return userId === undefined ? undefined : directoryUser(pool, userId);
    },

    find: (userId) => (UUID.test(userId) ? directoryUser(pool, userId) : Promise.resolve(undefined)),

    async resolve(needle, boostOrg, limit) {
      const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const result = await pool.query<ResolveCandidate>(
        `SELECT u.user_id AS "userId", u.display_name AS "displayName", u.first_name AS "firstName",
                u.preferred_name AS "preferredName", u.email, ag.canonical_handle AS "agentHandle",
                (SELECT json_build_object('alias', al.alias, 'weight', al.weight) FROM user_ext.user_alias al
                  WHERE al.user_id = u.user_id AND al.alias ILIKE $1 ORDER BY al.weight DESC, al.alias LIMIT 1) AS alias,
                EXISTS (SELECT 1 FROM user_ext.user_org_membership m
                         WHERE m.user_id = u.user_id AND m.org_slug = $2 AND m.status = 'active') AS "inBoostedOrg"
           FROM app_user u LEFT JOIN user_ext.agent_principal ag ON ag.user_id = u.user_id
          WHERE u.status = 'active'
            AND (u.display_name ILIKE $1 OR u.first_name ILIKE $1 OR u.preferred_name ILIKE $1 OR u.email ILIKE $1
                 OR ag.canonical_handle ILIKE $1
                 OR EXISTS (SELECT 1 FROM user_ext.user_alias al WHERE al.user_id = u.user_id AND al.alias ILIKE $1))
          ORDER BY u.created_at LIMIT $3`,
        [like, boostOrg, limit * RESOLVE_ROWS_PER_CANDIDATE],
      );
      return result.rows;
    },

    upsertMembership: (write) =>
      withTransaction(pool, async (client) => {
        const found = await client.query<{ status: string }>(
          'SELECT status FROM user_ext.user_org_membership WHERE user_id = $1 AND org_slug = $2 FOR UPDATE',
          [write.userId, write.slug],
        );
        const status = found.rows[0]?.status;
        if (status !== undefined && status !== 'active') {
          await audit(client, write.userId, 'membership_status', `${write.slug}:${status}`, `${write.slug}:active`, write.actor);
        }
        await client.query(
          `INSERT INTO user_ext.user_org_membership (user_id, org_slug, org_display_name, roles, status, approved_by, approved_at)
           VALUES ($1, $2, $3, $4, 'active', 'admin-grant', ${NOW_UTC})
           ON CONFLICT (user_id, org_slug) DO UPDATE SET roles = EXCLUDED.roles, org_display_name = EXCLUDED.org_display_name,
             status = 'active', updated_at = ${NOW_UTC},
             approved_by = CASE WHEN user_org_membership.status = 'active' THEN user_org_membership.approved_by ELSE 'admin-grant' END,
             approved_at = CASE WHEN user_org_membership.status = 'active' THEN user_org_membership.approved_at ELSE ${NOW_UTC} END`,
          [write.userId, write.slug, write.displayName, write.roles],
        );
      }),

    async deleteMembership(userId, slug) {
      const result = await pool.query('DELETE FROM user_ext.user_org_membership WHERE user_id = $1 AND org_slug = $2', [userId, slug]);
      return result.rowCount === 1;
    },

    deactivate: (userId, actor) =>
      withTransaction(pool, async (client) => {
        const user = await client.query<{ status: string | null }>('SELECT status FROM app_user WHERE user_id = $1 FOR UPDATE', [userId]);
        const alreadyDisabled = user.rows[0]?.status === 'disabled';
        if (!alreadyDisabled) await audit(client, userId, 'account_status', user.rows[0]?.status ?? null, 'disabled', actor);
        await client.query(`UPDATE app_user SET status = 'disabled' WHERE user_id = $1`, [userId]);
        const sessions = await client.query(`UPDATE user_session SET revoked_at = ${NOW_UTC} WHERE user_id = $1 AND revoked_at IS NULL`, [userId]);
        const capabilities = await client.query(
          `UPDATE user_ext.user_capability SET revoked_at = ${NOW_UTC}, revoked_by = $2 WHERE user_id = $1 AND revoked_at IS NULL`,
          [userId, `deactivation:${actor}`],
        );
        return { alreadyDisabled, sessionsRevoked: sessions.rowCount ?? 0, capabilitiesRevoked: capabilities.rowCount ?? 0 };
      }),

    reactivate: (userId, actor) =>
      withTransaction(pool, async (client) => {
        const user = await client.query<{ status: string | null }>('SELECT status FROM app_user WHERE user_id = $1 FOR UPDATE', [userId]);
        const status = user.rows[0]?.status ?? null;
        if (status !== 'disabled') return { reactivated: false, status } as const;
        await audit(client, userId, 'account_status', 'disabled', 'active', actor);
        await client.query(`UPDATE app_user SET status = 'active' WHERE user_id = $1`, [userId]);
        return { reactivated: true } as const;
      }),
  };
}

import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import type { DirectoryAdminStore, InviteMembership, InviteResult, TransitionResult } from './directory-admin-types.ts';
import { iso, NOW_UTC, UNIQUE_VIOLATION } from './sql.ts';

async function audit(client: pg.PoolClient, userId: string, field: string, old: string | null, next: string, source: string) {
  await client.query(
    `INSERT INTO user_ext.user_preference_audit (user_id, field, old_value, new_value, source, changed_at)
     VALUES ($1, $2, $3, $4, $5, ${NOW_UTC})`,
    [userId, field, old, next, source.slice(0, 30)],
  );
}

/** The invite's membership, as the original's `_upsert_membership` (no org registry here: validated false). */
async function inviteMembership(client: pg.PoolClient, userId: string, slug: string, roles: string[]): Promise<InviteMembership> {
  const found = await client.query<{ status: string }>(
    'SELECT status FROM user_ext.user_org_membership WHERE user_id = $1 AND org_slug = $2 FOR UPDATE',
    [userId, slug],
  );
  const status = found.rows[0]?.status;
  if (status !== undefined && status !== 'active') {
    await audit(client, userId, 'membership_status', `${slug}:${status}`, `${slug}:active`, 'admin:invite-add');
  }
  await client.query(
    `INSERT INTO user_ext.user_org_membership (user_id, org_slug, org_display_name, roles, status, approved_by, approved_at)
     VALUES ($1, $2, $2, $3, 'active', 'invite-add', ${NOW_UTC})
     ON CONFLICT (user_id, org_slug) DO UPDATE SET roles = EXCLUDED.roles, org_display_name = EXCLUDED.org_display_name,
       status = 'active', updated_at = ${NOW_UTC},
       approved_by = CASE WHEN user_org_membership.status = 'active' THEN user_org_membership.approved_by ELSE 'invite-add' END,
       approved_at = CASE WHEN user_org_membership.status = 'active' THEN user_org_membership.approved_at ELSE ${NOW_UTC} END`,
    [userId, slug, roles],
  );
  return { applied: true, org_slug: slug, org_display_name: slug, validated: false, roles };
}

async function invite(client: pg.PoolClient, write: Parameters<DirectoryAdminStore['invite']>[0]): Promise<InviteResult> {
  const found = await client.query<{ user_id: string; status: string | null; display_name: string | null; first_name: string | null }>(
    'SELECT user_id, status, display_name, first_name FROM app_user WHERE tenant_id = $1 AND lower(email) = $2 FOR UPDATE',
    [write.tenantId, write.email],
  );
  const existing = found.rows[0];
  if (existing && existing.status !== 'invited') {
    // Inviting an existing account means "add this person to the org" (a disabled one comes back).
    if (!write.org) return { kind: 'exists', userId: existing.user_id, status: existing.status };
    const reactivated = existing.status === 'disabled';
    if (reactivated) {
      await audit(client, existing.user_id, 'account_status', 'disabled', 'active', 'admin:invite-add');
      await client.query(`UPDATE app_user SET status = 'active' WHERE user_id = $1`, [existing.user_id]);
    }
    const membership = await inviteMembership(client, existing.user_id, write.org.slug, write.org.roles);
    return {
      kind: 'added',
      userId: existing.user_id,
      displayName: existing.display_name || existing.first_name || write.email,
      reactivated,
      membership,
    };
  }
  let userId: string;
  let displayName: string;
  let firstName: string | null;
  if (existing) {
    // A re-invite may correct the names.
    const updated = await client.query<{ display_name: string | null; first_name: string | null }>(
      `UPDATE app_user SET display_name = COALESCE($2, display_name), first_name = COALESCE($3, first_name)
        WHERE user_id = $1 RETURNING display_name, first_name`,
      [existing.user_id, write.displayName, write.firstName],
    );
    userId = existing.user_id;
    displayName = updated.rows[0]!.display_name || updated.rows[0]!.first_name || write.email;
    firstName = updated.rows[0]!.first_name;
  } else {
    const inserted = await client.query<{ user_id: string }>(
      `INSERT INTO app_user (tenant_id, email, display_name, first_name, status) VALUES ($1, $2, $3, $4, 'invited') RETURNING user_id`,
      [write.tenantId, write.email, write.displayName ?? write.email.split('@')[0], write.firstName],
    );
    userId = inserted.rows[0]!.user_id;
    displayName = write.displayName ?? write.email.split('@')[0]!;
    firstName = write.firstName;
  }
  await client.query(`UPDATE user_ext.auth_token SET consumed_at = ${NOW_UTC} WHERE user_id = $1 AND purpose = 'invite' AND consumed_at IS NULL`, [
    userId,
  ]);
  const token = await client.query<{ token_id: string; expires_at: string }>(
    `INSERT INTO user_ext.auth_token (user_id, purpose, token_hash, expires_at, created_by, created_at)
     VALUES ($1, 'invite', $2, ${NOW_UTC} + make_interval(secs => $3), $4, ${NOW_UTC})
     RETURNING token_id, ${iso('expires_at')} AS expires_at`,
    [userId, write.tokenHash, write.ttlSeconds, write.invitedBy],
  );
  const membership = write.org ? await inviteMembership(client, userId, write.org.slug, write.org.roles) : null;
  return {
    kind: 'invited',
    created: !existing,
    userId,
    tokenId: token.rows[0]!.token_id,
    displayName,
    firstName,
    expiresAt: token.rows[0]!.expires_at,
    membership,
  };
}

const TRANSITIONS = {
  approve: { to: 'active', from: (status: string) => status !== 'removed' },
  remove: { to: 'removed', from: () => true },
  restore: { to: 'active', from: (status: string) => status === 'removed' },
} as const;

/** The directory's admin store on `pool`. */
export function createDirectoryAdminStore(pool: pg.Pool): DirectoryAdminStore {
  return {
    async orgDirectory(slug) {
      const result = await pool.query(
        `SELECT u.user_id AS "userId", u.display_name AS "displayName", u.preferred_name AS "preferredName",
                u.first_name AS "firstName", u.email, a.canonical_handle AS "agentHandle", m.roles
           FROM user_ext.user_org_membership m
           JOIN app_user u ON u.user_id = m.user_id
           LEFT JOIN user_ext.agent_principal a ON a.user_id = u.user_id
          WHERE m.org_slug = $1 AND m.status = 'active' AND u.status = 'active'`,
        [slug],
      );
      return result.rows;
    },

    async orgRoster(slug, limit) {
      const result = await pool.query(
        `SELECT u.user_id AS "userId", u.display_name AS "displayName", u.email, a.user_id IS NOT NULL AS "isAgent",
                m.roles, u.status AS "accountStatus", m.status AS "membershipStatus"
           FROM user_ext.user_org_membership m
           JOIN app_user u ON u.user_id = m.user_id
           LEFT JOIN user_ext.agent_principal a ON a.user_id = u.user_id
          WHERE m.org_slug = $1 ORDER BY u.display_name NULLS LAST, u.user_id LIMIT $2`,
        [slug, limit],
      );
      return result.rows;
    },

    async pendingMemberships(slug, limit) {
      const result = await pool.query(
        `SELECT u.user_id AS "userId", u.display_name AS "displayName", u.email, m.org_slug AS "orgSlug",
                m.org_display_name AS "orgDisplayName", to_char(m.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "claimedAt"
           FROM user_ext.user_org_membership m JOIN app_user u ON u.user_id = m.user_id
          WHERE m.status = 'pending' AND ($1::text IS NULL OR m.org_slug = $1)
          ORDER BY m.created_at, m.user_id LIMIT $2`,
        [slug, limit],
      );
      return result.rows;
    },

    transitionMembership: (userId, slug, transition, actor) =>
      withTransaction(pool, async (client): Promise<TransitionResult> => {
        const rule = TRANSITIONS[transition];
        const found = await client.query<{ status: string; roles: string[] }>(
          'SELECT status, roles FROM user_ext.user_org_membership WHERE user_id = $1 AND org_slug = $2 FOR UPDATE',
          [userId, slug],
        );
        const row = found.rows[0];
        if (!row || (transition === 'restore' && row.status !== 'removed')) return { kind: 'missing' };
        if (!rule.from(row.status)) return { kind: 'removed' };
        if (row.status !== rule.to) {
          await audit(client, userId, 'membership_status', `${slug}:${row.status}`, `${slug}:${rule.to}`, `admin:${actor}`);
          await client.query(
            rule.to === 'removed'
              ? `UPDATE user_ext.user_org_membership SET status = 'removed', removed_by = $3, removed_at = ${NOW_UTC}, updated_at = ${NOW_UTC}
                  WHERE user_id = $1 AND org_slug = $2`
              : `UPDATE user_ext.user_org_membership SET status = 'active', approved_by = $3, approved_at = ${NOW_UTC}, updated_at = ${NOW_UTC}
                  WHERE user_id = $1 AND org_slug = $2`,
            [userId, slug, actor],
          );
        }
        return { kind: 'done', previous: row.status, roles: row.roles };
      }),

    grantCapability: (userId, capability, org, grantedBy) =>
      withTransaction(pool, async (client) => {
        // One grant at a time per (user, capability, org): the lock keeps two concurrent grants from both inserting.
        await client.query('SELECT 1 FROM app_user WHERE user_id = $1 FOR UPDATE', [userId]);
        const active = await client.query(
          `SELECT 1 FROM user_ext.user_capability
            WHERE user_id = $1 AND capability = $2 AND org_slug IS NOT DISTINCT FROM $3 AND revoked_at IS NULL`,
          [userId, capability, org],
        );
        if (active.rowCount) return false;
        await client.query(
          `INSERT INTO user_ext.user_capability (user_id, capability, org_slug, granted_by, granted_at) VALUES ($1, $2, $3, $4, ${NOW_UTC})`,
          [userId, capability, org, grantedBy],
        );
        return true;
      }),

    async revokeCapability(userId, capability, org, revokedBy) {
      const result = await pool.query(
        `UPDATE user_ext.user_capability SET revoked_at = ${NOW_UTC}, revoked_by = $4
          WHERE user_id = $1 AND capability = $2 AND org_slug IS NOT DISTINCT FROM $3 AND revoked_at IS NULL`,
        [userId, capability, org, revokedBy],
      );
      return (result.rowCount ?? 0) > 0;
    },

    async upsertAlias(userId, alias, weight) {
      await pool.query(
        `INSERT INTO user_ext.user_alias (user_id, alias, weight) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, alias) DO UPDATE SET weight = EXCLUDED.weight`,
        [userId, alias, weight],
      );
    },

    async deleteAlias(userId, alias) {
      const result = await pool.query('DELETE FROM user_ext.user_alias WHERE user_id = $1 AND alias = $2', [userId, alias]);
      return (result.rowCount ?? 0) > 0;
    },

    invite: (write) => withTransaction(pool, (client) => invite(client, write)),

    async enrollAgent(agent) {
      const existing = await pool.query<{ user_id: string }>('SELECT user_id FROM user_ext.agent_principal WHERE canonical_handle = $1', [
        agent.handle,
      ]);
      if (existing.rows[0]) return { userId: existing.rows[0].user_id, created: false };
      try {
        return await withTransaction(pool, async (client) => {
          await client.query(`INSERT INTO tenant (tenant_id, name) VALUES ($1, 'Default') ON CONFLICT (tenant_id) DO NOTHING`, [agent.tenantId]);
          const inserted = await client.query<{ user_id: string }>(
            `INSERT INTO app_user (tenant_id, email, display_name, status) VALUES ($1, $2, $3, 'active') RETURNING user_id`,
            [agent.tenantId, agent.email, agent.displayName],
          );
          const userId = inserted.rows[0]!.user_id;
          await client.query('INSERT INTO user_ext.agent_principal (user_id, canonical_handle) VALUES ($1, $2)', [userId, agent.handle]);
          return { userId, created: true };
        });
      } catch (error) {
        // A concurrent enrollment of the same handle won (answer its row), or the email is another account's.
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
        const winner = await pool.query<{ user_id: string }>('SELECT user_id FROM user_ext.agent_principal WHERE canonical_handle = $1', [
          agent.handle,
        ]);
        if (!winner.rows[0]) return { emailTaken: true } as const;
        return { userId: winner.rows[0].user_id, created: false };
      }
    },

    async recordAccess(event) {
      await pool.query(
        `INSERT INTO user_ext.user_access_event (user_id, surface, org_slug, action, occurred_at) VALUES ($1, $2, $3, $4, ${NOW_UTC})`,
        [event.userId, event.surface, event.orgSlug, event.action],
      );
    },
  };
}

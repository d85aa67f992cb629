import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import type { LifecycleStore, LifecycleUser, PasswordTokenResult, TokenProblem, TokenRecord } from './lifecycle-types.ts';
import { iso, NOW_UTC } from './sql.ts';

interface TokenRow {
  token_id: string;
  user_id: string;
  purpose: string;
  consumed: boolean;
  expired: boolean;
  expires_at: string;
  email: string;
  status: string | null;
  tenant_id: string;
}

const TOKEN_SQL = `
  SELECT t.token_id, t.user_id, t.purpose, t.consumed_at IS NOT NULL AS consumed, t.expires_at <= ${NOW_UTC} AS expired,
         ${iso('t.expires_at')} AS expires_at, u.email, u.status, u.tenant_id
    FROM user_ext.auth_token t JOIN app_user u ON u.user_id = t.user_id
   WHERE t.token_hash = $1`;

const recordOf = (row: TokenRow): TokenRecord => ({
  tokenId: row.token_id,
  userId: row.user_id,
  purpose: row.purpose,
  consumed: row.consumed,
  expired: row.expired,
  expiresAt: row.expires_at,
  email: row.email,
  userStatus: row.status,
  tenantId: row.tenant_id,
});

/** The problem of a token row for `purpose`, in the order the original checks them. */
function problemOf(row: TokenRow | undefined, purpose: string): TokenProblem | undefined {
  if (!row || row.purpose !== purpose) return 'token_invalid';
  if (row.consumed) return 'token_consumed';
  if (row.expired) return 'token_expired';
  return undefined;
}

/** The lifecycle store on `pool`. */
export function createLifecycleStore(pool: pg.Pool): LifecycleStore {
  const lockedToken = async (client: pg.PoolClient, tokenHash: string) =>
    (await client.query<TokenRow>(`${TOKEN_SQL} FOR UPDATE OF t`, [tokenHash])).rows[0];

  return {
    async userByEmail(tenantId, email) {
      const result = await pool.query<LifecycleUser>(
        `SELECT user_id AS "userId", tenant_id AS "tenantId", email, status, first_name AS "firstName",
                display_name AS "displayName", onboarding_completed_at IS NOT NULL AS onboarded
           FROM app_user WHERE tenant_id = $1 AND lower(email) = $2`,
        [tenantId, email],
      );
      return result.rows[0];
    },

    issueToken: (token) =>
      withTransaction(pool, async (client) => {
        if (token.rotate) {
          await client.query(`UPDATE user_ext.auth_token SET consumed_at = ${NOW_UTC} WHERE user_id = $1 AND purpose = $2 AND consumed_at IS NULL`, [
            token.userId,
            token.purpose,
          ]);
        }
        const inserted = await client.query<{ token_id: string; expires_at: string }>(
          `INSERT INTO user_ext.auth_token (user_id, purpose, token_hash, expires_at, created_by, created_at)
           VALUES ($1, $2, $3, ${NOW_UTC} + make_interval(secs => $4), $5, ${NOW_UTC})
           RETURNING token_id, ${iso('expires_at')} AS expires_at`,
          [token.userId, token.purpose, token.tokenHash, token.ttlSeconds, token.createdBy],
        );
        return { tokenId: inserted.rows[0]!.token_id, expiresAt: inserted.rows[0]!.expires_at };
      }),

    async findToken(tokenHash) {
      const row = (await pool.query<TokenRow>(TOKEN_SQL, [tokenHash])).rows[0];
      return row && recordOf(row);
    },

    consumeWithPassword: (tokenHash, purpose, passwordHash) =>
      withTransaction(pool, async (client): Promise<PasswordTokenResult> => {
        const row = await lockedToken(client, tokenHash);
        const problem = problemOf(row, purpose);
        if (problem || !row) return { ok: false, problem: problem ?? 'token_invalid' };
        // An invite signs the user in: an account disabled since the invite must not get a session.
        if (purpose === 'invite' && row.status !== 'invited' && row.status !== 'active') return { ok: false, problem: 'user_inactive' };
        await client.query(`UPDATE user_ext.auth_token SET consumed_at = ${NOW_UTC} WHERE token_id = $1`, [row.token_id]);
        if (purpose === 'reset') {
          await client.query('UPDATE app_user SET password_hash = $2 WHERE user_id = $1', [row.user_id, passwordHash]);
          // A reset means the old credential may be compromised: every session ends.
          await client.query(`UPDATE user_session SET revoked_at = ${NOW_UTC} WHERE user_id = $1 AND revoked_at IS NULL`, [row.user_id]);
        } else {
          await client.query(
            `UPDATE app_user SET password_hash = $2, status = CASE WHEN status = 'invited' THEN 'active' ELSE status END WHERE user_id = $1`,
            [row.user_id, passwordHash],
          );
          await client.query(
            `INSERT INTO auth_provider_link (user_id, provider, provider_user_id, email)
             SELECT $1::uuid, 'email', $3::text, $2
              WHERE NOT EXISTS (SELECT 1 FROM auth_provider_link WHERE user_id = $1::uuid AND provider = 'email')
             ON CONFLICT (provider, provider_user_id) DO NOTHING`,
            [row.user_id, row.email, row.user_id],
          );
        }
        return { ok: true, userId: row.user_id, tenantId: row.tenant_id };
      }),

    consumeHandoff: (tokenHash) =>
      withTransaction(pool, async (client): Promise<PasswordTokenResult> => {
        const row = await lockedToken(client, tokenHash);
        const problem = problemOf(row, 'handoff');
        if (problem || !row) return { ok: false, problem: problem ?? 'token_invalid' };
        // A deactivated account's stale code must not mint a session (it stays unconsumed, as in the original).
        if (row.status !== 'active') return { ok: false, problem: 'user_inactive' };
        await client.query(`UPDATE user_ext.auth_token SET consumed_at = ${NOW_UTC} WHERE token_id = $1`, [row.token_id]);
        return { ok: true, userId: row.user_id, tenantId: row.tenant_id };
      }),

    async activities() {
      const result = await pool.query(
        'SELECT activity_code, label, description FROM activity WHERE is_active = true ORDER BY display_order, activity_code',
      );
      return result.rows;
    },
  };
}

import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import { NOW_UTC } from './sql.ts';
import type { SessionRecord, SessionStore } from './types.ts';

interface SessionRow {
  session_id: string;
  user_id: string;
  refresh_token_hash: string | null;
  revoked: boolean;
  expired: boolean;
  tenant_id: string;
  status: string | null;
}

/** The session store on `pool`. */
export function createSessionStore(pool: pg.Pool): SessionStore {
  return {
    async signIn(session) {
      await withTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO user_session (session_id, user_id, refresh_token_hash, device_info, expires_at)
           VALUES ($1, $2, $3, $4::jsonb, ($5::timestamptz AT TIME ZONE 'UTC'))`,
          [session.sessionId, session.userId, session.refreshTokenHash, JSON.stringify(session.deviceInfo), session.expiresAt.toISOString()],
        );
        await client.query(`UPDATE app_user SET last_login_at = ${NOW_UTC} WHERE user_id = $1`, [session.userId]);
        await client.query(`UPDATE auth_provider_link SET last_used_at = ${NOW_UTC} WHERE user_id = $1 AND provider = $2`, [
          session.userId,
          session.provider,
        ]);
      });
    },

    async find(sessionId): Promise<SessionRecord | undefined> {
      const result = await pool.query<SessionRow>(
        `SELECT s.session_id, s.user_id, s.refresh_token_hash, s.revoked_at IS NOT NULL AS revoked,
                s.expires_at <= ${NOW_UTC} AS expired, u.tenant_id, u.status
           FROM user_session s JOIN app_user u ON u.user_id = s.user_id
          WHERE s.session_id = $1`,
        [sessionId],
      );
      const row = result.rows[0];
      return (
        row && {
          sessionId: row.session_id,
          userId: row.user_id,
          refreshTokenHash: row.refresh_token_hash,
          revoked: row.revoked,
          expired: row.expired,
          userTenantId: row.tenant_id,
          userStatus: row.status,
        }
      );
    },

    async revoke(sessionId) {
      const result = await pool.query(`UPDATE user_session SET revoked_at = ${NOW_UTC} WHERE session_id = $1 AND revoked_at IS NULL`, [sessionId]);
      return result.rowCount === 1;
    },
  };
}

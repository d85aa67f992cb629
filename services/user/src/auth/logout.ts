import { bearerToken } from '@mobius/auth';
import { invalidBody, sessionInvalid } from '../errors.ts';
import { logoutBodySchema, parseBody } from './input.ts';
import { matchesStoredHash } from './sessions.ts';
import { isUuid, type AuthDeps } from './types.ts';

/** The answer of logout: how many sessions this call revoked (0 when they already were). */
export interface LogoutResponse {
  ok: true;
  sessions_revoked: number;
}

/**
 * Logout. With `{refresh_token}`: revokes that token's session (the token must verify and match the
 * stored hash; an expired token is refused like any other). With only a bearer access token: the
 * access token names no session (its claims are exactly sub/tenant_id/exp/type), so every open
 * session of the user is revoked ("log out everywhere"). Idempotent: a second logout answers 200
 * with `sessions_revoked: 0`. Neither given: 400 naming `refresh_token`.
 */
export async function logout(deps: AuthDeps, body: unknown, authorization: string | undefined): Promise<LogoutResponse> {
  const { refreshToken } = parseBody(logoutBodySchema, body);
  if (refreshToken !== undefined) {
    const claims = deps.tokens.verifyRefreshToken(refreshToken);
    const session = isUuid(claims.sessionId) ? await deps.repository.sessions.find(claims.sessionId) : undefined;
    if (!session || session.userId !== claims.userId || !matchesStoredHash(refreshToken, session.refreshTokenHash)) {
      throw sessionInvalid();
    }
    const revoked = await deps.repository.sessions.revoke(session.sessionId);
    return { ok: true, sessions_revoked: revoked ? 1 : 0 };
  }
  if (authorization === undefined) {
    throw invalidBody('refresh_token', 'refresh_token is required (or an Authorization: Bearer access token)');
  }
  const principal = deps.tokens.verifyAccessToken(bearerToken(authorization));
  const revoked = isUuid(principal.userId) ? await deps.repository.sessions.revokeAllOfUser(principal.userId) : 0;
  return { ok: true, sessions_revoked: revoked };
}

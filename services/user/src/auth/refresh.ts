import { sessionExpired, sessionInvalid, sessionRevoked, userInactive } from '../errors.ts';
import { parseBody, refreshBodySchema } from './input.ts';
import { matchesStoredHash } from './sessions.ts';
import { isUuid, type AuthDeps } from './types.ts';

/** The answer of refresh: a new access token; the refresh token is not rotated and comes back as given. */
export interface RefreshResponse {
  ok: true;
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

/**
 * Refresh: the token must be a valid refresh token of `@mobius/auth` (signature, `type`, `exp`;
 * otherwise 401 with its TOKEN_* code), its session must exist for the same user with this token's
 * sha256, not be revoked (SESSION_REVOKED) nor expired (SESSION_EXPIRED), and its user must be
 * active (USER_INACTIVE). Answers a new access token for the user's current tenant.
 */
export async function refresh(deps: AuthDeps, body: unknown): Promise<RefreshResponse> {
  const { refresh_token: refreshToken } = parseBody(refreshBodySchema, body);
  const claims = deps.tokens.verifyRefreshToken(refreshToken);
  const session = isUuid(claims.sessionId) ? await deps.repository.sessions.find(claims.sessionId) : undefined;
  if (!session || session.userId !== claims.userId || !matchesStoredHash(refreshToken, session.refreshTokenHash)) {
    throw sessionInvalid();
  }
  if (session.revoked) throw sessionRevoked();
  if (session.expired) throw sessionExpired();
  if (session.userStatus !== 'active') throw userInactive();
  return {
    ok: true,
    access_token: deps.tokens.mintAccessToken({ userId: session.userId, tenantId: session.userTenantId }),
    refresh_token: refreshToken,
    token_type: 'bearer',
    expires_in: deps.accessTokenSeconds,
  };
}

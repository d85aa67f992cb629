import { AuthError } from '@mobius/auth';
import { invalidInput, refreshInvalid, refreshUserGone, sessionEnded } from '../errors.ts';
import { refreshBodySchema } from './input.ts';
import { matchesStoredHash } from './sessions.ts';
import { isUuid, type AuthDeps } from './types.ts';
import { parseBody } from './validation.ts';

/** The answer of refresh: a new access token only; the refresh token is not rotated. */
export interface RefreshResponse {
  ok: true;
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

/** The refresh token's claims, or the original's 401 "Invalid refresh token". */
function claimsOf(deps: AuthDeps, refreshToken: string) {
  try {
    return deps.tokens.verifyRefreshToken(refreshToken);
  } catch (error) {
    if (error instanceof AuthError) throw refreshInvalid();
    throw error;
  }
}

/**
 * Refresh, with the original's answers: 400 "Refresh token is required" for an empty one; 401
 * "Invalid refresh token" when it does not verify (signature, type, expiry) or does not match its
 * session's stored hash; 401 "Session expired or revoked"; 401 "User not found" when the user is not
 * active. Answers a new access token for the user's current tenant.
 */
export async function refresh(deps: AuthDeps, body: unknown): Promise<RefreshResponse> {
  const { refresh_token: refreshToken } = parseBody(refreshBodySchema, body);
  if (!refreshToken) throw invalidInput('Refresh token is required');
  const claims = claimsOf(deps, refreshToken);
  const session = isUuid(claims.sessionId) ? await deps.repository.sessions.find(claims.sessionId) : undefined;
  if (!session || session.userId !== claims.userId) throw sessionEnded();
  if (session.revoked || session.expired) throw sessionEnded();
  if (!matchesStoredHash(refreshToken, session.refreshTokenHash)) throw refreshInvalid();
  if (session.userStatus !== 'active') throw refreshUserGone();
  return {
    ok: true,
    access_token: deps.tokens.mintAccessToken({ userId: session.userId, tenantId: session.userTenantId }),
    token_type: 'bearer',
    expires_in: deps.accessTokenSeconds,
  };
}

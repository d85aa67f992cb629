import { AuthError } from '@mobius/auth';
import { logoutBodySchema } from './input.ts';
import { matchesStoredHash } from './sessions.ts';
import { isUuid, type AuthDeps } from './types.ts';
import { parseBody } from './validation.ts';

export interface LogoutResponse {
  ok: true;
  message: 'Logged out';
}

/**
 * Logout always answers `{ok: true, message: "Logged out"}` (only a body of the wrong shape is a
 * 422, as in the original). A refresh token that verifies and matches its session's stored hash
 * revokes that session; any other token, or none, changes nothing.
 */
export async function logout(deps: AuthDeps, body: unknown): Promise<LogoutResponse> {
  const refreshToken = parseBody(logoutBodySchema, body)?.refresh_token;
  if (refreshToken) await revokeSessionOf(deps, refreshToken);
  return { ok: true, message: 'Logged out' };
}

async function revokeSessionOf(deps: AuthDeps, refreshToken: string): Promise<void> {
  let claims: ReturnType<AuthDeps['tokens']['verifyRefreshToken']>;
  try {
    claims = deps.tokens.verifyRefreshToken(refreshToken);
  } catch (error) {
    if (error instanceof AuthError) return;
    throw error;
  }
  const session = isUuid(claims.sessionId) ? await deps.repository.sessions.find(claims.sessionId) : undefined;
  if (session && session.userId === claims.userId && matchesStoredHash(refreshToken, session.refreshTokenHash)) {
    await deps.repository.sessions.revoke(session.sessionId);
  }
}

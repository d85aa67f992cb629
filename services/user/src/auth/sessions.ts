import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../errors.ts';
import { envelopeUser } from './account-view.ts';
import type { AuthDeps, ClientInfo, SignInResponse } from './types.ts';

/** `device_info.user_agent` is cut to this length: the header is client-chosen and unbounded. */
const USER_AGENT_MAX_CHARACTERS = 512;

/** What `user_session.refresh_token_hash` holds: the sha256 hex of the refresh token. */
export function refreshTokenHash(refreshToken: string): string {
  return createHash('sha256').update(refreshToken, 'utf8').digest('hex');
}

/** True when `refreshToken` hashes to `storedHash` (compared in constant time). */
export function matchesStoredHash(refreshToken: string, storedHash: string | null): boolean {
  if (storedHash === null) return false;
  const expected = Buffer.from(refreshTokenHash(refreshToken), 'utf8');
  const stored = Buffer.from(storedHash.toLowerCase(), 'utf8');
  return expected.length === stored.length && timingSafeEqual(expected, stored);
}

/** How a user signed in: the provider link to stamp and the client's own `device_info`, if any. */
export interface SignInVia {
  provider: 'email' | 'google';
  deviceInfo?: Record<string, unknown> | null | undefined;
}

/**
 * Signs the user in: opens a session whose `expires_at` is the refresh token's `exp`, stores the
 * token's hash (never the token) and the device info (the client's, with the address and user agent
 * the server saw), records the login, and answers both tokens with the envelope's `user`.
 */
export async function signIn(
  deps: AuthDeps,
  user: { userId: string; tenantId: string },
  client: ClientInfo,
  via: SignInVia,
): Promise<SignInResponse> {
  const sessionId = randomUUID();
  const refreshToken = deps.tokens.mintRefreshToken({ userId: user.userId, sessionId });
  const { expiresAt } = deps.tokens.verifyRefreshToken(refreshToken);
  await deps.repository.sessions.signIn({
    sessionId,
    userId: user.userId,
    refreshTokenHash: refreshTokenHash(refreshToken),
    expiresAt,
    deviceInfo: { ...via.deviceInfo, ip: client.ip, user_agent: client.userAgent?.slice(0, USER_AGENT_MAX_CHARACTERS) ?? null },
    provider: via.provider,
  });
  const account = await deps.repository.users.account(user.userId);
  if (!account) throw unauthorized();
  return {
    ok: true,
    access_token: deps.tokens.mintAccessToken({ userId: user.userId, tenantId: user.tenantId }),
    refresh_token: refreshToken,
    token_type: 'bearer',
    expires_in: deps.accessTokenSeconds,
    user: envelopeUser(account),
  };
}

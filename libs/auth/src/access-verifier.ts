import { createTokenService } from './tokens.ts';
import type { AccessTokenVerifier, TokenServiceOptions } from './types.ts';

/**
 * The validator of an API that only reads mobius-user's access tokens and never mints any: the os
 * backend (and chat). The same checks as mobius-user's own (`createTokenService`): HS256 with the
 * shared JWT_SECRET, `exp`, `type == "access"`, no `aud`; a refresh token is TOKEN_WRONG_TYPE.
 * It has no minting methods, so an API holding it cannot issue tokens by mistake. Pass the same
 * `accessTokenMinutes` as mobius-user (JWT_ACCESS_TOKEN_EXPIRE_MINUTES) so the lifetime checks agree.
 */
export function createAccessTokenVerifier(options: TokenServiceOptions): AccessTokenVerifier {
  const service = createTokenService(options);
  return { verifyAccessToken: (token) => service.verifyAccessToken(token) };
}

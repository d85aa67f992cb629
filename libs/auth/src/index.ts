/** @mobius/auth: the one access-token minter and validator (CONTRACTS.md section 5) and its fastify hook. */
export { AUTH_ERROR_CODES, AuthError, type AuthErrorCode } from './errors.ts';
export { AUTH_DEFAULTS, DEFAULT_TENANT_ID, createTokenService } from './tokens.ts';
export { createAccessTokenVerifier } from './access-verifier.ts';
export { bearerToken, principalOf, requireAccessToken } from './fastify-hook.ts';
export type {
  AccessPrincipal,
  AccessTokenClaims,
  AccessTokenVerifier,
  RefreshPrincipal,
  RefreshTokenClaims,
  TokenService,
  TokenServiceOptions,
} from './types.ts';

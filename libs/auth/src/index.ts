/** @mobius/auth: the one access-token minter and validator (docs/user-api.md, tokens) and its fastify hook. */
export { AUTH_ERROR_CODES, AuthError, AuthUnavailableError, type AuthErrorCode } from './errors.ts';
export { AUTH_DEFAULTS, DEFAULT_TENANT_ID, createTokenService } from './tokens.ts';
export { createAccessTokenVerifier } from './access-verifier.ts';
export { bearerToken, principalOf, requireAccessToken, type AccessTokenHookOptions } from './fastify-hook.ts';
export {
  authorizeRequest,
  requireCredential,
  type AccessPolicy,
  type Caller,
  type CredentialRules,
  type PeopleRules,
  type RefusalBody,
} from './credential-guard.ts';
export { SERVICE_TOKEN_MIN_LENGTH, serviceTokenMatches } from './service-token.ts';
export {
  USER_DIRECTORY_DEFAULTS,
  activeUser,
  cachedUserDirectory,
  postgresUserDirectory,
  type Queryable,
  type UserDirectory,
  type UserRecord,
} from './user-directory.ts';
export type {
  AccessPrincipal,
  AccessTokenClaims,
  AccessTokenVerifier,
  RefreshPrincipal,
  RefreshTokenClaims,
  TokenService,
  TokenServiceOptions,
} from './types.ts';

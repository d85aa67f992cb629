/**
 * The token shapes of mobius-user (docs/contracts.md, "Tokens"). Claims are exactly these: no `iat`, `iss`
 * or `aud`. `exp` is seconds since the epoch (a JWT NumericDate).
 */

/** The access token's claims. */
export interface AccessTokenClaims {
  /** The user id (`app_user.user_id`). */
  sub: string;
  tenant_id: string;
  exp: number;
  type: 'access';
}

/** The refresh token's claims. */
export interface RefreshTokenClaims {
  /** The user id. */
  sub: string;
  /** The `user_session.session_id` whose `refresh_token_hash` is this token's sha256. */
  session_id: string;
  exp: number;
  type: 'refresh';
}

/** Who a valid access token speaks for: what the HTTP hook puts on the request. */
export interface AccessPrincipal {
  userId: string;
  tenantId: string;
  /** When the token stops being valid. */
  expiresAt: Date;
}

/** A valid refresh token's content. */
export interface RefreshPrincipal {
  userId: string;
  sessionId: string;
  expiresAt: Date;
}

/** Verifies access tokens: what an API that only reads tokens (chat, os) depends on. */
export interface AccessTokenVerifier {
  /**
   * The principal of a valid access token. Throws AuthError (never returns on a bad token):
   * TOKEN_MISSING, TOKEN_MALFORMED, TOKEN_ALG_REFUSED, TOKEN_INVALID_SIGNATURE, TOKEN_EXPIRED,
   * TOKEN_NOT_YET_VALID, TOKEN_AUD_REFUSED, TOKEN_WRONG_TYPE, TOKEN_CLAIMS_INVALID.
   */
  verifyAccessToken(token: string): AccessPrincipal;
}

/** Mints and verifies both token types with one secret: mobius-user, and the CLI's dev tokens. */
export interface TokenService extends AccessTokenVerifier {
  /** An access token `{sub, tenant_id, exp, type: 'access'}` valid for `minutes` (default: the service's). */
  mintAccessToken(subject: { userId: string; tenantId: string; minutes?: number }): string;
  /** A refresh token `{sub, session_id, exp, type: 'refresh'}` valid for `days` (default: the service's). */
  mintRefreshToken(subject: { userId: string; sessionId: string; days?: number }): string;
  /** As verifyAccessToken, for refresh tokens (an access token is TOKEN_WRONG_TYPE). */
  verifyRefreshToken(token: string): RefreshPrincipal;
}

export interface TokenServiceOptions {
  /** `JWT_SECRET`, shared with mobius-user, os and chat. Required and non-empty. */
  secret: string;
  /** Access token lifetime (default AUTH_DEFAULTS.accessTokenMinutes). */
  accessTokenMinutes?: number;
  /** Refresh token lifetime (default AUTH_DEFAULTS.refreshTokenDays). */
  refreshTokenDays?: number;
  /**
   * Seconds an `exp` may lie beyond the type's lifetime (default AUTH_DEFAULTS.expLeewaySeconds);
   * a later `exp` is refused (TOKEN_CLAIMS_INVALID), so a forged "never expires" token is not admitted.
   */
  expLeewaySeconds?: number;
  /**
   * The longest access-token lifetime this validator admits, in minutes, when tokens are minted
   * longer than `accessTokenMinutes` (`mobius token --minutes`); default accessTokenMinutes.
   */
  maxAccessTokenMinutes?: number;
  /** Leeway for clock skew when checking `exp` (default AUTH_DEFAULTS.clockToleranceSeconds). */
  clockToleranceSeconds?: number;
  /** The clock, in ms since the epoch (tests move it). Default Date.now. */
  now?: () => number;
}

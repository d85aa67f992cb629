/**
 * The token error catalogue: one class, one stable `code` per reason a token is refused. Messages name
 * the reason and never contain the token or any part of it, so they are safe to log and to return.
 */
export const AUTH_ERROR_CODES = {
  /** No `Authorization: Bearer <token>` header (or an empty token). */
  missing: 'TOKEN_MISSING',
  /** Not a compact JWS of three base64url parts with a JSON header and a JSON object payload. */
  malformed: 'TOKEN_MALFORMED',
  /** The header's `alg` is not HS256 (`none` included), or the header asks for extensions (`crit`). */
  algRefused: 'TOKEN_ALG_REFUSED',
  /** The HMAC does not match: a tampered token, or one signed with another secret. */
  invalidSignature: 'TOKEN_INVALID_SIGNATURE',
  /** `exp` is now or in the past (no leeway by default). */
  expired: 'TOKEN_EXPIRED',
  /** `nbf` (not part of the contract, but honoured when present) is still in the future. */
  notYetValid: 'TOKEN_NOT_YET_VALID',
  /** `type` is not the one expected (a refresh token where an access token is needed, or the reverse). */
  wrongType: 'TOKEN_WRONG_TYPE',
  /** The token carries `aud`; mobius-user never sets it and the production chat app refuses such tokens. */
  audRefused: 'TOKEN_AUD_REFUSED',
  /** A required claim is missing or of the wrong type (`sub`, `tenant_id`, `session_id`, `exp`). */
  claimsInvalid: 'TOKEN_CLAIMS_INVALID',
  /** A credential that is neither a valid access token, the service token, nor an accepted OIDC token. */
  credentialInvalid: 'CREDENTIAL_INVALID',
  /** A valid access token whose user no longer exists or is not `active` (revoked since it was minted). */
  userInactive: 'USER_INACTIVE',
  /** A valid credential of someone this API does not admit (no allowed role or email): HTTP 403. */
  forbidden: 'ACCESS_FORBIDDEN',
  /** The token service was built without a secret, or asked to mint with a bad lifetime or claim. */
  configInvalid: 'AUTH_CONFIG_INVALID',
} as const;

export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[keyof typeof AUTH_ERROR_CODES];

/**
 * A token was refused (every code but AUTH_CONFIG_INVALID, which is a programming or configuration
 * error). Never retryable: the same token is refused again. `statusCode` is what an HTTP API answers.
 */
export class AuthError extends Error {
  readonly retryable = false;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuthError';
  }

  /**
   * 401 for every token problem; 403 for ACCESS_FORBIDDEN (who you are is known, and not admitted);
   * 500 for AUTH_CONFIG_INVALID (the server, not the client, is wrong).
   */
  get statusCode(): number {
    if (this.code === AUTH_ERROR_CODES.forbidden) return 403;
    return this.code === AUTH_ERROR_CODES.configInvalid ? 500 : 401;
  }
}

/** The user directory could not be read: the request is neither admitted nor refused (503, retry). */
export class AuthUnavailableError extends Error {
  readonly code = 'AUTH_UNAVAILABLE';
  readonly retryable = true;
  readonly statusCode = 503;
}

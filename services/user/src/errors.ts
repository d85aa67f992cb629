/**
 * The user API's error catalogue: every error a client can get, with its stable code. The API's one
 * error handler (http/envelope.ts) answers `{ok: false, error: {code, message, field?}}` with the
 * status. Token problems keep the codes of `@mobius/auth` (TOKEN_EXPIRED, TOKEN_WRONG_TYPE, ...), 401.
 */
import { HttpError } from '@mobius/service';

export const USER_ERROR_CODES = {
  /** 400: the body is not what the route takes; `field` names the first wrong field. */
  invalidBody: 'INVALID_BODY',
  /** 400: register named a tenant that does not exist (only the default tenant is created on demand). */
  tenantUnknown: 'TENANT_UNKNOWN',
  /** 401: unknown email, wrong password or inactive user: one answer, so accounts cannot be enumerated. */
  invalidCredentials: 'INVALID_CREDENTIALS',
  /** 401: the refresh token's session does not exist, belongs to another user or stores another hash. */
  sessionInvalid: 'SESSION_INVALID',
  /** 401: the refresh token's session was logged out. */
  sessionRevoked: 'SESSION_REVOKED',
  /** 401: the refresh token's session is past its `expires_at`. */
  sessionExpired: 'SESSION_EXPIRED',
  /** 401: the token's user does not exist any more, moved tenant or is not active. */
  userInactive: 'USER_INACTIVE',
  /** 404: no such route under /api/v1/auth. */
  notFound: 'NOT_FOUND',
  /** 409: an account with this email already exists in the tenant. */
  emailTaken: 'EMAIL_TAKEN',
  /** 413: the body is larger than the service accepts. */
  bodyTooLarge: 'BODY_TOO_LARGE',
  /** 415: the body is not JSON. */
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** 429: too many login attempts for the email or from the client address; see `retry-after`. */
  rateLimited: 'RATE_LIMITED',
  /** 500: anything unexpected; the detail is in the log, never in the answer. */
  internal: 'INTERNAL',
} as const;

const CODES = USER_ERROR_CODES;

/** An error of the user API: an HttpError that may name the body field it is about. */
export class UserApiError extends HttpError {
  readonly retryable: boolean;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(statusCode, code, message, options);
    this.name = 'UserApiError';
    this.retryable = statusCode === 429 || statusCode >= 500;
  }
}

export const invalidBody = (field: string, message: string) => new UserApiError(400, CODES.invalidBody, message, field);

export const tenantUnknown = () =>
  new UserApiError(400, CODES.tenantUnknown, 'tenant_id names no tenant (only the default tenant is created on demand)', 'tenant_id');

/** The one answer to every failed login: the same status and message whatever the reason. */
export const invalidCredentials = () => new UserApiError(401, CODES.invalidCredentials, 'invalid email or password');

export const sessionInvalid = () =>
  new UserApiError(401, CODES.sessionInvalid, 'refresh token does not match an active session; log in again');
export const sessionRevoked = () => new UserApiError(401, CODES.sessionRevoked, 'session was logged out; log in again');
export const sessionExpired = () => new UserApiError(401, CODES.sessionExpired, 'session has expired; log in again');
export const userInactive = () => new UserApiError(401, CODES.userInactive, 'user does not exist or is not active');

export const emailTaken = () => new UserApiError(409, CODES.emailTaken, 'an account with this email already exists', 'email');

export const rateLimited = (scope: 'email' | 'ip', retryAfterSeconds: number) =>
  new UserApiError(
    429,
    CODES.rateLimited,
    `too many login attempts ${scope === 'email' ? 'for this email' : 'from this address'}; retry in ${retryAfterSeconds} s`,
  );

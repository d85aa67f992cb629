/**
 * The user API's error catalogue: every error a client can get, with a stable code (for logs and
 * metrics) and the `detail` the existing FastAPI mobius-user answers for it. The one error handler
 * (http/fastapi-errors.ts) answers `{detail}` with the status, as FastAPI's HTTPException does;
 * body validation failures are FastAPI's 422 `{detail: [{type, loc, msg}]}` (ValidationFailed).
 */
import { HttpError } from '@mobius/service';

export const USER_ERROR_CODES = {
  /** 400: a field has the right type but a value the route refuses (empty email, short password...). */
  invalidInput: 'INVALID_INPUT',
  /** 400: an account with this email already exists in the tenant ("Email already registered"). */
  emailTaken: 'EMAIL_TAKEN',
  /** 401: unknown email, wrong password or inactive user. */
  invalidCredentials: 'INVALID_CREDENTIALS',
  /** 401: the account has no password (Google only). */
  oauthAccount: 'OAUTH_ACCOUNT',
  /** 401: no usable Bearer access token, or its user is not active. */
  unauthorized: 'UNAUTHORIZED',
  /** 401: the refresh token does not verify or does not match its session. */
  refreshInvalid: 'REFRESH_INVALID',
  /** 401: the refresh token's session is revoked or expired. */
  sessionEnded: 'SESSION_ENDED',
  /** 401: the Google ID token was refused (signature, expiry, audience, issuer, email). */
  googleRefused: 'GOOGLE_REFUSED',
  /** 403: a writer route without the internal key or an admin's token. */
  forbidden: 'FORBIDDEN',
  /** 403: registration into a tenant that is not open (user_ext.tenant_settings). */
  tenantClosed: 'TENANT_CLOSED',
  /** 404: an unknown route, user, identity or membership. */
  notFound: 'NOT_FOUND',
  /** 409: the state does not allow the operation (reactivating an active account...). */
  conflict: 'CONFLICT',
  /** 413: the body is larger than the service accepts. */
  bodyTooLarge: 'BODY_TOO_LARGE',
  /** 415: the body is not JSON. */
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** 422: the body fails validation (FastAPI's list of problems). */
  validationFailed: 'VALIDATION_FAILED',
  /** 429: a rate limit or the password hashing queue is full; see `retry-after`. */
  rateLimited: 'RATE_LIMITED',
  /** 503: Google's keys could not be fetched, or Google sign-in is not configured. */
  unavailable: 'UNAVAILABLE',
  /** 500: anything unexpected; the detail is in the log, never in the answer. */
  internal: 'INTERNAL',
} as const;

const CODES = USER_ERROR_CODES;

/** An error of the user API: its status, stable code and the `detail` the client reads. */
export class UserApiError extends HttpError {
  // retryable (a 429 or a 5xx) is HttpError's.

  constructor(
    statusCode: number,
    code: string,
    readonly detail: string,
    options?: { cause?: unknown; retryAfterSeconds?: number; detailBody?: Record<string, unknown> },
  ) {
    super(statusCode, code, detail, options);
    this.detailBody = options?.detailBody;
    this.name = 'UserApiError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** Sent as `retry-after` with a 429. */
  readonly retryAfterSeconds: number | undefined;
  /** Answered as `detail` instead of the sentence, when the original's HTTPException carries an object (invite's 409). */
  readonly detailBody: Record<string, unknown> | undefined;
}

/** One problem of a 422 answer, as FastAPI/pydantic spell it (the input is never echoed). */
export interface ValidationProblem {
  type: string;
  loc: (string | number)[];
  msg: string;
}

/** 422: the body does not have the route's shape (missing field, wrong type, not an object). */
export class ValidationFailed extends UserApiError {
  constructor(readonly problems: ValidationProblem[]) {
    super(422, CODES.validationFailed, problems.map((p) => `${p.loc.join('.')}: ${p.msg}`).join('; '));
    this.name = 'ValidationFailed';
  }
}

export const invalidInput = (detail: string) => new UserApiError(400, CODES.invalidInput, detail);
export const emailTaken = () => new UserApiError(400, CODES.emailTaken, 'Email already registered');
export const invalidCredentials = () => new UserApiError(401, CODES.invalidCredentials, 'Invalid email or password');
export const oauthAccount = () => new UserApiError(401, CODES.oauthAccount, 'Account uses OAuth login');
export const unauthorized = () => new UserApiError(401, CODES.unauthorized, 'Unauthorized');
export const refreshInvalid = () => new UserApiError(401, CODES.refreshInvalid, 'Invalid refresh token');
export const sessionEnded = () => new UserApiError(401, CODES.sessionEnded, 'Session expired or revoked');
export const refreshUserGone = () => new UserApiError(401, CODES.refreshInvalid, 'User not found');
export const googleRefused = (detail: string) => new UserApiError(401, CODES.googleRefused, detail);
export const forbidden = () => new UserApiError(403, CODES.forbidden, 'Forbidden');
export const tenantClosed = () => new UserApiError(403, CODES.tenantClosed, 'Registration into this tenant requires an invitation');
export const notFound = (detail = 'Not Found') => new UserApiError(404, CODES.notFound, detail);
export const conflict = (detail: string, detailBody?: Record<string, unknown>) =>
  new UserApiError(409, CODES.conflict, detail, detailBody ? { detailBody } : undefined);
export const unavailable = (detail: string, cause?: unknown) => new UserApiError(503, CODES.unavailable, detail, { cause });

/** 429 with `retry-after`: a rate limit, or the password hashing queue is full. */
export const rateLimited = (retryAfterSeconds: number) =>
  new UserApiError(429, CODES.rateLimited, 'Too many requests', { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });

import { AuthError, AuthUnavailableError, authorizeRequest, type AccessPolicy } from '@mobius/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearedCookie, parseCookies } from './cookies.ts';

/** Where a page load without an admitted credential is sent. */
export const LOGIN_PATH = '/login';

/** What the API answers for each refusal status (the code says why). */
const API_MESSAGES: Record<number, string> = {
  401: 'a valid credential is required (Authorization: Bearer, or sign in at /login)',
  403: 'this user is not allowed to use the console (AUTH_ALLOWED_EMAILS / AUTH_ALLOWED_ROLES)',
  503: 'the user directory cannot be read; try again',
};

/** The request's credential as an Authorization value: its own header (scripts), else the session cookie (browsers). */
function credentialOf(request: FastifyRequest, cookieName: string): { authorization: string | undefined; fromCookie: boolean } {
  if (request.headers.authorization !== undefined) return { authorization: request.headers.authorization, fromCookie: false };
  const token = parseCookies(request.headers.cookie)[cookieName];
  return { authorization: token ? `Bearer ${token}` : undefined, fromCookie: true };
}

/** The status and code of a refusal by the guard; anything else is a bug and rethrown. */
function refusalOf(error: unknown): { status: number; code: string; cause?: unknown } {
  if (error instanceof AuthUnavailableError) return { status: 503, code: error.code, cause: error.cause };
  if (error instanceof AuthError && error.statusCode < 500) return { status: error.statusCode, code: error.code };
  throw error;
}

/**
 * The console's `onRequest` hook (unless access is `none`): the shared guard of @mobius/auth
 * (docs/security.md) on the credential of `Authorization: Bearer` or of the session cookie `/login`
 * sets: a person's access token whose user is active and allowed by email or role, the service token
 * (scripts reading /api/status), or a Google OIDC token of an admitted service account. Refused:
 * `/api/*` answers 401 (with `WWW-Authenticate: Bearer`), 403 or 503 `{error: {code, message}}`;
 * a page answers 303 to `/login` (what a person needs), clearing a cookie that no longer admits.
 * Logs the refusal's code, never the credential.
 */
export function requireConsoleAccess(policy: AccessPolicy, cookieName: string) {
  return async function consoleAccessHook(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const { authorization, fromCookie } = credentialOf(request, cookieName);
    let refusal: ReturnType<typeof refusalOf>;
    try {
      request.caller = await authorizeRequest(policy, authorization);
      return undefined;
    } catch (error) {
      refusal = refusalOf(error);
    }
    if (refusal.status === 503) request.log.error({ err: refusal.cause }, 'console access: the user directory cannot be read');
    else request.log.info({ code: refusal.code }, 'console access refused');
    if (request.url.startsWith('/api/') || refusal.status === 503) {
      if (refusal.status === 401) reply.header('www-authenticate', refusal.code === 'TOKEN_MISSING' ? 'Bearer' : 'Bearer error="invalid_token"');
      return reply.code(refusal.status).send({ error: { code: refusal.code, message: API_MESSAGES[refusal.status] } });
    }
    const stale = fromCookie && refusal.code !== 'TOKEN_MISSING';
    if (stale) reply.header('set-cookie', clearedCookie(cookieName));
    const location = !stale ? LOGIN_PATH : `${LOGIN_PATH}?${refusal.status === 403 ? 'forbidden' : 'expired'}=1`;
    return reply.code(303).header('location', location).send();
  };
}

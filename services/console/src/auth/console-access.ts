import { AuthError, bearerToken, type AccessPrincipal, type AccessTokenVerifier } from '@mobius/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearedCookie, parseCookies } from './cookies.ts';

/** Where a page load without a valid token is sent. */
export const LOGIN_PATH = '/login';

/** The access token of a request: its Bearer header when it has one (scripts), else the session cookie (browsers). */
function tokenOf(request: FastifyRequest, cookieName: string): { token: string | undefined; fromCookie: boolean } {
  if (request.headers.authorization !== undefined) return { token: bearerToken(request.headers.authorization), fromCookie: false };
  const token = parseCookies(request.headers.cookie)[cookieName];
  return { token: token || undefined, fromCookie: true };
}

/** The admitted principal, or the AuthError code of the refusal. */
function admit(verifier: AccessTokenVerifier, request: FastifyRequest, cookieName: string): { principal?: AccessPrincipal; code?: string; fromCookie: boolean } {
  let fromCookie = false;
  try {
    const found = tokenOf(request, cookieName);
    fromCookie = found.fromCookie;
    if (!found.token) return { code: 'TOKEN_MISSING', fromCookie };
    return { principal: verifier.verifyAccessToken(found.token), fromCookie };
  } catch (error) {
    if (error instanceof AuthError && error.statusCode === 401) return { code: error.code, fromCookie };
    throw error;
  }
}

/**
 * The console's `onRequest` hook under CONSOLE_AUTH=jwt: admits a valid access token (the chat
 * contract's HS256 JWT) from `Authorization: Bearer` or from the session cookie `/login` sets.
 * Refused: `/api/*` answers 401 `{error: {code, message}}` with `WWW-Authenticate: Bearer` (what a
 * script expects); a page answers 303 to `/login` (what a person needs), clearing a cookie whose
 * token is no longer valid. Logs the refusal's code, never the token.
 */
export function requireConsoleAccess(verifier: AccessTokenVerifier, cookieName: string) {
  return async function consoleAccessHook(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const result = admit(verifier, request, cookieName);
    if (result.principal) {
      request.principal = result.principal;
      return undefined;
    }
    request.log.info({ code: result.code }, 'console access refused');
    if (request.url.startsWith('/api/')) {
      return reply
        .code(401)
        .header('www-authenticate', result.code === 'TOKEN_MISSING' ? 'Bearer' : 'Bearer error="invalid_token"')
        .send({ error: { code: result.code, message: 'a valid access token is required (Authorization: Bearer, or sign in at /login)' } });
    }
    const expired = result.fromCookie && result.code !== 'TOKEN_MISSING';
    if (expired) reply.header('set-cookie', clearedCookie(cookieName));
    return reply.code(303).header('location', expired ? `${LOGIN_PATH}?expired=1` : LOGIN_PATH).send();
  };
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_ERROR_CODES as CODES, AuthError, AuthUnavailableError } from './errors.ts';
import type { AccessPrincipal, AccessTokenVerifier } from './types.ts';
import { activeUser, type UserDirectory } from './user-directory.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireAccessToken` once the bearer token is valid; read it with `principalOf`. */
    principal?: AccessPrincipal;
  }
}

/** `Bearer <token>`: the scheme is case-insensitive (RFC 7235); the token is one run of non-spaces. */
const BEARER = /^Bearer +(\S+) *$/i;

/** The bearer token of an Authorization header; TOKEN_MISSING when there is none. */
export function bearerToken(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : BEARER.exec(value);
  if (!match) throw new AuthError(CODES.missing, 'an Authorization: Bearer <access token> header is required');
  return match[1]!;
}

/** What `requireAccessToken` checks beyond the token itself. */
export interface AccessTokenHookOptions {
  /**
   * When given, the token's user must also be `active` there (revocation: a token otherwise outlives a
   * deactivation by up to its lifetime). Pass a cached directory (cachedUserDirectory: at most a minute).
   */
  activeUsers?: UserDirectory;
}

/**
 * A fastify hook (use it as `onRequest`, so nothing of a refused request is parsed, or as
 * `preHandler`) that admits a request only with `Authorization: Bearer <valid access token>` and puts
 * `{userId, tenantId, expiresAt}` on `request.principal`. Otherwise it answers 401
 * `{error: {code, message}}` with a `WWW-Authenticate: Bearer` header; `code` is the AuthError code
 * (USER_INACTIVE when `options.activeUsers` no longer holds the user as active), or 503
 * AUTH_UNAVAILABLE when that directory cannot be read. It logs the code of a refusal, never the token.
 */
export function requireAccessToken(verifier: AccessTokenVerifier, options: AccessTokenHookOptions = {}) {
  return async function accessTokenHook(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    try {
      const principal = verifier.verifyAccessToken(bearerToken(request.headers.authorization));
      if (options.activeUsers) await activeUser(options.activeUsers, principal.userId);
      request.principal = principal;
      return undefined;
    } catch (error) {
      if (error instanceof AuthUnavailableError) {
        request.log.error({ err: error.cause }, error.message);
        return reply.code(503).send({ error: { code: error.code, message: error.message } });
      }
      if (!(error instanceof AuthError) || error.statusCode !== 401) throw error;
      request.log.info({ code: error.code }, 'access token refused');
      const realm = error.code === CODES.missing ? 'Bearer' : 'Bearer error="invalid_token"';
      // Returning the reply tells fastify the request is answered: no later hook or handler runs.
      return reply
        .code(401)
        .header('www-authenticate', realm)
        .send({ error: { code: error.code, message: error.message } });
    }
  };
}

/** The principal `requireAccessToken` admitted; throws when the route is not behind that hook (a bug). */
export function principalOf(request: FastifyRequest): AccessPrincipal {
  if (!request.principal) throw new Error('principalOf: this route is not behind requireAccessToken');
  return request.principal;
}

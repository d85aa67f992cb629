import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_ERROR_CODES as CODES, AuthError, AuthUnavailableError } from './errors.ts';
import { bearerToken } from './fastify-hook.ts';
import { serviceTokenMatches } from './service-token.ts';
import type { AccessTokenVerifier } from './types.ts';
import { activeUser, type UserDirectory } from './user-directory.ts';

/**
 * The one auth model of every Mobius HTTP API that is not chat's public search (docs/security.md): a
 * request carries `Authorization: Bearer <credential>`, which is one of
 * - the service token every service holds (MOBIUS_SERVICE_TOKEN), compared in constant time: services and the CLI;
 * - a Google-signed OIDC ID token (RS256) for the configured audience and service accounts: services
 *   on Cloud Run calling one another;
 * - a mobius-user access token (HS256, the one validator of tokens.ts) of an active user whose email
 *   or role the deployment allows: people (operators).
 * Unless the deployment says AUTH=none, which admits anyone (`mobius dev`, tests).
 */
export type AccessPolicy = { mode: 'none' } | ({ mode: 'required' } & CredentialRules);

export interface CredentialRules {
  /** The service token every service holds; undefined: none is accepted. */
  serviceToken?: string;
  /** People's access tokens; undefined: none is accepted. */
  people?: PeopleRules;
  /** Verifies a Google OIDC ID token's `Authorization` header (throws when refused); undefined: none accepted. */
  oidc?: (authorization: string) => Promise<void>;
}

export interface PeopleRules {
  tokens: AccessTokenVerifier;
  /** Where status, email and role are read (cached: cachedUserDirectory). */
  directory: UserDirectory;
  /** Emails admitted whatever their role (lowercase). */
  allowedEmails: readonly string[];
  /** Role names admitted (`role.name`). */
  allowedRoles: readonly string[];
}

/** Who a request was admitted as; `request.caller` holds it. */
export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'service' }
  | { kind: 'google-service' }
  | { kind: 'person'; userId: string; tenantId: string; email: string | null; role: string | null };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireCredential` once the request is admitted. */
    caller?: Caller;
  }
}

/** A compact JWS' header `alg`, or undefined when the credential is no JWS (a service token). */
function jwsAlgorithm(credential: string): string | undefined {
  const parts = credential.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' ? header.alg : '';
  } catch {
    return '';
  }
}

async function admitPerson(people: PeopleRules, token: string): Promise<Caller> {
  const principal = people.tokens.verifyAccessToken(token);
  const user = await activeUser(people.directory, principal.userId);
  const byEmail = user.email !== null && people.allowedEmails.includes(user.email);
  const byRole = user.role !== null && people.allowedRoles.includes(user.role);
  if (!byEmail && !byRole) throw new AuthError(CODES.forbidden, 'this user has no role or email this API admits');
  return { kind: 'person', userId: principal.userId, tenantId: principal.tenantId, email: user.email, role: user.role };
}

/**
 * Who the `Authorization` header speaks for under `policy`. Throws AuthError: 401 (TOKEN_MISSING, a
 * token code of tokens.ts, CREDENTIAL_INVALID, USER_INACTIVE) or 403 (ACCESS_FORBIDDEN), and
 * AuthUnavailableError when the user directory cannot be read. Never says
 * which credential kinds the deployment accepts beyond what the refusal implies.
 */
export async function authorizeRequest(policy: AccessPolicy, authorization: string | string[] | undefined): Promise<Caller> {
  if (policy.mode === 'none') return { kind: 'anonymous' };
  const credential = bearerToken(authorization);
  const alg = jwsAlgorithm(credential);
  if (alg === undefined) {
    if (policy.serviceToken !== undefined && serviceTokenMatches(credential, policy.serviceToken)) return { kind: 'service' };
    throw new AuthError(CODES.credentialInvalid, 'the bearer credential is not valid here');
  }
  if (alg === 'RS256' && policy.oidc) {
    try {
      await policy.oidc(`Bearer ${credential}`);
      return { kind: 'google-service' };
    } catch (error) {
      throw new AuthError(CODES.credentialInvalid, 'the OIDC token is not valid here', { cause: error });
    }
  }
  if (!policy.people) throw new AuthError(CODES.credentialInvalid, 'access tokens are not accepted here');
  return admitPerson(policy.people, credential);
}

/** How a refusal is rendered: an API with its own error format (Google's, FastAPI's) passes its own. */
export type RefusalBody = (refusal: { status: number; code: string; message: string }) => unknown;

const defaultRefusalBody: RefusalBody = ({ code, message }) => ({ error: { code, message } });

/**
 * The fastify `onRequest` hook of a guarded route: admits the request under `policy` and puts the
 * caller on `request.caller`, or answers 401/403 `{error: {code, message}}` (with `WWW-Authenticate:
 * Bearer` on a 401; `refusalBody` renders another format) before the body is read. Logs the refusal's code and the caller, never the credential.
 */
export function requireCredential(policy: AccessPolicy, options: { refusalBody?: RefusalBody } = {}) {
  const body = options.refusalBody ?? defaultRefusalBody;
  return async function credentialHook(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    try {
      request.caller = await authorizeRequest(policy, request.headers.authorization);
      return undefined;
    } catch (error) {
      if (error instanceof AuthUnavailableError) {
        request.log.error({ err: error.cause }, error.message);
        return reply.code(503).send(body({ status: 503, code: error.code, message: error.message }));
      }
      if (!(error instanceof AuthError) || error.statusCode >= 500) throw error;
      request.log.info({ code: error.code }, 'request refused');
      if (error.statusCode === 401) {
        reply.header('www-authenticate', error.code === CODES.missing ? 'Bearer' : 'Bearer error="invalid_token"');
      }
      return reply.code(error.statusCode).send(body({ status: error.statusCode, code: error.code, message: error.message }));
    }
  };
}

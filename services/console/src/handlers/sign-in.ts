import { AuthError, AuthUnavailableError, authorizeRequest, type AccessPolicy, type AccessPrincipal } from '@mobius/auth';

/** The outcome of a posted sign-in form; `forbidden`: a valid token of someone the console does not admit. */
export type SignInResult = { ok: true; token: string; principal: AccessPrincipal } | { ok: false; code: string; forbidden: boolean };

/** The `token` field of the posted form, trimmed (a pasted token often carries a newline or `Bearer `). */
function tokenField(body: unknown): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>).token : undefined;
  return typeof value === 'string' ? value.trim().replace(/^Bearer\s+/i, '') : '';
}

/**
 * `POST /login`: accepts the form's token when it is a person's access token the guard admits under
 * `policy` (valid, user active, email or role allowed), so the cookie it becomes admits exactly what
 * the Bearer header would. Only people sign in: a service token or an OIDC token is refused here
 * (scripts send it as a header). Throws AuthUnavailableError when the user directory cannot be read.
 */
export async function signIn(policy: AccessPolicy, body: unknown): Promise<SignInResult> {
  const token = tokenField(body);
  if (!token) return { ok: false, code: 'TOKEN_MISSING', forbidden: false };
  if (policy.mode !== 'required' || !policy.people) return { ok: false, code: 'CREDENTIAL_INVALID', forbidden: false };
  try {
    const caller = await authorizeRequest({ mode: 'required', people: policy.people }, `Bearer ${token}`);
    if (caller.kind !== 'person') return { ok: false, code: 'CREDENTIAL_INVALID', forbidden: false };
    return { ok: true, token, principal: policy.people.tokens.verifyAccessToken(token) };
  } catch (error) {
    if (error instanceof AuthUnavailableError) throw error;
    if (error instanceof AuthError && error.statusCode < 500) return { ok: false, code: error.code, forbidden: error.statusCode === 403 };
    throw error;
  }
}

/**
 * A sign-in form posted from another site is refused (login CSRF): the browser's Origin, when it
 * sends one, must name this host.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

import { AuthError, type AccessPrincipal, type AccessTokenVerifier } from '@mobius/auth';

/** The outcome of a posted sign-in form. */
export type SignInResult = { ok: true; token: string; principal: AccessPrincipal } | { ok: false; code: string };

/** The `token` field of the posted form, trimmed (a pasted token often carries a newline or `Bearer `). */
function tokenField(body: unknown): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>).token : undefined;
  return typeof value === 'string' ? value.trim().replace(/^Bearer\s+/i, '') : '';
}

/** `POST /login`: accepts the form's token when it is a valid access token; the refusal's code otherwise. */
export function signIn(verifier: AccessTokenVerifier, body: unknown): SignInResult {
  const token = tokenField(body);
  if (!token) return { ok: false, code: 'TOKEN_MISSING' };
  try {
    return { ok: true, token, principal: verifier.verifyAccessToken(token) };
  } catch (error) {
    if (error instanceof AuthError && error.statusCode === 401) return { ok: false, code: error.code };
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

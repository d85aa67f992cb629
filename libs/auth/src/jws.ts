import jwt from 'jsonwebtoken';
import { AUTH_ERROR_CODES as CODES, AuthError } from './errors.ts';

/**
 * Compact JWS with HS256 and nothing else, on `jsonwebtoken` (the maintained, synchronous JWT library).
 * HS256 is the only algorithm mobius-user issues (docs/user-api.md, tokens); accepting anything else is how
 * `alg: none` and algorithm-confusion forgeries get in, so the verifier is pinned to it.
 */

/** The one accepted algorithm. */
export const ALGORITHM = 'HS256';

/** Signs `payload` with HS256 and the UTF-8 bytes of `secret`, adding no claim (no `iat`). */
export function signHs256(payload: Record<string, unknown>, secret: string): string {
  return jwt.sign(payload, secret, { algorithm: ALGORITHM, noTimestamp: true });
}

/**
 * Refuses, before any signature check, a header that is not plain HS256: another `alg` (including
 * `none`), or JWS extensions (`crit`, `b64`) that jsonwebtoken would silently ignore.
 */
function checkHeader(token: string): void {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.header !== 'object') {
    throw new AuthError(CODES.malformed, 'token is not a compact JWS (three base64url parts)');
  }
  const header = decoded.header as unknown as Record<string, unknown>;
  if (header.alg !== ALGORITHM) {
    const alg = typeof header.alg === 'string' ? header.alg.slice(0, 16) : typeof header.alg;
    throw new AuthError(CODES.algRefused, `token algorithm ${JSON.stringify(alg)} is refused (only ${ALGORITHM})`);
  }
  if ('crit' in header || 'b64' in header) {
    throw new AuthError(CODES.algRefused, 'token header asks for JWS extensions (crit/b64), which are refused');
  }
}

/** jsonwebtoken's messages for what is wrong with an HS256 token, mapped to our codes. */
function mapVerifyError(error: unknown): AuthError {
  const message = error instanceof Error ? error.message : String(error);
  if (/invalid signature|signature is required/.test(message)) {
    return new AuthError(CODES.invalidSignature, 'token signature does not match', { cause: error });
  }
  return new AuthError(CODES.malformed, 'token is not a well-formed HS256 JWS', { cause: error });
}

/**
 * Verifies a compact HS256 JWS and returns its payload, which is then authentic but not yet checked
 * for expiry, type or audience (tokens.ts does that, in the order that tells the caller most).
 * Throws AuthError: TOKEN_MALFORMED, TOKEN_ALG_REFUSED, TOKEN_INVALID_SIGNATURE.
 */
export function verifyHs256(token: string, secret: string): Record<string, unknown> {
  checkHeader(token);
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secret, { algorithms: [ALGORITHM], ignoreExpiration: true, ignoreNotBefore: true });
  } catch (error) {
    throw mapVerifyError(error);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new AuthError(CODES.malformed, 'token payload is not a JSON object');
  }
  return payload as Record<string, unknown>;
}

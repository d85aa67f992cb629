import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { googleRefused, unavailable } from '../errors.ts';

/**
 * Verifies Google ID tokens server side, as the existing service does with google-auth's
 * verify_oauth2_token: RS256 signature by one of Google's published keys (fetched from `jwksUrl`,
 * cached as Google's cache headers allow, refetched for an unknown `kid`), `exp`, `aud` equal to the
 * configured client id, issuer `accounts.google.com` or `https://accounts.google.com`, an `email`,
 * and `email_verified` not false. Every refusal is a 401 whose detail says why, in the original's
 * words where it has them; keys that cannot be fetched are a 503.
 */
export interface GoogleIdTokenVerifier {
  verify(idToken: string): Promise<GoogleIdentity>;
}

/** What sign-in takes from a verified token. */
export interface GoogleIdentity {
  /** Google's stable account id (`sub`): the provider link's provider_user_id. */
  subject: string;
  /** Trimmed and lowercased. */
  email: string;
  givenName: string | null;
  name: string | null;
  picture: string | null;
}

export interface GoogleVerifierOptions {
  /** GOOGLE_CLIENT_ID, the audience every token must carry. */
  clientId: string;
  /** GOOGLE_JWKS_URL (default Google's https://www.googleapis.com/oauth2/v3/certs). */
  jwksUrl: string;
  /** How long fetched keys are used without asking again. */
  keysCacheMs: number;
  /** Timeout of one key fetch. */
  fetchTimeoutMs: number;
}

export const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/** The refusal (or 503) for an error jose threw. */
function refusalOf(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return googleRefused('Invalid Google ID token: Token expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return googleRefused('Invalid token issuer');
    if (error.claim === 'aud') return googleRefused('Invalid Google ID token: Token has wrong audience');
    return googleRefused(`Invalid Google ID token: ${error.claim} claim is invalid`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return googleRefused('Invalid Google ID token: no Google key matches its kid');
  if (error instanceof errors.JWSSignatureVerificationFailed) return googleRefused('Invalid Google ID token: Could not verify token signature');
  if (error instanceof errors.JOSEAlgNotAllowed) return googleRefused('Invalid Google ID token: algorithm is not RS256');
  // A key set that times out, is not a key set, cannot be reached or does not answer 200.
  const keysUnreachable = error instanceof Error && error.message.startsWith('Expected 200 OK');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error instanceof TypeError || keysUnreachable) {
    return unavailable("Google's signing keys could not be fetched; try again", error);
  }
  if (error instanceof errors.JOSEError) return googleRefused('Invalid Google ID token: malformed token');
  return unavailable("Google's signing keys could not be fetched; try again", error);
}

function identityOf(payload: JWTPayload): GoogleIdentity {
  const email = text(payload.email);
  if (!email) throw googleRefused('Google account has no email claim');
  if (payload.email_verified === false || payload.email_verified === 'false') throw googleRefused('Google email is not verified');
  const subject = text(payload.sub);
  if (!subject) throw googleRefused('Invalid Google ID token: no sub claim');
  return {
    subject,
    email: email.toLowerCase(),
    givenName: text(payload.given_name),
    name: text(payload.name),
    picture: text(payload.picture),
  };
}

export function createGoogleIdTokenVerifier(options: GoogleVerifierOptions): GoogleIdTokenVerifier {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: options.keysCacheMs,
    timeoutDuration: options.fetchTimeoutMs,
  });
  return {
    async verify(idToken) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(idToken, keys, {
          algorithms: ['RS256'],
          audience: options.clientId,
          issuer: GOOGLE_ISSUERS,
          requiredClaims: ['exp', 'iat', 'sub'],
        }));
      } catch (error) {
        throw refusalOf(error);
      }
      return identityOf(payload);
    },
  };
}

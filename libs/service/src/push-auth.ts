import type { OAuth2Client } from 'google-auth-library';

/** Key id -> PEM certificate (or public key) of a token signer. */
export type SignerCerts = Record<string, string>;

/** What a push token must be to be accepted. */
export interface OidcPushAuthOptions {
  /** The `aud` Pub/Sub puts in the token: the push subscription's configured audience (PUSH_AUDIENCE). */
  audience: string;
  /** The `email` of the service account Pub/Sub signs the token as (PUSH_SERVICE_ACCOUNT). */
  serviceAccountEmail: string;
  /**
   * The signer's certificates by key id. Default: Google's (`https://www.googleapis.com/oauth2/v1/certs`,
   * fetched and cached by google-auth-library). Tests point it at a locally generated key.
   */
  certs?: () => Promise<SignerCerts>;
}

/** Google's ID-token issuers. */
const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

/**
 * A push request is not authenticated: no, a malformed, an unsigned, a forged or an expired token
 * (`PUSH_UNAUTHENTICATED`, HTTP 401), or a valid token for someone else: another audience, another
 * service account, an unverified email (`PUSH_FORBIDDEN`, HTTP 403). Never retryable. The message
 * never repeats the token.
 */
export class PushAuthError extends Error {
  readonly retryable = false;

  constructor(
    readonly code: 'PUSH_UNAUTHENTICATED' | 'PUSH_FORBIDDEN',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PushAuthError';
  }

  get status(): 401 | 403 {
    return this.code === 'PUSH_UNAUTHENTICATED' ? 401 : 403;
  }
}

/**
 * Verifies the `Authorization: Bearer <token>` of a Pub/Sub push request with google-auth-library:
 * an RS256 signature by one of the signer's keys, issued by Google, within its lifetime (5 min clock
 * skew), `aud` = the configured audience, `email` = the configured push service account and
 * `email_verified` true. Resolves when all hold; throws PushAuthError otherwise.
 */
export function oidcPushVerifier(options: OidcPushAuthOptions): (authorization: string | undefined) => Promise<void> {
  // google-auth-library is loaded with the first push request: every service imports this module
  // (through @mobius/service), and only BUS_MODE=push with OIDC ever verifies a token.
  let oauth: Promise<OAuth2Client> | undefined;
  const client = () => (oauth ??= import('google-auth-library').then(({ OAuth2Client }) => new OAuth2Client()));
  const certs = options.certs ?? (async () => (await (await client()).getFederatedSignonCertsAsync()).certs as SignerCerts);
  return async (authorization) => {
    const token = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new PushAuthError('PUSH_UNAUTHENTICATED', 'push request has no bearer token');
    if (headerOf(token).alg !== 'RS256') throw new PushAuthError('PUSH_UNAUTHENTICATED', 'push token is not signed with RS256');
    const verifier = await client();
    let payload: Record<string, unknown>;
    try {
      const ticket = await verifier.verifySignedJwtWithCertsAsync(token, await certs(), undefined, GOOGLE_ISSUERS);
      payload = (ticket.getPayload() ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new PushAuthError('PUSH_UNAUTHENTICATED', `push token rejected: ${withoutToken(error, token)}`, { cause: error });
    }
    if (payload.aud !== options.audience) throw new PushAuthError('PUSH_FORBIDDEN', 'push token is for another audience');
    if (payload.email !== options.serviceAccountEmail) throw new PushAuthError('PUSH_FORBIDDEN', 'push token is not from the push service account');
    if (payload.email_verified !== true) throw new PushAuthError('PUSH_FORBIDDEN', 'push token email is not verified');
  };
}

function headerOf(token: string): { alg?: unknown } {
  try {
    return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown };
  } catch {
    throw new PushAuthError('PUSH_UNAUTHENTICATED', 'push token header is not JSON');
  }
}

/** google-auth-library quotes the token (or its payload) in its messages: keep the first clause only. */
function withoutToken(error: unknown, token: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(token, '<token>').split(/[:,]/)[0] ?? 'invalid token';
}

import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** A locally generated RSA signer standing in for Google's: its public key is what the verifier is pointed at. */
export interface TestSigner {
  kid: string;
  privateKey: KeyObject;
  /** `{ kid: PEM public key }`: the certs the push verifier uses instead of Google's. */
  certs: Record<string, string>;
}

export function testSigner(kid: string): TestSigner {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, certs: { [kid]: publicKey.export({ type: 'spki', format: 'pem' }).toString() } };
}

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims Pub/Sub puts in a push token, valid for an hour from now; `overrides` change any. */
export function pushClaims(audience: string, email: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1_000);
  return {
    iss: 'https://accounts.google.com',
    aud: audience,
    email,
    email_verified: true,
    sub: '1234567890',
    iat: now,
    exp: now + 3_600,
    ...overrides,
  };
}

/** An RS256 JWT over `claims`, signed by `signer` (or by `signWith`, keeping `signer`'s kid: a forgery). */
export function mintToken(signer: TestSigner, claims: Record<string, unknown>, signWith: KeyObject = signer.privateKey): string {
  const input = `${part({ alg: 'RS256', kid: signer.kid, typ: 'JWT' })}.${part(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(signWith).toString('base64url');
  return `${input}.${signature}`;
}

/** An unsigned token (`alg: none`, empty signature) carrying valid-looking claims. */
export function unsignedToken(kid: string, claims: Record<string, unknown>): string {
  return `${part({ alg: 'none', kid, typ: 'JWT' })}.${part(claims)}.`;
}

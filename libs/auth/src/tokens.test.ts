import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES, AuthError } from './errors.ts';
import { verifyHs256 } from './jws.ts';
import { decodeToken, epochSeconds, forgeToken, withPayload } from './testing/forge.ts';
import { createTokenService } from './tokens.ts';

const SECRET = 'unit-test-secret-of-reasonable-length';
const USER = '5b0f5c1e-8d4c-4a8e-9a57-0a2b3c4d5e6f';
const TENANT = '00000000-0000-0000-0000-000000000001';
const tokens = createTokenService({ secret: SECRET });
const inAnHour = () => epochSeconds() + 3600;
const access = (extra: Record<string, unknown> = {}) => ({ sub: USER, tenant_id: TENANT, exp: inAnHour(), type: 'access', ...extra });

/** The AuthError `attempt` throws; fails the test when it throws nothing or something else. */
function refusal(attempt: () => unknown): AuthError {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error('expected the token to be refused');
}

const codeOf = (token: string) => refusal(() => tokens.verifyAccessToken(token)).code;

describe('minting (docs/contracts.md, "Tokens")', () => {
  it('an access token is HS256 with exactly {sub, tenant_id, exp, type: access}, 60 minutes by default', () => {
    const before = epochSeconds();
    const token = tokens.mintAccessToken({ userId: USER, tenantId: TENANT });
    const { header, payload } = decodeToken(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(payload).sort()).toEqual(['exp', 'sub', 'tenant_id', 'type']);
    expect(payload).toMatchObject({ sub: USER, tenant_id: TENANT, type: 'access' });
    expect(payload.exp).toBeGreaterThanOrEqual(before + 3600);
    expect(payload.exp).toBeLessThanOrEqual(epochSeconds() + 3600);
    expect(tokens.verifyAccessToken(token)).toEqual({ userId: USER, tenantId: TENANT, expiresAt: new Date((payload.exp as number) * 1000) });
  });

  it('a refresh token has exactly {sub, session_id, exp, type: refresh}, 7 days by default', () => {
    const session = 'd3b07384-d113-4ec6-a8f5-3c2b1e0f9a8b';
    const token = tokens.mintRefreshToken({ userId: USER, sessionId: session });
    const { payload } = decodeToken(token);
    expect(Object.keys(payload).sort()).toEqual(['exp', 'session_id', 'sub', 'type']);
    expect(payload.exp).toBeGreaterThanOrEqual(epochSeconds() + 7 * 86_400 - 1);
    expect(tokens.verifyRefreshToken(token)).toMatchObject({ userId: USER, sessionId: session });
  });

  it('honours a custom lifetime and refuses an empty secret, user or tenant', () => {
    const { payload } = decodeToken(tokens.mintAccessToken({ userId: USER, tenantId: TENANT, minutes: 5 }));
    expect(payload.exp as number).toBeLessThanOrEqual(epochSeconds() + 300);
    expect(refusal(() => createTokenService({ secret: '' })).code).toBe(AUTH_ERROR_CODES.configInvalid);
    expect(refusal(() => tokens.mintAccessToken({ userId: '', tenantId: TENANT })).code).toBe('AUTH_CONFIG_INVALID');
    expect(refusal(() => tokens.mintAccessToken({ userId: USER, tenantId: TENANT, minutes: 0 })).message).toMatch(/minutes/);
  });
});

describe('validation accepts', () => {
  it('a token signed elsewhere with the shared secret (as mobius-user signs them)', () => {
    expect(tokens.verifyAccessToken(forgeToken(access(), { secret: SECRET }))).toMatchObject({ userId: USER, tenantId: TENANT });
  });

  it('the published HS256 example vector of RFC 7519 tooling (jwt.io), byte for byte', () => {
    const example =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    expect(verifyHs256(example, 'your-256-bit-secret')).toEqual({ sub: '1234567890', name: 'John Doe', iat: 1516239022 });
    expect(refusal(() => verifyHs256(example, 'your-256-bit-secreT')).code).toBe('TOKEN_INVALID_SIGNATURE');
  });
});

describe('validation refuses, with a stable code', () => {
  it('alg none, in any spelling, and every algorithm but HS256', () => {
    expect(codeOf(forgeToken(access(), { header: { alg: 'none', typ: 'JWT' } }))).toBe('TOKEN_ALG_REFUSED');
    expect(codeOf(forgeToken(access(), { header: { alg: 'None' } }))).toBe('TOKEN_ALG_REFUSED');
    expect(codeOf(forgeToken(access(), { header: { typ: 'JWT' }, secret: SECRET }))).toBe('TOKEN_ALG_REFUSED');
    expect(codeOf(forgeToken(access(), { header: { alg: 'HS512' }, secret: SECRET, hash: 'sha512' }))).toBe('TOKEN_ALG_REFUSED');
    expect(codeOf(forgeToken(access(), { header: { alg: 'RS256' }, secret: SECRET }))).toBe('TOKEN_ALG_REFUSED');
    expect(codeOf(forgeToken(access(), { header: { alg: 'HS256', crit: ['exp'] }, secret: SECRET }))).toBe('TOKEN_ALG_REFUSED');
  });

  it('a tampered payload and a token signed with another secret', () => {
    const token = tokens.mintAccessToken({ userId: USER, tenantId: TENANT });
    const tampered = withPayload(token, { ...decodeToken(token).payload, tenant_id: 'another-tenant' });
    expect(codeOf(tampered)).toBe('TOKEN_INVALID_SIGNATURE');
    expect(codeOf(forgeToken(access(), { secret: `${SECRET}x` }))).toBe('TOKEN_INVALID_SIGNATURE');
    expect(codeOf(`${token.slice(0, token.lastIndexOf('.'))}.`)).toBe('TOKEN_INVALID_SIGNATURE');
  });

  it('an expired token: exp in the past or exactly now', () => {
    const now = Date.now();
    expect(codeOf(forgeToken(access({ exp: epochSeconds(now) - 1 }), { secret: SECRET }))).toBe('TOKEN_EXPIRED');
    const fixed = createTokenService({ secret: SECRET, now: () => now });
    expect(refusal(() => fixed.verifyAccessToken(forgeToken(access({ exp: epochSeconds(now) }), { secret: SECRET }))).code).toBe('TOKEN_EXPIRED');
    expect(fixed.verifyAccessToken(forgeToken(access({ exp: epochSeconds(now) + 1 }), { secret: SECRET })).userId).toBe(USER);
    const minted = createTokenService({ secret: SECRET, now: () => now - 61 * 60_000 }).mintAccessToken({ userId: USER, tenantId: TENANT });
    expect(codeOf(minted)).toBe('TOKEN_EXPIRED');
  });

  it('an exp beyond the configured lifetime plus leeway (a "never expires" forgery signed with the secret)', () => {
    for (const exp of [1e308, Number.MAX_SAFE_INTEGER, epochSeconds() + 3600 + 301]) {
      expect(codeOf(forgeToken(access({ exp }), { secret: SECRET })), String(exp)).toBe('TOKEN_CLAIMS_INVALID');
    }
    expect(tokens.verifyAccessToken(forgeToken(access({ exp: epochSeconds() + 3600 + 299 }), { secret: SECRET })).userId).toBe(USER);
    const refresh = forgeToken({ sub: USER, session_id: 's', exp: epochSeconds() + 8 * 86_400, type: 'refresh' }, { secret: SECRET });
    expect(refusal(() => tokens.verifyRefreshToken(refresh)).code).toBe('TOKEN_CLAIMS_INVALID');
    const longer = createTokenService({ secret: SECRET, accessTokenMinutes: 120 });
    expect(longer.verifyAccessToken(longer.mintAccessToken({ userId: USER, tenantId: TENANT })).userId).toBe(USER);
    expect(refusal(() => tokens.verifyAccessToken(longer.mintAccessToken({ userId: USER, tenantId: TENANT }))).code).toBe('TOKEN_CLAIMS_INVALID');
  });

  it('a refresh token where an access token is needed, and the reverse', () => {
    const refresh = tokens.mintRefreshToken({ userId: USER, sessionId: 's-1' });
    expect(codeOf(refresh)).toBe('TOKEN_WRONG_TYPE');
    const accessToken = tokens.mintAccessToken({ userId: USER, tenantId: TENANT });
    expect(refusal(() => tokens.verifyRefreshToken(accessToken)).code).toBe('TOKEN_WRONG_TYPE');
    expect(codeOf(forgeToken(access({ type: undefined }), { secret: SECRET }))).toBe('TOKEN_WRONG_TYPE');
  });

  it('any aud claim, even one that looks harmless', () => {
    for (const aud of ['mobius-chat', ['mobius-chat'], '']) {
      expect(codeOf(forgeToken(access({ aud }), { secret: SECRET }))).toBe('TOKEN_AUD_REFUSED');
    }
  });

  it('missing or mistyped claims', () => {
    expect(codeOf(forgeToken(access({ sub: undefined }), { secret: SECRET }))).toBe('TOKEN_CLAIMS_INVALID');
    expect(codeOf(forgeToken(access({ tenant_id: 42 }), { secret: SECRET }))).toBe('TOKEN_CLAIMS_INVALID');
    expect(codeOf(forgeToken(access({ exp: String(inAnHour()) }), { secret: SECRET }))).toBe('TOKEN_CLAIMS_INVALID');
    expect(codeOf(forgeToken(access({ nbf: inAnHour() }), { secret: SECRET }))).toBe('TOKEN_NOT_YET_VALID');
  });

  it('malformed and missing tokens', () => {
    const good = tokens.mintAccessToken({ userId: USER, tenantId: TENANT });
    for (const bad of ['abc', 'a.b', `${good}.x`, good.replace('.', '.*'), forgeToken([1], { secret: SECRET }), 'bm90IGpzb24.e30.x']) {
      expect(codeOf(bad), bad).toBe('TOKEN_MALFORMED');
    }
    expect(codeOf('')).toBe('TOKEN_MISSING');
  });

  it('never repeats the token, its payload or its signature in the error', () => {
    const token = forgeToken(access({ exp: epochSeconds() - 10 }), { secret: SECRET });
    const [, payload, signature] = token.split('.');
    for (const bad of [token, withPayload(token, access()), forgeToken(access({ aud: 'x' }), { secret: 'other' })]) {
      const error = refusal(() => tokens.verifyAccessToken(bad));
      expect(error.message).not.toContain(payload);
      expect(error.message).not.toContain(signature);
      expect(error.message).not.toContain(USER);
    }
  });
});

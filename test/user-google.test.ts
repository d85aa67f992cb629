// Google sign-in (POST /api/v1/auth/google) on a real Postgres, with ID tokens minted here with our
// own RSA key and a loopback key server standing in for Google's JWKS endpoint (GOOGLE_JWKS_URL):
// first sign-in creates the user, later ones find it by the token's sub, an existing email account
// gets the link, and every refusal answers 401 with its reason (signature, expiry, audience, issuer,
// email, email_verified, unknown kid), never a session.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGoogleIdTokenVerifier } from '../services/user/src/auth/google-id-token.ts';
import { freshEmail, userApiClient, type ApiAnswer, type Json, type UserApiClient } from '../services/user/src/testing/client.ts';
import { createUserTestService, type UserTestService } from '../services/user/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const CLIENT_ID = 'mobius-web.apps.googleusercontent.com';
const KID = 'test-key-1';
const database = uniqueName('user_google');
let keyServer: Server;
let jwksUrl: string;
let user: UserTestService;
let api: UserApiClient;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;

const sql = (text: string, params: unknown[] = []) => queryDatabase<Json>(database, text, params);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An ID token as Google signs one, with `claims` over the defaults. */
async function idToken(claims: JWTPayload = {}, options: { key?: CryptoKey; kid?: string } = {}): Promise<string> {
  const sub = String(Math.floor(Math.random() * 1e15));
  const payload: JWTPayload = {
    iss: 'https://accounts.google.com',
    aud: CLIENT_ID,
    sub,
    email: `g${sub}@gmail.com`,
    email_verified: true,
    name: 'Gina Google',
    given_name: 'Gina',
    picture: 'https://lh3.googleusercontent.com/a/photo',
    iat: nowSeconds() - 10,
    exp: nowSeconds() + 3600,
    ...claims,
  };
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: options.kid ?? KID, typ: 'JWT' }).sign(options.key ?? signingKey);
}

const signIn = (token: string, extra: Json = {}, remoteAddress?: string) =>
  api.google({ id_token: token, ...extra }, remoteAddress === undefined ? {} : { remoteAddress });

function expectRefused(response: ApiAnswer, detail: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expect(response.body).toEqual({ detail });
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] };
  keyServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' });
    response.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/oauth2/v3/certs`;
  await createMigratedDatabase(database, 'user');
  user = createUserTestService({
    databaseUrl: testDatabaseUrl(database),
    secret: 'google-test-secret',
    google: createGoogleIdTokenVerifier({ clientId: CLIENT_ID, jwksUrl, keysCacheMs: 60_000, fetchTimeoutMs: 2000 }),
    rateLimits: { googlePerIp: 1000 },
  });
  api = userApiClient(user);
});

afterAll(async () => {
  await user?.close();
  await new Promise((resolve) => keyServer?.close(resolve));
  await dropDatabases([database]);
});

describe('POST /api/v1/auth/google', () => {
  it('creates the user on first sign-in (is_new_user), with a google link and no password; finds it by sub afterwards', async () => {
    const token = await idToken({ email: 'Gina.Google@Gmail.com' });
    const first = await signIn(token, { device_info: { platform: 'web' } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      ok: true,
      is_new_user: true,
      token_type: 'bearer',
      expires_in: 3600,
      user: { email: 'gina.google@gmail.com', display_name: 'Gina Google', first_name: 'Gina', is_onboarded: false, preference: null },
    });
    const userId = first.body.user.user_id as string;
    const [row] = await sql('SELECT password_hash, avatar_url FROM app_user WHERE user_id = $1', [userId]);
    expect(row).toEqual({ password_hash: null, avatar_url: 'https://lh3.googleusercontent.com/a/photo' });
    const sub = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
    expect(
      await sql('SELECT provider, provider_user_id, last_used_at IS NOT NULL AS used FROM auth_provider_link WHERE user_id = $1', [userId]),
    ).toEqual([{ provider: 'google', provider_user_id: sub, used: true }]);
    expect((await api.me(first.body.access_token)).status).toBe(200);

    const again = await signIn(await idToken({ sub, email: 'gina.google@gmail.com' }));
    expect(again.body).toMatchObject({ is_new_user: false, user: { user_id: userId } });
    // A Google-only account cannot log in with a password: the original's answer.
    expectRefused(await api.login({ email: 'gina.google@gmail.com', password: 'anything-at-all' }), 'Account uses OAuth login');
  });

  it('links an existing email account of the tenant and signs in as it (is_new_user false)', async () => {
    const email = freshEmail('linked');
    const registered = await api.register({ email, password: 'correct horse battery' });
    const response = await signIn(await idToken({ email }));
    expect(response.body).toMatchObject({ ok: true, is_new_user: false, user: { user_id: registered.body.user.user_id } });
    expect(await sql('SELECT provider FROM auth_provider_link WHERE user_id = $1 ORDER BY provider', [registered.body.user.user_id])).toEqual([
      { provider: 'email' },
      { provider: 'google' },
    ]);
    // Both ways in still work.
    expect((await api.login({ email, password: 'correct horse battery' })).status).toBe(200);
  });

  it('refuses a bad signature, an expired token, a wrong audience, a wrong issuer, no email, an unverified email and an unknown kid', async () => {
    const before = await sql('SELECT count(*)::int AS n FROM user_session');
    const cases: Array<[string, Promise<string>, string]> = [
      ['bad signature', idToken({}, { key: strangerKey }), 'Invalid Google ID token: Could not verify token signature'],
      ['expired', idToken({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }), 'Invalid Google ID token: Token expired'],
      ['wrong audience', idToken({ aud: 'someone-else.apps.googleusercontent.com' }), 'Invalid Google ID token: Token has wrong audience'],
      ['wrong issuer', idToken({ iss: 'https://evil.example.com' }), 'Invalid token issuer'],
      ['no email', idToken({ email: undefined }), 'Google account has no email claim'],
      ['email_verified false', idToken({ email_verified: false }), 'Google email is not verified'],
      ['unknown kid', idToken({}, { kid: 'rotated-away' }), 'Invalid Google ID token: no Google key matches its kid'],
    ];
    for (const [name, token, detail] of cases) {
      const response = await signIn(await token);
      expect(response.status, name).toBe(401);
      expect(response.body, name).toEqual({ detail });
    }
    expectRefused(await signIn('not.a.jwt'), 'Invalid Google ID token: malformed token');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: KID })).toString('base64url')}.${(await idToken()).split('.')[1]}.`;
    expect((await signIn(unsigned)).status).toBe(401);
    expect(await sql('SELECT count(*)::int AS n FROM user_session')).toEqual(before);
  });

  it('answers 400 without an id_token, 422 for one of the wrong type', async () => {
    expect(await api.google({})).toMatchObject({ status: 400, body: { detail: 'id_token is required' } });
    expect(await api.google({ id_token: '  ' })).toMatchObject({ status: 400, body: { detail: 'id_token is required' } });
    expect(await api.google({ id_token: 7 })).toMatchObject({ status: 422, body: { detail: [{ type: 'string_type', loc: ['body', 'id_token'] }] } });
  });

  it('creates users only in the default tenant or one open to registration; an existing user of a closed tenant still links', async () => {
    const closed = randomUUID();
    await sql(`INSERT INTO tenant (tenant_id, name) VALUES ($1, 'Closed')`, [closed]);
    expect(await signIn(await idToken(), { tenant_id: closed })).toMatchObject({
      status: 403,
      body: { detail: 'Registration into this tenant requires an invitation' },
    });
    await sql(`INSERT INTO user_ext.tenant_settings (tenant_id, open_registration) VALUES ($1, true)`, [closed]);
    const opened = await signIn(await idToken(), { tenant_id: closed });
    expect(opened.body).toMatchObject({ is_new_user: true, user: { tenant_id: closed } });
  });

  it('answers 401 "not configured" without GOOGLE_CLIENT_ID and 503 when Google\'s keys cannot be fetched', async () => {
    const unconfigured = createUserTestService({ databaseUrl: testDatabaseUrl(database), secret: 's' });
    const unreachable = createUserTestService({
      databaseUrl: testDatabaseUrl(database),
      secret: 's',
      google: createGoogleIdTokenVerifier({ clientId: CLIENT_ID, jwksUrl: 'http://127.0.0.1:9/certs', keysCacheMs: 1000, fetchTimeoutMs: 1000 }),
    });
    try {
      expectRefused(
        await userApiClient(unconfigured).google({ id_token: await idToken() }),
        'Google sign-in not configured (GOOGLE_CLIENT_ID missing)',
      );
      const down = await userApiClient(unreachable).google({ id_token: await idToken() });
      expect(down).toMatchObject({ status: 503, body: { detail: "Google's signing keys could not be fetched; try again" } });
    } finally {
      await unconfigured.close();
      await unreachable.close();
    }
  });

  it('limits sign-in attempts per client address with 429 and retry-after', async () => {
    const limited = createUserTestService({
      databaseUrl: testDatabaseUrl(database),
      secret: 's',
      google: createGoogleIdTokenVerifier({ clientId: CLIENT_ID, jwksUrl, keysCacheMs: 60_000, fetchTimeoutMs: 2000 }),
      rateLimits: { googlePerIp: 2 },
    });
    try {
      const client = userApiClient(limited);
      for (let i = 0; i < 2; i += 1) expect((await client.google({ id_token: 'x.y.z' }, { remoteAddress: '10.5.0.1' })).status).toBe(401);
      const refused = await client.google({ id_token: await idToken() }, { remoteAddress: '10.5.0.1' });
      expect(refused).toMatchObject({ status: 429, body: { detail: 'Too many requests' } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await client.google({ id_token: await idToken() }, { remoteAddress: '10.5.0.2' })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

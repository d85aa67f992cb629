// mobius-user's session endpoints on a real Postgres (CONTRACTS.md sections 5 and 6): refresh
// (no rotation; refused after logout, expiry, for an access token, a foreign or stale token, an
// inactive user), logout (one session, or every session with a bearer token) and me.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TENANT_ID, createTokenService } from '@mobius/auth';
import { migrateDatabase } from '@mobius/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken, forgeToken } from '../libs/auth/src/testing/forge.ts';
import { freshEmail, userApiClient, type ApiAnswer, type Json, type UserApiClient } from '../services/user/src/testing/client.ts';
import { createUserTestService, type UserTestService } from '../services/user/src/testing/harness.ts';
import { createDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const USER_MIGRATIONS = fileURLToPath(new URL('../services/user/migrations', import.meta.url));
const SECRET = 'user-auth-test-secret';
const PASSWORD = 'correct horse battery';
const database = uniqueName('user_sess');
let user: UserTestService;
let api: UserApiClient;

const sql = <T extends Json = Json>(text: string, params: unknown[] = []) => queryDatabase<T>(database, text, params);
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function register(body: Json = {}) {
  const response = await api.register({ email: freshEmail(), password: PASSWORD, ...body }, { headers: { 'user-agent': 'vitest-agent/1.0' } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const login = (email: string, password = PASSWORD, extra: Json = {}) => api.login({ email, password, ...extra });

/** The payload of a token, checked to carry exactly the contract's claims and an HS256 header. */
function claimsOf(token: string, type: 'access' | 'refresh') {
  const { header, payload } = decodeToken(token);
  expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
  const keys = type === 'access' ? ['exp', 'sub', 'tenant_id', 'type'] : ['exp', 'session_id', 'sub', 'type'];
  expect(Object.keys(payload).sort()).toEqual(keys);
  expect(payload.type).toBe(type);
  return payload as Json;
}

function expectError(response: ApiAnswer, status: number, code: string, field?: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toEqual({
    ok: false,
    error: { code, message: expect.any(String), ...(field === undefined ? {} : { field }) },
  });
}

beforeAll(async () => {
  await createDatabase(database);
  // A server zone other than UTC: timestamps must still be written and compared in UTC.
  await queryDatabase('postgres', `ALTER DATABASE "${database}" SET timezone TO 'America/New_York'`);
  await migrateDatabase({ databaseUrl: testDatabaseUrl(database), migrationsDir: USER_MIGRATIONS });
  user = createUserTestService({ databaseUrl: testDatabaseUrl(database), secret: SECRET });
  api = userApiClient(user);
});

afterAll(async () => {
  await user?.close();
  await dropDatabases([database]);
});

describe('POST /api/v1/auth/refresh', () => {
  const refresh = (refreshToken: unknown) => api.refresh(refreshToken);

  it('answers a new access token and keeps the refresh token and its session unchanged', async () => {
    const registered = await register();
    const sessionsBefore = await sql('SELECT session_id, refresh_token_hash, expires_at::text FROM user_session WHERE user_id = $1', [
      registered.user.user_id,
    ]);
    const response = await refresh(registered.refresh_token);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({
      ok: true,
      access_token: expect.any(String),
      refresh_token: registered.refresh_token,
      token_type: 'bearer',
      expires_in: 3600,
    });
    expect(claimsOf(response.body.access_token, 'access')).toMatchObject({ sub: registered.user.user_id, tenant_id: DEFAULT_TENANT_ID });
    expect(
      await sql('SELECT session_id, refresh_token_hash, expires_at::text FROM user_session WHERE user_id = $1', [registered.user.user_id]),
    ).toEqual(sessionsBefore);
    expect((await refresh(registered.refresh_token)).status).toBe(200);
  });

  it('refuses an access token, a forged token and an expired token with their TOKEN_* codes', async () => {
    const registered = await register();
    expectError(await refresh(registered.access_token), 401, 'TOKEN_WRONG_TYPE');
    const claims = claimsOf(registered.refresh_token, 'refresh');
    expectError(await refresh(forgeToken(claims, { secret: 'another-secret' })), 401, 'TOKEN_INVALID_SIGNATURE');
    expectError(await refresh(forgeToken({ ...claims, aud: 'mobius-chat' }, { secret: SECRET })), 401, 'TOKEN_AUD_REFUSED');
    const eightDaysAgo = createTokenService({ secret: SECRET, now: () => Date.now() - 8 * 86_400_000 });
    const expired = eightDaysAgo.mintRefreshToken({ userId: registered.user.user_id, sessionId: claims.session_id });
    expectError(await refresh(expired), 401, 'TOKEN_EXPIRED');
    expectError(await refresh('not.a.token'), 401, 'TOKEN_MALFORMED');
  });

  it('refuses a token of an unknown session, of another user, or whose hash is not the stored one', async () => {
    const registered = await register();
    const claims = claimsOf(registered.refresh_token, 'refresh');
    expectError(await refresh(user.tokens.mintRefreshToken({ userId: registered.user.user_id, sessionId: randomUUID() })), 401, 'SESSION_INVALID');
    expectError(await refresh(user.tokens.mintRefreshToken({ userId: registered.user.user_id, sessionId: 'not-a-uuid' })), 401, 'SESSION_INVALID');
    expectError(await refresh(user.tokens.mintRefreshToken({ userId: randomUUID(), sessionId: claims.session_id })), 401, 'SESSION_INVALID');
    // Same claims, signed again a second later: a valid token, but not the one whose hash was stored.
    const other = forgeToken({ ...claims, exp: claims.exp + 1 }, { secret: SECRET });
    expectError(await refresh(other), 401, 'SESSION_INVALID');
    expect((await refresh(registered.refresh_token)).status).toBe(200);
  });

  it('refuses the token of a session past its expires_at, and of an inactive user', async () => {
    const registered = await register();
    const sessionId = claimsOf(registered.refresh_token, 'refresh').session_id;
    await sql(`UPDATE user_session SET expires_at = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE session_id = $1`, [sessionId]);
    expectError(await refresh(registered.refresh_token), 401, 'SESSION_EXPIRED');

    const active = await register();
    await sql(`UPDATE app_user SET status = 'suspended' WHERE user_id = $1`, [active.user.user_id]);
    expectError(await refresh(active.refresh_token), 401, 'USER_INACTIVE');
  });

  it('answers 400 naming refresh_token when it is missing or not a string', async () => {
    expectError(await api.call('POST', '/api/v1/auth/refresh', { body: {} }), 400, 'INVALID_BODY', 'refresh_token');
    expectError(await refresh(12), 400, 'INVALID_BODY', 'refresh_token');
  });
});

describe('POST /api/v1/auth/logout', () => {
  const logout = (options: { body?: unknown; token?: string }) => api.logout(options);

  it('revokes the refresh token\'s session; refresh is refused afterwards; a second logout is a no-op', async () => {
    const registered = await register();
    const second = await login(registered.user.email);
    const response = await logout({ body: { refresh_token: registered.refresh_token } });
    expect(response).toMatchObject({ status: 200, body: { ok: true, sessions_revoked: 1 } });
    const sessionId = claimsOf(registered.refresh_token, 'refresh').session_id;
    const [row] = await sql('SELECT revoked_at IS NOT NULL AS revoked FROM user_session WHERE session_id = $1', [sessionId]);
    expect(row).toEqual({ revoked: true });
    expectError(await api.call('POST', '/api/v1/auth/refresh', { body: { refresh_token: registered.refresh_token } }), 401, 'SESSION_REVOKED');
    // The other session of the user is untouched.
    expect((await api.call('POST', '/api/v1/auth/refresh', { body: { refresh_token: second.body.refresh_token } })).status).toBe(200);
    expect(await logout({ body: { refresh_token: registered.refresh_token } })).toMatchObject({
      status: 200,
      body: { ok: true, sessions_revoked: 0 },
    });
  });

  it('with only a bearer access token, revokes every open session of the user', async () => {
    const registered = await register();
    const second = await login(registered.user.email);
    const response = await logout({ token: second.body.access_token });
    expect(response).toMatchObject({ status: 200, body: { ok: true, sessions_revoked: 2 } });
    for (const refreshToken of [registered.refresh_token, second.body.refresh_token]) {
      expectError(await api.call('POST', '/api/v1/auth/refresh', { body: { refresh_token: refreshToken } }), 401, 'SESSION_REVOKED');
    }
  });

  it('refuses a bad token, and answers 400 naming refresh_token when nothing identifies the session', async () => {
    const registered = await register();
    expectError(await logout({ body: { refresh_token: registered.access_token } }), 401, 'TOKEN_WRONG_TYPE');
    expectError(await logout({ token: registered.refresh_token }), 401, 'TOKEN_WRONG_TYPE');
    expectError(await logout({ body: { refresh_token: forgeToken(claimsOf(registered.refresh_token, 'refresh'), { secret: 'x' }) } }), 401, 'TOKEN_INVALID_SIGNATURE');
    expectError(await logout({}), 400, 'INVALID_BODY', 'refresh_token');
    expectError(await logout({ body: {} }), 400, 'INVALID_BODY', 'refresh_token');
    expect((await api.call('POST', '/api/v1/auth/refresh', { body: { refresh_token: registered.refresh_token } })).status).toBe(200);
  });
});

describe('GET /api/v1/auth/me', () => {
  it('answers the profile, the activities (primary first) and the preference', async () => {
    const registered = await register({ display_name: 'Me Myself' });
    const userId = registered.user.user_id as string;
    await sql(
      `INSERT INTO user_activity (user_id, activity_id, is_primary)
       SELECT $1, activity_id, activity_code = 'submit_claims' FROM activity WHERE activity_code IN ('submit_claims', 'check_in_patients')`,
      [userId],
    );
    await sql(`INSERT INTO user_preference (user_id, tone, notification_preferences) VALUES ($1, 'friendly', '{"email": true}')`, [userId]);
    const response = await api.call('GET', '/api/v1/auth/me', { token: registered.access_token });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['activities', 'ok', 'preference', 'user']);
    expect(response.body.user).toMatchObject({ user_id: userId, tenant_id: DEFAULT_TENANT_ID, email: registered.user.email, display_name: 'Me Myself' });
    expect(response.body.activities.map((a: Json) => [a.activity_code, a.is_primary])).toEqual([
      ['submit_claims', true],
      ['check_in_patients', false],
    ]);
    expect(response.body.activities[0]).toMatchObject({ label: 'Submit claims', quick_actions: ['review_claim', 'submit_claim', 'check_claim_status'] });
    expect(response.body.preference).toMatchObject({
      tone: 'friendly',
      notification_preferences: { email: true },
      ai_experience_level: 'beginner',
      autonomy_routine_tasks: 'confirm_first',
    });
  });

  it('answers preference null and no activities for a new user, creating nothing', async () => {
    const registered = await register();
    const response = await api.call('GET', '/api/v1/auth/me', { token: registered.access_token });
    expect(response.body).toMatchObject({ ok: true, activities: [], preference: null });
    expect(await sql('SELECT 1 FROM user_preference WHERE user_id = $1', [registered.user.user_id])).toEqual([]);
  });

  it('refuses a missing, refresh, expired or foreign token, and a token of a vanished user', async () => {
    const registered = await register();
    const missing = await api.call('GET', '/api/v1/auth/me');
    expectError(missing, 401, 'TOKEN_MISSING');
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expectError(await api.call('GET', '/api/v1/auth/me', { token: registered.refresh_token }), 401, 'TOKEN_WRONG_TYPE');
    const expired = forgeToken({ sub: registered.user.user_id, tenant_id: DEFAULT_TENANT_ID, exp: nowSeconds() - 1, type: 'access' }, { secret: SECRET });
    expectError(await api.call('GET', '/api/v1/auth/me', { token: expired }), 401, 'TOKEN_EXPIRED');
    const withAud = forgeToken({ ...claimsOf(registered.access_token, 'access'), aud: 'x' }, { secret: SECRET });
    expectError(await api.call('GET', '/api/v1/auth/me', { token: withAud }), 401, 'TOKEN_AUD_REFUSED');
    const otherTenant = user.tokens.mintAccessToken({ userId: registered.user.user_id, tenantId: randomUUID() });
    expectError(await api.call('GET', '/api/v1/auth/me', { token: otherTenant }), 401, 'USER_INACTIVE');
    expectError(await api.call('GET', '/api/v1/auth/me', { token: user.tokens.mintAccessToken({ userId: randomUUID(), tenantId: DEFAULT_TENANT_ID }) }), 401, 'USER_INACTIVE');
    await sql('DELETE FROM app_user WHERE user_id = $1', [registered.user.user_id]);
    expectError(await api.call('GET', '/api/v1/auth/me', { token: registered.access_token }), 401, 'USER_INACTIVE');
  });
});

// mobius-user's session and profile endpoints on a real Postgres (docs/api/user.md; docs/contracts.md, "The user database"),
// answering as the existing FastAPI service: refresh (a new access token only; refused after logout,
// expiry, for an access token, a foreign or stale token, an inactive user), logout (always ok), me,
// onboarding and preferences (with their audit rows).
import { randomUUID } from 'node:crypto';
import { DEFAULT_TENANT_ID, createTokenService } from '@mobius/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken, forgeToken } from '../libs/auth/src/testing/forge.ts';
import { freshEmail, userApiClient, type ApiAnswer, type Json, type UserApiClient } from '../services/user/src/testing/client.ts';
import { createUserTestService, type UserTestService } from '../services/user/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const SECRET = 'user-auth-test-secret';
const PASSWORD = 'correct horse battery';
const database = uniqueName('user_sess');
let user: UserTestService;
let api: UserApiClient;

const sql = <T extends Json = Json>(text: string, params: unknown[] = []) => queryDatabase<T>(database, text, params);
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function register(body: Json = {}) {
  const response = await api.register({ email: freshEmail(), password: PASSWORD, ...body }, { headers: { 'user-agent': 'vitest-agent/1.0' } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
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

/** FastAPI's HTTPException answer: exactly `{detail}` with the status. */
function expectError(response: ApiAnswer, status: number, detail: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toEqual({ detail });
}

beforeAll(async () => {
  await createMigratedDatabase(database, 'user');
  // A server zone other than UTC: timestamps must still be written and compared in UTC.
  await queryDatabase('postgres', `ALTER DATABASE "${database}" SET timezone TO 'America/New_York'`);
  user = createUserTestService({ databaseUrl: testDatabaseUrl(database), secret: SECRET });
  api = userApiClient(user);
});

afterAll(async () => {
  await user?.close();
  await dropDatabases([database]);
});

describe('POST /api/v1/auth/refresh', () => {
  const refresh = (refreshToken: unknown) => api.refresh(refreshToken);

  it('answers a new access token only, and keeps the refresh token and its session unchanged', async () => {
    const registered = await register();
    const sessionsBefore = await sql('SELECT session_id, refresh_token_hash, expires_at::text FROM user_session WHERE user_id = $1', [
      registered.user.user_id,
    ]);
    const response = await refresh(registered.refresh_token);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ ok: true, access_token: expect.any(String), token_type: 'bearer', expires_in: 3600 });
    expect(claimsOf(response.body.access_token, 'access')).toMatchObject({ sub: registered.user.user_id, tenant_id: DEFAULT_TENANT_ID });
    expect(
      await sql('SELECT session_id, refresh_token_hash, expires_at::text FROM user_session WHERE user_id = $1', [registered.user.user_id]),
    ).toEqual(sessionsBefore);
    expect((await refresh(registered.refresh_token)).status).toBe(200);
  });

  it('refuses an access token, a forged, an aud-carrying, an expired and a malformed token: 401 "Invalid refresh token"', async () => {
    const registered = await register();
    const claims = claimsOf(registered.refresh_token, 'refresh');
    const eightDaysAgo = createTokenService({ secret: SECRET, now: () => Date.now() - 8 * 86_400_000 });
    const refused = [
      registered.access_token,
      forgeToken(claims, { secret: 'another-secret' }),
      forgeToken({ ...claims, aud: 'mobius-chat' }, { secret: SECRET }),
      eightDaysAgo.mintRefreshToken({ userId: registered.user.user_id, sessionId: claims.session_id }),
      'not.a.token',
    ];
    for (const token of refused) expectError(await refresh(token), 401, 'Invalid refresh token');
  });

  it('refuses a token of an unknown session or another user, and one whose hash is not the stored one', async () => {
    const registered = await register();
    const claims = claimsOf(registered.refresh_token, 'refresh');
    expectError(
      await refresh(user.tokens.mintRefreshToken({ userId: registered.user.user_id, sessionId: randomUUID() })),
      401,
      'Session expired or revoked',
    );
    expectError(
      await refresh(user.tokens.mintRefreshToken({ userId: registered.user.user_id, sessionId: 'not-a-uuid' })),
      401,
      'Session expired or revoked',
    );
    expectError(
      await refresh(user.tokens.mintRefreshToken({ userId: randomUUID(), sessionId: claims.session_id })),
      401,
      'Session expired or revoked',
    );
    // Same claims, signed again a second later: a valid token, but not the one whose hash was stored.
    const other = forgeToken({ ...claims, exp: claims.exp + 1 }, { secret: SECRET });
    expectError(await refresh(other), 401, 'Invalid refresh token');
    expect((await refresh(registered.refresh_token)).status).toBe(200);
  });

  it('refuses the token of a session past its expires_at, and of an inactive user', async () => {
    const registered = await register();
    const sessionId = claimsOf(registered.refresh_token, 'refresh').session_id;
    await sql(`UPDATE user_session SET expires_at = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE session_id = $1`, [sessionId]);
    expectError(await refresh(registered.refresh_token), 401, 'Session expired or revoked');

    const active = await register();
    await sql(`UPDATE app_user SET status = 'suspended' WHERE user_id = $1`, [active.user.user_id]);
    expectError(await refresh(active.refresh_token), 401, 'User not found');
  });

  it('answers 422 when refresh_token is missing or not a string, 400 when it is empty', async () => {
    const missing = await api.call('POST', '/api/v1/auth/refresh', { body: {} });
    expect(missing).toMatchObject({ status: 422, body: { detail: [{ type: 'missing', loc: ['body', 'refresh_token'], msg: 'Field required' }] } });
    expect(await refresh(12)).toMatchObject({ status: 422, body: { detail: [{ type: 'string_type', loc: ['body', 'refresh_token'] }] } });
    expectError(await refresh(''), 400, 'Refresh token is required');
  });
});

describe('POST /api/v1/auth/logout', () => {
  const logout = (options: { body?: unknown; token?: string }) => api.logout(options);
  const LOGGED_OUT = { status: 200, body: { ok: true, message: 'Logged out' } };

  it("revokes the refresh token's session; refresh is refused afterwards; a second logout answers ok again", async () => {
    const registered = await register();
    const second = await login(registered.user.email);
    expect(await logout({ body: { refresh_token: registered.refresh_token } })).toMatchObject(LOGGED_OUT);
    const sessionId = claimsOf(registered.refresh_token, 'refresh').session_id;
    const [row] = await sql('SELECT revoked_at IS NOT NULL AS revoked FROM user_session WHERE session_id = $1', [sessionId]);
    expect(row).toEqual({ revoked: true });
    expectError(await api.refresh(registered.refresh_token), 401, 'Session expired or revoked');
    // The other session of the user is untouched.
    expect((await api.refresh(second.body.refresh_token)).status).toBe(200);
    expect(await logout({ body: { refresh_token: registered.refresh_token } })).toMatchObject(LOGGED_OUT);
  });

  it('answers 200 ok whatever the token, changing nothing for a token that does not identify a session', async () => {
    const registered = await register();
    const forged = forgeToken(claimsOf(registered.refresh_token, 'refresh'), { secret: 'x' });
    for (const options of [
      { body: { refresh_token: registered.access_token } },
      { body: { refresh_token: forged } },
      { body: { refresh_token: 'garbage' } },
      { body: { refresh_token: null } },
      { body: {} },
      { token: registered.refresh_token },
      {},
    ]) {
      expect(await logout(options), JSON.stringify(options)).toMatchObject(LOGGED_OUT);
    }
    expect((await api.refresh(registered.refresh_token)).status).toBe(200);
  });
});

describe('GET /api/v1/auth/me', () => {
  it('answers the user with profile, activities (primary first), preference and memberships', async () => {
    const registered = await register({ display_name: 'Me Myself' });
    const userId = registered.user.user_id as string;
    await sql(
      `INSERT INTO user_activity (user_id, activity_id, is_primary)
       SELECT $1, activity_id, activity_code = 'submit_claims' FROM activity WHERE activity_code IN ('submit_claims', 'check_in_patients')`,
      [userId],
    );
    await sql(`INSERT INTO user_preference (user_id, tone) VALUES ($1, 'friendly')`, [userId]);
    await sql(
      `INSERT INTO user_ext.user_org_membership (user_id, org_slug, org_display_name, roles, status)
       VALUES ($1, 'acme-clinic', 'Acme Clinic', '{billing}', 'active'), ($1, 'beta', NULL, '{}', 'pending')`,
      [userId],
    );
    const response = await api.me(registered.access_token);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['ok', 'user']);
    expect(Object.keys(response.body.user).sort()).toEqual([
      'activities',
      'avatar_url',
      'capabilities',
      'display_name',
      'email',
      'first_name',
      'is_onboarded',
      'locale',
      'org_memberships',
      'pending_org_memberships',
      'preference',
      'preferred_name',
      'profile',
      'tenant_id',
      'timezone',
      'user_id',
    ]);
    expect(response.body.user).toMatchObject({
      user_id: userId,
      tenant_id: DEFAULT_TENANT_ID,
      email: registered.user.email,
      display_name: 'Me Myself',
      timezone: 'America/New_York',
      locale: 'en-US',
      is_onboarded: false,
      activities: [
        { activity_code: 'submit_claims', label: 'Submit claims', is_primary: true },
        { activity_code: 'check_in_patients', label: 'Check in patients', is_primary: false },
      ],
      preference: {
        tone: 'friendly',
        greeting_enabled: true,
        ai_experience_level: 'beginner',
        autonomy_routine_tasks: 'confirm_first',
        autonomy_sensitive_tasks: 'confirm_first',
        hesitations: [],
      },
      org_memberships: [{ org_slug: 'acme-clinic', display_name: 'Acme Clinic', roles: ['billing'] }],
      pending_org_memberships: [{ org_slug: 'beta', display_name: 'beta', roles: [] }],
      capabilities: [],
    });
    expect(response.body.user.profile).toMatchObject({
      preferred_name: 'Me Myself',
      tasks: [
        { code: 'submit_claims', label: 'Submit claims' },
        { code: 'check_in_patients', label: 'Check in patients' },
      ],
      communication: { tone: 'friendly', ai_experience_level: 'beginner', greeting_enabled: true },
      autonomy: { routine_tasks: 'confirm_first', sensitive_tasks: 'confirm_first' },
      timezone: 'America/New_York',
      version: 2,
      generated_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/),
    });
    expect(response.body.user.profile.rendered_prompt).toMatch(
      /^The user's name is Me Myself\. They focus on Submit claims and Check in patients\. Tone: friendly\./,
    );
  });

  it('answers preference null (and a built profile) for a new user, creating nothing', async () => {
    const registered = await register();
    const response = await api.me(registered.access_token);
    expect(response.body).toMatchObject({ ok: true, user: { activities: [], preference: null, org_memberships: [], profile: { version: 2 } } });
    expect(await sql('SELECT 1 FROM user_preference WHERE user_id = $1', [registered.user.user_id])).toEqual([]);
  });

  it('answers 401 "Unauthorized" for a missing, refresh, expired, aud-carrying or foreign token and a vanished user', async () => {
    const registered = await register();
    const expired = forgeToken(
      { sub: registered.user.user_id, tenant_id: DEFAULT_TENANT_ID, exp: nowSeconds() - 1, type: 'access' },
      { secret: SECRET },
    );
    const withAud = forgeToken({ ...claimsOf(registered.access_token, 'access'), aud: 'x' }, { secret: SECRET });
    const refused = [
      undefined,
      registered.refresh_token,
      expired,
      withAud,
      forgeToken(claimsOf(registered.access_token, 'access'), { secret: 'not-the-secret' }),
      user.tokens.mintAccessToken({ userId: registered.user.user_id, tenantId: randomUUID() }),
      user.tokens.mintAccessToken({ userId: randomUUID(), tenantId: DEFAULT_TENANT_ID }),
    ];
    for (const token of refused) expectError(await api.me(token), 401, 'Unauthorized');
    await sql('DELETE FROM app_user WHERE user_id = $1', [registered.user.user_id]);
    expectError(await api.me(registered.access_token), 401, 'Unauthorized');
  });
});

describe('PUT /api/v1/auth/onboarding', () => {
  it('completes onboarding: name, timezone, preference, activities in order; me shows it', async () => {
    const registered = await register({ first_name: 'Olga' });
    const response = await api.onboarding(registered.access_token, {
      preferred_name: 'Ollie',
      activities: ['rework_denials', 'submit_claims', 'no_such_activity'],
      tone: 'concise',
      greeting_enabled: false,
      timezone: 'America/Chicago',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({
      ok: true,
      message: 'Onboarding completed',
      profile: { preferred_name: 'Ollie', timezone: 'America/Chicago' },
    });
    expect(response.body.profile.rendered_prompt).toContain('Skip greetings');
    const me = (await api.me(registered.access_token)).body.user;
    expect(me).toMatchObject({
      preferred_name: 'Ollie',
      timezone: 'America/Chicago',
      is_onboarded: true,
      activities: [
        { activity_code: 'rework_denials', is_primary: true },
        { activity_code: 'submit_claims', is_primary: false },
      ],
      preference: { tone: 'concise', greeting_enabled: false, ai_experience_level: 'beginner' },
    });
    // Initial capture is not audited (the original audits only the update path).
    expect(await sql('SELECT 1 FROM user_ext.user_preference_audit WHERE user_id = $1', [registered.user.user_id])).toEqual([]);
    expectError(await api.call('PUT', '/api/v1/auth/onboarding', { body: {} }), 401, 'Unauthorized');
  });
});

describe('PUT /api/v1/auth/preferences', () => {
  it('changes only the given fields and writes an audit row per changed field with its source', async () => {
    const registered = await register();
    const userId = registered.user.user_id as string;
    const first = await api.preferences(registered.access_token, {
      tone: 'friendly',
      locale: 'en-GB',
      greeting_enabled: false,
      activities: ['verify_eligibility', 'submit_claims'],
      hesitations: [' accuracy ', 'privacy', 'accuracy', ''],
      source: 'preferences_modal',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      ok: true,
      message: 'Preferences updated',
      profile: { communication: { tone: 'friendly', greeting_enabled: false } },
    });
    const audits = await sql('SELECT field, old_value, new_value, source FROM user_ext.user_preference_audit WHERE user_id = $1 ORDER BY field', [
      userId,
    ]);
    expect(audits).toEqual([
      { field: 'activities', old_value: '[]', new_value: '["submit_claims", "verify_eligibility"]', source: 'preferences_modal' },
      { field: 'greeting_enabled', old_value: 'true', new_value: 'false', source: 'preferences_modal' },
      { field: 'hesitations', old_value: '[]', new_value: '["accuracy", "privacy"]', source: 'preferences_modal' },
      { field: 'locale', old_value: 'en-US', new_value: 'en-GB', source: 'preferences_modal' },
      { field: 'tone', old_value: 'professional', new_value: 'friendly', source: 'preferences_modal' },
    ]);
    const me = (await api.me(registered.access_token)).body.user;
    expect(me).toMatchObject({ locale: 'en-GB', is_onboarded: true, preference: { tone: 'friendly', hesitations: ['accuracy', 'privacy'] } });

    // Unchanged values write no audit row; the default source is "api".
    await api.preferences(registered.access_token, { tone: 'friendly', timezone: 'Europe/Paris', organization: 'Acme Clinic' });
    const later = await sql(
      `SELECT field, old_value, new_value, source FROM user_ext.user_preference_audit WHERE user_id = $1 AND source = 'api' ORDER BY field`,
      [userId],
    );
    expect(later).toEqual([
      { field: 'organization', old_value: null, new_value: '["acme-clinic"]', source: 'api' },
      { field: 'timezone', old_value: 'America/New_York', new_value: 'Europe/Paris', source: 'api' },
    ]);
    const pending = (await api.me(registered.access_token)).body.user;
    expect(pending).toMatchObject({ org_memberships: [], pending_org_memberships: [{ org_slug: 'acme-clinic', display_name: 'Acme Clinic' }] });
  });

  it('answers 401 without a token and 422 for a field of the wrong type', async () => {
    const registered = await register();
    expectError(await api.call('PUT', '/api/v1/auth/preferences', { body: { tone: 'friendly' } }), 401, 'Unauthorized');
    const wrong = await api.preferences(registered.access_token, { greeting_enabled: 'maybe', activities: 'all' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail.map((p: Json) => p.loc)).toEqual([
      ['body', 'greeting_enabled'],
      ['body', 'activities'],
    ]);
  });
});

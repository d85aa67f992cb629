// mobius-user's auth API on a real Postgres (docs/api/user.md; docs/contracts.md, "The user database"): register and login,
// their success and failure paths, the exact token claims, the rows they write, the envelope, and
// the existing FastAPI service's error shape (`{detail}`, 422 lists for bodies of the wrong shape). Refresh, logout and me are in user-sessions; abuse cases (enumeration, rate limits,
// races, logs) in user-abuse.
import { createHash, randomUUID } from 'node:crypto';
import { DEFAULT_TENANT_ID, createTokenService, principalOf, requireAccessToken } from '@mobius/auth';
import { buildServiceApp, createLogger, createMetrics } from '@mobius/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken } from '../libs/auth/src/testing/forge.ts';
import { freshEmail, userApiClient, type ApiAnswer, type Json, type UserApiClient } from '../services/user/src/testing/client.ts';
import { createUserTestService, type UserTestService } from '../services/user/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const SECRET = 'user-auth-test-secret';
const PASSWORD = 'correct horse battery';
const database = uniqueName('user_auth');
let user: UserTestService;
let api: UserApiClient;

const sql = <T extends Json = Json>(text: string, params: unknown[] = []) => queryDatabase<T>(database, text, params);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
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

/** FastAPI's 422: `{detail: [{type, loc, msg}]}`; `problems` are [type, loc] pairs. */
function expectInvalid(response: ApiAnswer, problems: Array<[string, (string | number)[]]>) {
  expect(response.status, JSON.stringify(response.body)).toBe(422);
  expect(response.body.detail.map((p: Json) => [p.type, p.loc])).toEqual(problems);
  for (const problem of response.body.detail) expect(Object.keys(problem).sort()).toEqual(['loc', 'msg', 'type']);
}

const ENVELOPE_KEYS = ['access_token', 'expires_in', 'ok', 'refresh_token', 'token_type', 'user'];
const USER_KEYS = [
  'activities',
  'display_name',
  'email',
  'first_name',
  'is_onboarded',
  'preference',
  'preferred_name',
  'profile',
  'tenant_id',
  'user_id',
];

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

describe('health', () => {
  it('answers /health, /healthz and /readyz', async () => {
    expect(await api.call('GET', '/health')).toMatchObject({ status: 200, body: { ok: true, status: 'ok' } });
    expect((await api.call('GET', '/healthz')).status).toBe(200);
    expect(await api.call('GET', '/readyz')).toMatchObject({ status: 200, body: { ready: true } });
  });

  it("answers an unknown auth route with FastAPI's 404", async () => {
    expectError(await api.call('POST', '/api/v1/auth/nope?token=x'), 404, 'Not Found');
  });
});

describe('POST /api/v1/auth/register', () => {
  // First in the file on purpose: the default tenant is removed before any user references it.
  it('creates the default tenant when it is missing', async () => {
    await sql('DELETE FROM tenant WHERE tenant_id = $1', [DEFAULT_TENANT_ID]);
    const body = await register();
    expect(body.user.tenant_id).toBe(DEFAULT_TENANT_ID);
    expect(await sql('SELECT name FROM tenant WHERE tenant_id = $1', [DEFAULT_TENANT_ID])).toEqual([{ name: 'Default' }]);
  });

  it('answers 200 with the contract envelope and is_new_user, exact claims, and stores the user, its link and its session', async () => {
    const before = nowSeconds();
    const body = await register({ email: '  New.User@Example.COM ', display_name: 'New User', first_name: 'Nina', preferred_name: 'Nin' });
    expect(Object.keys(body).sort()).toEqual([...ENVELOPE_KEYS, 'is_new_user', 'message'].sort());
    expect(body).toMatchObject({ ok: true, token_type: 'bearer', expires_in: 3600, is_new_user: true, message: 'Registration successful' });
    expect(Object.keys(body.user).sort()).toEqual(USER_KEYS);
    expect(body.user).toMatchObject({
      email: 'new.user@example.com',
      tenant_id: DEFAULT_TENANT_ID,
      display_name: 'New User',
      first_name: 'Nina',
      preferred_name: 'Nin',
      is_onboarded: false,
      activities: [],
      preference: null,
      profile: null,
    });
    const userId = body.user.user_id as string;

    const access = claimsOf(body.access_token, 'access');
    expect(access).toMatchObject({ sub: userId, tenant_id: DEFAULT_TENANT_ID });
    expect(access.exp).toBeGreaterThanOrEqual(before + 3600);
    expect(access.exp).toBeLessThanOrEqual(nowSeconds() + 3600);
    const refresh = claimsOf(body.refresh_token, 'refresh');
    expect(refresh.sub).toBe(userId);
    expect(refresh.exp).toBeGreaterThanOrEqual(before + 7 * 86_400);
    expect(refresh.exp).toBeLessThanOrEqual(nowSeconds() + 7 * 86_400);

    const [row] = await sql(
      `SELECT email, password_hash, status, last_login_at IS NOT NULL AS logged_in,
              abs(extract(epoch FROM (created_at - (now() AT TIME ZONE 'UTC')))) < 60 AS created_in_utc
         FROM app_user WHERE user_id = $1`,
      [userId],
    );
    expect(row).toMatchObject({ email: 'new.user@example.com', status: 'active', logged_in: true, created_in_utc: true });
    expect(row!.password_hash).toMatch(/^\$2b\$12\$/);
    expect(await sql('SELECT provider, provider_user_id, email FROM auth_provider_link WHERE user_id = $1', [userId])).toEqual([
      { provider: 'email', provider_user_id: userId, email: 'new.user@example.com' },
    ]);
    const sessions = await sql(
      `SELECT session_id, refresh_token_hash, device_info, revoked_at,
              extract(epoch FROM expires_at)::bigint AS expires_epoch FROM user_session WHERE user_id = $1`,
      [userId],
    );
    expect(sessions).toEqual([
      {
        session_id: refresh.session_id,
        refresh_token_hash: sha256(body.refresh_token),
        device_info: { user_agent: 'vitest-agent/1.0', ip: '127.0.0.1' },
        revoked_at: null,
        expires_epoch: String(refresh.exp),
      },
    ]);
  });

  it('falls back to the email local part for the display name', async () => {
    const body = await register({ email: 'solo.person@example.com' });
    expect(body.user.display_name).toBe('solo.person');
  });

  it('registers in another tenant open to registration, where the same email may exist again', async () => {
    const tenant = randomUUID();
    await sql(`INSERT INTO tenant (tenant_id, name) VALUES ($1, 'Acme')`, [tenant]);
    await sql(`INSERT INTO user_ext.tenant_settings (tenant_id, open_registration) VALUES ($1, true)`, [tenant]);
    const email = freshEmail();
    await register({ email });
    const other = await register({ email, tenant_id: tenant.toUpperCase() });
    expect(other.user.tenant_id).toBe(tenant);
    expect(claimsOf(other.access_token, 'access').tenant_id).toBe(tenant);
    expect(await sql('SELECT count(*)::int AS n FROM app_user WHERE email = $1', [email])).toEqual([{ n: 2 }]);
  });

  it('refuses an email already registered in the tenant, whatever its case, with 400 "Email already registered"', async () => {
    const email = freshEmail();
    await register({ email });
    const again = await api.call('POST', '/api/v1/auth/register', { body: { email: ` ${email.toUpperCase()} `, password: PASSWORD } });
    expectError(again, 400, 'Email already registered');
  });

  it('refuses an unknown tenant and an existing tenant not open to registration alike (403), creating nothing', async () => {
    const closed = randomUUID();
    await sql(`INSERT INTO tenant (tenant_id, name) VALUES ($1, 'Closed')`, [closed]);
    await sql(`INSERT INTO user_ext.tenant_settings (tenant_id, open_registration) VALUES ($1, false)`, [closed]);
    const unset = randomUUID();
    await sql(`INSERT INTO tenant (tenant_id, name) VALUES ($1, 'No settings')`, [unset]);
    const email = freshEmail();
    for (const tenant of [randomUUID(), closed, unset]) {
      const response = await api.call('POST', '/api/v1/auth/register', { body: { email, password: PASSWORD, tenant_id: tenant } });
      expectError(response, 403, 'Registration into this tenant requires an invitation');
    }
    expect(await sql('SELECT 1 FROM app_user WHERE email = $1', [email])).toEqual([]);
  });

  it('takes a malformed tenant_id for the default tenant, as the original', async () => {
    const body = await register({ tenant_id: 'acme' });
    expect(body.user.tenant_id).toBe(DEFAULT_TENANT_ID);
  });

  it('answers 422 for a body of the wrong shape and 400 for refused values, never echoing the input', async () => {
    const url = '/api/v1/auth/register';
    expectInvalid(await api.call('POST', url, { body: { password: PASSWORD } }), [['missing', ['body', 'email']]]);
    expectInvalid(await api.call('POST', url, { body: { email: 42, password: PASSWORD } }), [['string_type', ['body', 'email']]]);
    expectInvalid(await api.call('POST', url, { body: { email: freshEmail() } }), [['missing', ['body', 'password']]]);
    expectInvalid(await api.call('POST', url, { body: { email: freshEmail(), password: PASSWORD, display_name: 7 } }), [
      ['string_type', ['body', 'display_name']],
    ]);
    expectInvalid(await api.call('POST', url, { body: ['an', 'array'] }), [['model_attributes_type', ['body']]]);
    expectInvalid(await api.call('POST', url, { raw: '{"email": "a@b.co", "password": ' }), [['json_invalid', ['body', 0]]]);
    expect(JSON.stringify((await api.call('POST', url, { body: { email: 42, password: 'secret-value-1' } })).body)).not.toContain('secret-value-1');
    const refused: Array<[Json, string]> = [
      [{ email: '  ', password: PASSWORD }, 'Email is required'],
      [{ email: freshEmail(), password: '' }, 'Password is required'],
      [{ email: freshEmail(), password: 'seven77' }, 'Password must be at least 8 characters'],
      [{ email: freshEmail(), password: 'é'.repeat(37) }, 'Password must be at most 72 bytes'],
      [{ email: 'not-an-email', password: PASSWORD }, 'Email is not a valid address'],
    ];
    for (const [body, detail] of refused) expectError(await api.call('POST', url, { body }), 400, detail);
  });
});

describe('POST /api/v1/auth/login', () => {
  it('signs in with a new session, whatever the email case, and records the login', async () => {
    const registered = await register();
    const email = registered.user.email as string;
    await sql(`UPDATE app_user SET last_login_at = '2000-01-01' WHERE user_id = $1`, [registered.user.user_id]);
    const response = await login(` ${email.toUpperCase()} `);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
    expect(response.body).toMatchObject({ ok: true, token_type: 'bearer', expires_in: 3600, user: { user_id: registered.user.user_id, email } });
    expect(claimsOf(response.body.access_token, 'access')).toMatchObject({ sub: registered.user.user_id, tenant_id: DEFAULT_TENANT_ID });
    const sessionId = claimsOf(response.body.refresh_token, 'refresh').session_id;
    const sessions = await sql('SELECT session_id, refresh_token_hash FROM user_session WHERE user_id = $1 ORDER BY created_at', [
      registered.user.user_id,
    ]);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]).toEqual({ session_id: sessionId, refresh_token_hash: sha256(response.body.refresh_token) });
    const [row] = await sql(
      `SELECT abs(extract(epoch FROM (last_login_at - (now() AT TIME ZONE 'UTC')))) < 60 AS recent FROM app_user WHERE user_id = $1`,
      [registered.user.user_id],
    );
    expect(row).toEqual({ recent: true });
    const [link] = await sql(`SELECT last_used_at IS NOT NULL AS used FROM auth_provider_link WHERE user_id = $1`, [registered.user.user_id]);
    expect(link).toEqual({ used: true });
  });

  it('logs in to the tenant named in the body only', async () => {
    const tenant = randomUUID();
    await sql(`INSERT INTO tenant (tenant_id, name) VALUES ($1, 'Beta')`, [tenant]);
    await sql(`INSERT INTO user_ext.tenant_settings (tenant_id, open_registration) VALUES ($1, true)`, [tenant]);
    const registered = await register({ tenant_id: tenant });
    expectError(await login(registered.user.email), 401, 'Invalid email or password');
    const response = await login(registered.user.email, PASSWORD, { tenant_id: tenant });
    expect(response.status).toBe(200);
    expect(claimsOf(response.body.access_token, 'access').tenant_id).toBe(tenant);
  });

  it('refuses a wrong password, an unknown email and an inactive user with 401 "Invalid email or password"', async () => {
    const registered = await register();
    expectError(await login(registered.user.email, 'wrong password'), 401, 'Invalid email or password');
    expectError(await login(freshEmail()), 401, 'Invalid email or password');
    await sql(`UPDATE app_user SET status = 'disabled' WHERE user_id = $1`, [registered.user.user_id]);
    expectError(await login(registered.user.email), 401, 'Invalid email or password');
  });

  it('answers 401 "Account uses OAuth login" for an account without a password, as the original', async () => {
    const registered = await register();
    await sql('UPDATE app_user SET password_hash = NULL WHERE user_id = $1', [registered.user.user_id]);
    expectError(await login(registered.user.email), 401, 'Account uses OAuth login');
  });

  it('answers 422 for a body of the wrong shape and 400 for an empty email or password', async () => {
    const url = '/api/v1/auth/login';
    expectInvalid(await api.call('POST', url, { body: { email: freshEmail() } }), [['missing', ['body', 'password']]]);
    expectInvalid(await api.call('POST', url, { body: { password: PASSWORD } }), [['missing', ['body', 'email']]]);
    expectInvalid(await api.call('POST', url, { raw: 'not json' }), [['json_invalid', ['body', 0]]]);
    expectInvalid(await api.call('POST', url, { body: { email: freshEmail(), password: PASSWORD, device_info: 'phone' } }), [
      ['dict_type', ['body', 'device_info']],
    ]);
    expectError(await api.call('POST', url, { body: { email: freshEmail(), password: '' } }), 400, 'Password is required');
    expectError(await api.call('POST', url, { body: { email: '', password: PASSWORD } }), 400, 'Email is required');
  });

  it("stores the client's device_info with the address and user agent the server saw", async () => {
    const registered = await register();
    const response = await login(registered.user.email, PASSWORD, { device_info: { platform: 'web', app: 'chat' } });
    const sessionId = claimsOf(response.body.refresh_token, 'refresh').session_id;
    const [row] = await sql('SELECT device_info FROM user_session WHERE session_id = $1', [sessionId]);
    expect(row!.device_info).toEqual({ platform: 'web', app: 'chat', ip: '127.0.0.1', user_agent: expect.any(String) });
  });

  it('issues access tokens that the validator chat uses (@mobius/auth) accepts', async () => {
    const registered = await register();
    const token = (await login(registered.user.email)).body.access_token as string;
    const chatVerifier = createTokenService({ secret: SECRET });
    expect(chatVerifier.verifyAccessToken(token)).toMatchObject({ userId: registered.user.user_id, tenantId: DEFAULT_TENANT_ID });
    const chatApp = buildServiceApp({ logger: createLogger('chat-test', 'silent'), metrics: createMetrics('chat-test'), readiness: [] });
    chatApp.get('/who', { onRequest: requireAccessToken(chatVerifier) }, async (request) => principalOf(request));
    try {
      const admitted = await chatApp.inject({ method: 'GET', url: '/who', headers: { authorization: `Bearer ${token}` } });
      expect(admitted.statusCode).toBe(200);
      expect(admitted.json()).toMatchObject({ userId: registered.user.user_id, tenantId: DEFAULT_TENANT_ID });
      const refused = await chatApp.inject({ method: 'GET', url: '/who', headers: { authorization: `Bearer ${registered.refresh_token}` } });
      expect(refused.statusCode).toBe(401);
    } finally {
      await chatApp.close();
    }
  });
});

describe('token lifetimes', () => {
  it('follow the configured minutes and days', async () => {
    const short = createUserTestService({ databaseUrl: testDatabaseUrl(database), secret: SECRET, accessTokenMinutes: 5, refreshTokenDays: 1 });
    try {
      const before = nowSeconds();
      const response = await short.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: freshEmail(), password: PASSWORD },
      });
      const body = response.json() as Json;
      expect(body.expires_in).toBe(300);
      const access = claimsOf(body.access_token, 'access');
      expect(access.exp - before).toBeGreaterThanOrEqual(300);
      expect(access.exp - nowSeconds()).toBeLessThanOrEqual(300);
      const refresh = claimsOf(body.refresh_token, 'refresh');
      expect(refresh.exp - before).toBeGreaterThanOrEqual(86_400);
      expect(refresh.exp - nowSeconds()).toBeLessThanOrEqual(86_400);
    } finally {
      await short.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import { cachedUserDirectory, createTokenService, postgresUserDirectory, type AccessPolicy } from '@mobius/auth';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics } from '@mobius/service';
import type { PipelineStatus } from '@mobius/status';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestUserDatabase, type TestUserDatabase } from '../../../test/support/user-database.ts';
import { buildApp, type ConsoleDeps } from './app.ts';
import { CONSOLE_DEFAULTS } from './config.ts';

const tokens = createTokenService({ secret: 'console-test-secret' });
const SERVICE_TOKEN = `console-test-service-token-${randomUUID()}`;
/** The directory's cache in this test: short, so a deactivation shows at once (production: a minute). */
const CACHE_TTL_MS = 100;
const STATUS: PipelineStatus = {
  generated_at: '2026-12-07T10:00:00.000Z',
  subscriptions: [],
  outbox: { unrelayed: 0, oldest_unrelayed_seconds: null, quarantined: 0 },
  sinks: [],
  drift: null,
  freshness: [],
};

// mobius-user's database (real Postgres): an operator allowed by email, one by role, a stranger.
let users: TestUserDatabase;
let userPool: pg.Pool;
let policy: AccessPolicy;
const people = { operator: '', byRole: '', stranger: '' };

beforeAll(async () => {
  users = await createTestUserDatabase('console_users');
  people.operator = await users.addUser({ email: 'ops@example.com' });
  people.byRole = await users.addUser({ email: `${randomUUID()}@example.com`, role: 'operator' });
  people.stranger = await users.addUser({ email: `${randomUUID()}@example.com`, role: 'member' });
  userPool = createPool(users.url, { applicationName: 'console-app-test', max: 2 });
  policy = {
    mode: 'required',
    serviceToken: SERVICE_TOKEN,
    people: {
      tokens,
      directory: cachedUserDirectory(postgresUserDirectory(userPool), { ttlMs: CACHE_TTL_MS }),
      allowedEmails: ['ops@example.com'],
      allowedRoles: ['operator'],
    },
  };
});

afterAll(async () => {
  await userPool?.end();
  await users?.drop();
});

const apps: ReturnType<typeof buildApp>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function consoleApp(auth: 'guarded' | 'none', overrides: Partial<ConsoleDeps> = {}) {
  const app = buildApp({
    status: async () => STATUS,
    syncRuns: async () => [],
    deadLetters: async () => [],
    freshnessHistory: async () => [],
    access: auth === 'guarded' ? policy : { mode: 'none' },
    refreshSeconds: 5,
    sampleIntervalMs: 60_000,
    readiness: [],
    logger: createLogger('console', 'silent'),
    metrics: createMetrics('console'),
    ...overrides,
  });
  apps.push(app);
  return app;
}

const token = (userId = people.operator) => tokens.mintAccessToken({ userId, tenantId: '00000000-0000-0000-0000-000000000001' });
const cookieOf = (setCookie: string | string[] | number | undefined) => String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('console access behind the shared guard (CONSOLE_AUTH=jwt)', () => {
  it('sends a page load without a token to the sign-in form, and answers 401 on the API', async () => {
    const app = consoleApp('guarded');
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login');
    const api = await app.inject({ method: 'GET', url: '/api/status' });
    expect(api.statusCode).toBe(401);
    expect(api.headers['www-authenticate']).toBe('Bearer');
    expect((await app.inject({ method: 'GET', url: '/login' })).body).toContain('<form method="post" action="/login">');
  });

  it('keeps /healthz, /readyz and /metrics open', async () => {
    const app = consoleApp('guarded');
    for (const url of ['/healthz', '/readyz', '/metrics']) expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
  });

  it('admits the Bearer token of a person allowed by email or by role on the API and the page, and the service token on the API', async () => {
    const app = consoleApp('guarded');
    for (const authorization of [`Bearer ${token()}`, `Bearer ${token(people.byRole)}`]) {
      const api = await app.inject({ method: 'GET', url: '/api/status', headers: { authorization } });
      expect(api.statusCode).toBe(200);
      expect(api.json()).toEqual(STATUS);
      expect((await app.inject({ method: 'GET', url: '/', headers: { authorization } })).statusCode).toBe(200);
    }
    const script = await app.inject({ method: 'GET', url: '/api/status', headers: { authorization: `Bearer ${SERVICE_TOKEN}` } });
    expect(script.statusCode).toBe(200);
  });

  it('refuses a valid token of an active user without an allowed email or role (403), of an unknown user (401), and a wrong service token (401)', async () => {
    const app = consoleApp('guarded');
    const get = (authorization: string) => app.inject({ method: 'GET', url: '/api/status', headers: { authorization } });
    const stranger = await get(`Bearer ${token(people.stranger)}`);
    expect(stranger.statusCode).toBe(403);
    expect(stranger.json().error.code).toBe('ACCESS_FORBIDDEN');
    const unknown = await get(`Bearer ${token(randomUUID())}`);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('USER_INACTIVE');
    const wrong = await get(`Bearer ${SERVICE_TOKEN}-not`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('CREDENTIAL_INVALID');
  });

  it('refuses to sign in a person the guard does not admit (403, with the reason) and a service token (401); no cookie either way', async () => {
    const app = consoleApp('guarded');
    const stranger = await app.inject({ method: 'POST', url: '/login', payload: `token=${token(people.stranger)}`, headers: form });
    expect(stranger.statusCode).toBe(403);
    expect(stranger.body).toContain('not allowed to use the console');
    expect(stranger.headers['set-cookie']).toBeUndefined();
    const service = await app.inject({ method: 'POST', url: '/login', payload: `token=${encodeURIComponent(SERVICE_TOKEN)}`, headers: form });
    expect(service.statusCode).toBe(401);
    expect(service.headers['set-cookie']).toBeUndefined();
  });

  it('sends a signed-in person who is deactivated since back to sign in, clearing the cookie', async () => {
    const app = consoleApp('guarded');
    const leaving = await users.addUser({ email: `ops-${randomUUID()}@example.com`, role: 'operator' });
    const signIn = await app.inject({ method: 'POST', url: '/login', payload: `token=${token(leaving)}`, headers: form });
    const cookie = cookieOf(signIn.headers['set-cookie']);
    expect((await app.inject({ method: 'GET', url: '/', headers: { cookie } })).statusCode).toBe(200);
    await users.setStatus(leaving, 'inactive');
    await new Promise((resolve) => setTimeout(resolve, CACHE_TTL_MS + 50));
    const page = await app.inject({ method: 'GET', url: '/', headers: { cookie } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?expired=1');
    expect(String(page.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('exchanges a pasted token for an HttpOnly SameSite=Strict cookie that admits page loads, until sign-out', async () => {
    const app = consoleApp('guarded');
    const signIn = await app.inject({
      method: 'POST',
      url: '/login',
      payload: `token=${encodeURIComponent(`Bearer ${token()}\n`)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe('/');
    const setCookie = String(signIn.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${CONSOLE_DEFAULTS.sessionCookie}=`));
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain('Secure');
    const cookie = cookieOf(signIn.headers['set-cookie']);
    const page = await app.inject({ method: 'GET', url: '/', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('Sign out');
    const signOut = await app.inject({ method: 'POST', url: '/logout', headers: { cookie } });
    expect(String(signOut.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('marks the cookie Secure behind TLS, refuses a bad token and a sign-in posted from another site', async () => {
    const app = consoleApp('guarded');
    const secure = await app.inject({
      method: 'POST',
      url: '/login',
      payload: `token=${token()}`,
      headers: { ...form, 'x-forwarded-proto': 'https' },
    });
    expect(String(secure.headers['set-cookie'])).toContain('; Secure');
    const bad = await app.inject({ method: 'POST', url: '/login', payload: 'token=not-a-token', headers: form });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['set-cookie']).toBeUndefined();
    expect(bad.body).toContain('not a valid access token');
    const crossSite = await app.inject({
      method: 'POST',
      url: '/login',
      payload: `token=${token()}`,
      headers: { ...form, origin: 'https://evil.example', host: 'console.local' },
    });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.headers['set-cookie']).toBeUndefined();
  });

  it('sends a page load with an expired cookie back to sign in, clearing the cookie', async () => {
    const app = consoleApp('guarded');
    const expired = createTokenService({ secret: 'console-test-secret', now: () => Date.now() - 3_600_000 }).mintAccessToken({
      userId: 'u',
      tenantId: 't',
      minutes: 1,
    });
    const page = await app.inject({ method: 'GET', url: '/', headers: { cookie: `${CONSOLE_DEFAULTS.sessionCookie}=${expired}` } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?expired=1');
    expect(String(page.headers['set-cookie'])).toContain('Max-Age=0');
  });
});

describe('the console with CONSOLE_AUTH=none', () => {
  it('serves the page and the API to anyone, and /login leads to the page', async () => {
    const app = consoleApp('none');
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Sign out');
    expect((await app.inject({ method: 'GET', url: '/api/status' })).json()).toEqual(STATUS);
    expect((await app.inject({ method: 'GET', url: '/login' })).headers.location).toBe('/');
  });

  it('shows a retrying 503 page when the status cannot be collected, and the rest of the page when a side read fails', async () => {
    const down = consoleApp('none', { status: async () => Promise.reject(new Error('rag database unreachable')) });
    const page = await down.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('rag database unreachable');
    expect(page.body).toContain('http-equiv="refresh"');
    const partial = consoleApp('none', { syncRuns: async () => Promise.reject(new Error('chat database unreachable')) });
    const rest = await partial.inject({ method: 'GET', url: '/' });
    expect(rest.statusCode).toBe(200);
    expect(rest.body).toContain('Recent sync runs could not be read: chat database unreachable');
    expect(rest.body).toContain('data-stage="ingestor"');
  });
});

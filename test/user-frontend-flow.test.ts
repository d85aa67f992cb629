// The existing web front end's flow (mobius-auth's AuthService) against the real user service
// process (`mobius start user`) and the real Postgres: register, keep the tokens and the expiry,
// schedule the silent refresh at `expires_in - 300` s (at least 60 s; 3600 when a refresh answer has
// no expires_in), refresh when it fires, me, onboarding, preferences, logout. The timer is recorded
// and fired by the test rather than waited for (an hour); at the moment it would fire the access
// token must still be valid, which the test checks against the token's own `exp`. Then page detection
// (check-email), the activities of onboarding and a forgotten password recovered through the mailed link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken } from '../libs/auth/src/testing/forge.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { startServiceProcess, stopServiceProcess, type ServiceProcess } from './support/processes.ts';

const database = uniqueName('user_front');
let service: ServiceProcess;

type Json = Record<string, any>;

/** What the front end keeps and schedules, as mobius-auth's AuthService does. */
class FrontEnd {
  accessToken: string | null = null;
  refreshToken: string | null = null;
  expiresAt = 0;
  /** The delay of the pending silent refresh, in ms (the test fires it). */
  scheduledRefreshMs: number | null = null;

  constructor(private readonly apiBase: string) {}

  private async post(path: string, body: unknown, method = 'POST', token?: string) {
    const response = await fetch(`${this.apiBase}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, data: (await response.json()) as Json };
  }

  private store(tokens: { access_token: string; refresh_token?: string; expires_in?: number }) {
    this.accessToken = tokens.access_token;
    if (tokens.refresh_token) this.refreshToken = tokens.refresh_token;
    const expiresIn = tokens.expires_in || 3600;
    this.expiresAt = Date.now() + expiresIn * 1000;
    this.scheduledRefreshMs = Math.max((expiresIn - 300) * 1000, 60_000);
  }

  async register(email: string, password: string) {
    const { status, data } = await this.post('/auth/register', { email, password, first_name: 'Flo' });
    if (status !== 200 || !data.ok) return { success: false, error: data.error || 'Registration failed' };
    this.store(data as any);
    return { success: true, user: data.user, isNewUser: data.is_new_user };
  }

  /** What the timer does when it fires. */
  async refreshAccessToken(): Promise<boolean> {
    const { status, data } = await this.post('/auth/refresh', { refresh_token: this.refreshToken });
    if (status !== 200 || !data.access_token) return false;
    this.store(data as any);
    return true;
  }

  async me() {
    const response = await fetch(`${this.apiBase}/auth/me`, { headers: { Authorization: `Bearer ${this.accessToken}` } });
    return { status: response.status, data: (await response.json()) as Json };
  }

  onboarding(body: Json) {
    return this.post('/auth/onboarding', body, 'PUT', this.accessToken!);
  }

  preferences(body: Json) {
    return this.post('/auth/preferences', body, 'PUT', this.accessToken!);
  }

  /** Page detection (AuthService.checkEmail): which page the email box leads to. */
  async checkEmail(email: string) {
    const { data } = await this.post('/auth/check-email', { email });
    return { exists: data.exists === true, user: data.user as Json | undefined };
  }

  async login(email: string, password: string) {
    const { status, data } = await this.post('/auth/login', { email, password });
    if (status !== 200) return { success: false, error: data.detail as string };
    this.store(data as any);
    return { success: true };
  }

  async logout() {
    const answer = await this.post('/auth/logout', { refresh_token: this.refreshToken });
    this.accessToken = this.refreshToken = null;
    return answer;
  }
}

beforeAll(async () => {
  await createMigratedDatabase(database, 'user');
  service = await startServiceProcess('user', {
    USER_DATABASE_URL: testDatabaseUrl(database),
    JWT_SECRET: 'front-end-flow-secret',
    MOBIUS_SET_PASSWORD_URL_BASE: 'https://app.example.test/set-password',
  });
});

afterAll(async () => {
  if (service) expect(await stopServiceProcess(service)).toBe(0);
  await dropDatabases([database]);
});

describe('the web front end against the user service process', () => {
  it('registers, refreshes silently at expires_in - 300, reads me, onboards, saves preferences and logs out', async () => {
    const front = new FrontEnd(`${service.url}/api/v1`);
    const email = `front.${Date.now()}@example.com`;
    const registered = await front.register(email, 'front-end-password');
    expect(registered).toMatchObject({ success: true, isNewUser: true, user: { email, first_name: 'Flo', is_onboarded: false } });

    // The silent refresh is due 300 s before expiry: 3300 s for the 60-minute token, which is still
    // valid then (its exp is at least 300 s later).
    expect(front.scheduledRefreshMs).toBe(3300 * 1000);
    const firstExp = decodeToken(front.accessToken!).payload.exp as number;
    expect(firstExp * 1000 - (Date.now() + front.scheduledRefreshMs!)).toBeGreaterThan(290_000);
    const refreshTokenBefore = front.refreshToken;
    expect(await front.refreshAccessToken()).toBe(true);
    expect(front.refreshToken).toBe(refreshTokenBefore); // not rotated: the front end keeps its own
    expect(front.scheduledRefreshMs).toBe(3300 * 1000); // the answer carries expires_in: 3600

    const me = await front.me();
    expect(me).toMatchObject({ status: 200, data: { ok: true, user: { email, is_onboarded: false, preference: null } } });

    const onboarded = await front.onboarding({ preferred_name: 'Flo', activities: ['schedule_appointments'], tone: 'friendly' });
    expect(onboarded).toMatchObject({ status: 200, data: { ok: true, message: 'Onboarding completed', profile: { preferred_name: 'Flo' } } });
    const saved = await front.preferences({ ai_experience_level: 'expert', source: 'preferences_modal' });
    expect(saved).toMatchObject({ status: 200, data: { ok: true, profile: { communication: { ai_experience_level: 'expert', tone: 'friendly' } } } });
    expect((await front.me()).data.user).toMatchObject({
      is_onboarded: true,
      activities: [{ activity_code: 'schedule_appointments', is_primary: true }],
      preference: { tone: 'friendly', ai_experience_level: 'expert' },
    });
    const audits = await queryDatabase(database, 'SELECT field, old_value, new_value, source FROM user_ext.user_preference_audit');
    expect(audits).toEqual([{ field: 'ai_experience_level', old_value: 'beginner', new_value: 'expert', source: 'preferences_modal' }]);

    const kept = front.refreshToken!;
    expect(await front.logout()).toEqual({ status: 200, data: { ok: true, message: 'Logged out' } });
    const after = await fetch(`${service.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: kept }),
    });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ detail: 'Session expired or revoked' });
    // Logging out again (a stale tab) is still ok.
    const again = await fetch(`${service.url}/api/v1/auth/logout`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(again.status).toBe(200);
  });

  it('detects the page by check-email, lists activities for onboarding, and recovers a forgotten password through the mailed link', async () => {
    const front = new FrontEnd(`${service.url}/api/v1`);
    const email = `forgetful.${Date.now()}@example.com`;
    expect(await front.checkEmail(email)).toEqual({ exists: false, user: undefined });
    expect((await front.register(email, 'first-password-123')).success).toBe(true);
    const sessionBefore = front.refreshToken;
    expect(await front.checkEmail(email.toUpperCase())).toEqual({
      exists: true,
      user: { display_name: email.split('@')[0], first_name: 'Flo', is_onboarded: false },
    });
    const activities = (await (await fetch(`${service.url}/api/v1/auth/activities`)).json()) as Json;
    expect(activities.activities.map((a: Json) => a.activity_code)).toContain('schedule_appointments');

    expect(await front.login(email, 'not-the-password')).toEqual({ success: false, error: 'Invalid email or password' });
    const requested = await fetch(`${service.url}/api/v1/auth/password-reset/request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    expect(requested.status).toBe(202);
    let body = '';
    for (let attempt = 0; attempt < 50 && !body; attempt += 1) {
      const [mail] = await queryDatabase(database, 'SELECT body FROM user_ext.mail_outbox WHERE recipient = $1', [email]);
      body = (mail?.body as string | undefined) ?? '';
      if (!body) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The set-password page reads the link's token, asks token-info, then confirms.
    const link = new URL(/https:\/\/app\.example\.test\/set-password\?token=\S+/.exec(body)![0]);
    const token = link.searchParams.get('token')!;
    const info = (await (await fetch(`${service.url}/api/v1/auth/token-info?token=${encodeURIComponent(token)}`)).json()) as Json;
    expect(info).toMatchObject({ valid: true, purpose: 'reset', email_masked: 'f•••@example.com' });
    const confirmed = await fetch(`${service.url}/api/v1/auth/password-reset/confirm`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token, new_password: 'second-password-456' }),
    });
    expect(confirmed.status).toBe(200);
    // The session of the registration was ended by the reset.
    const stale = await fetch(`${service.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: sessionBefore }),
    });
    expect(stale.status).toBe(401);
    expect(await front.login(email, 'first-password-123')).toMatchObject({ success: false });
    expect(await front.login(email, 'second-password-456')).toEqual({ success: true });
    expect(await front.refreshAccessToken()).toBe(true);
  });
});

// /api/v1/users/* (the identity directory other apps call) on a real Postgres: readers need
// X-Internal-Key = MOBIUS_USER_INTERNAL_KEY or a Bearer token (401 otherwise); writers need the key
// or the Bearer token of an admin (MOBIUS_USER_ADMIN_EMAILS; 403 otherwise); an unset key opens
// nothing. by-identity, resolve and the profile read; memberships, deactivate and reactivate write
// (with audit rows).
import { randomUUID } from 'node:crypto';
import { migrateDatabase } from '@mobius/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshEmail, userApiClient, type CallOptions, type Json, type UserApiClient } from '../services/user/src/testing/client.ts';
import { createUserTestService, type UserTestService } from '../services/user/src/testing/harness.ts';
import { createDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const KEY = 'directory-internal-key-0123456789';
const ADMIN = freshEmail('admin');
const PASSWORD = 'correct horse battery';
const database = uniqueName('user_dir');
let user: UserTestService;
let keyless: UserTestService;
let api: UserApiClient;
let admin: Json;
let member: Json;

const sql = (text: string, params: unknown[] = []) => queryDatabase<Json>(database, text, params);
const withKey = (key = KEY): CallOptions => ({ headers: { 'x-internal-key': key } });
const users = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: CallOptions = {}) =>
  api.call(method, `/api/v1/users${path}`, options);

beforeAll(async () => {
  await createDatabase(database);
  await migrateDatabase({ databaseUrl: testDatabaseUrl(database), migrationsDir: 'services/user/migrations' });
  user = createUserTestService({ databaseUrl: testDatabaseUrl(database), secret: 'dir-secret', internalKey: KEY, adminEmails: [ADMIN.toUpperCase()] });
  keyless = createUserTestService({ databaseUrl: testDatabaseUrl(database), secret: 'dir-secret' });
  api = userApiClient(user);
  admin = (await api.register({ email: ADMIN, password: PASSWORD })).body;
  member = (await api.register({ email: freshEmail('samantha'), password: PASSWORD, display_name: 'Samantha Reyes', first_name: 'Sam' })).body;
});

afterAll(async () => {
  await user?.close();
  await keyless?.close();
  await dropDatabases([database]);
});

describe('access', () => {
  it('lets readers in with the key or any Bearer token, and refuses anyone else with 401', async () => {
    const path = `/${member.user.user_id}`;
    expect((await users('GET', path, withKey())).status).toBe(200);
    expect((await users('GET', path, { token: member.access_token })).status).toBe(200);
    for (const options of [{}, withKey('wrong-key-0123456789-abcdef'), { token: member.refresh_token }, { token: 'x.y.z' }]) {
      expect(await users('GET', path, options)).toMatchObject({ status: 401, body: { detail: 'Unauthorized' } });
    }
  });

  it('lets writers in with the key or an admin\'s token, and refuses a non-admin or nobody with 403', async () => {
    const path = `/${member.user.user_id}/orgs/acme-clinic`;
    const body = { roles: ['billing'] };
    expect((await users('PUT', path, { ...withKey(), body })).status).toBe(200);
    expect((await users('PUT', path, { token: admin.access_token, body })).status).toBe(200);
    for (const options of [{ token: member.access_token }, {}, withKey('wrong-key-0123456789-abcdef')]) {
      expect(await users('PUT', path, { ...options, body })).toMatchObject({ status: 403, body: { detail: 'Forbidden' } });
    }
  });

  it('never opens the key path when MOBIUS_USER_INTERNAL_KEY is unset', async () => {
    const other = userApiClient(keyless);
    for (const key of ['', 'undefined', 'null', KEY]) {
      expect((await other.call('GET', `/api/v1/users/${member.user.user_id}`, withKey(key))).status).toBe(401);
    }
  });
});

describe('readers', () => {
  it('GET /by-identity resolves a user id, a provider id or an email to the active user, with greeting and welcome', async () => {
    const userId = member.user.user_id as string;
    for (const subject of [userId, member.user.email.toUpperCase()]) {
      const response = await users('GET', `/by-identity?subject=${encodeURIComponent(subject)}`, withKey());
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.user).toMatchObject({
        user_id: userId,
        display_name: 'Samantha Reyes',
        is_agent: false,
        assignee_ref: `user:${userId}`,
        greeting: { name: 'Sam', enabled: true },
        welcome: { arrival: 'self_serve', is_onboarded: false, experience_level: 'beginner', tone: 'professional' },
        capabilities: [],
      });
    }
    expect(await users('GET', `/by-identity?subject=${randomUUID()}`, withKey())).toMatchObject({ status: 404, body: { detail: 'Unknown identity' } });
    expect((await users('GET', '/by-identity', withKey())).body.detail[0]).toMatchObject({ type: 'missing', loc: ['query', 'subject'] });
  });

  it('GET /resolve ranks exact, prefix and substring matches', async () => {
    const response = await users('GET', '/resolve?q=samantha&limit=5', { token: member.access_token });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ ok: true, query: 'samantha' });
    expect(response.body.candidates[0]).toMatchObject({ user_id: member.user.user_id, display_name: 'Samantha Reyes' });
    expect((await users('GET', '/resolve?q=', withKey())).status).toBe(422);
    expect((await users('GET', '/resolve?q=a&limit=500', withKey())).status).toBe(422);
  });

  it('GET /{user_id} answers the directory profile, 404 "Unknown user" otherwise', async () => {
    const response = await users('GET', `/${member.user.user_id}`, withKey());
    expect(Object.keys(response.body.user).sort()).toEqual([
      'aliases', 'assignee_ref', 'capabilities', 'display_name', 'email', 'is_agent', 'org_memberships',
      'pending_org_memberships', 'roles_by_org', 'status', 'user_id',
    ]);
    expect(await users('GET', `/${randomUUID()}`, withKey())).toMatchObject({ status: 404, body: { detail: 'Unknown user' } });
    expect(await users('GET', '/not-a-uuid', withKey())).toMatchObject({ status: 404, body: { detail: 'Unknown user' } });
  });
});

describe('writers', () => {
  it('upsert a membership (a pending self-claim becomes active, audited), delete it', async () => {
    const userId = member.user.user_id as string;
    await api.preferences(member.access_token, { organization: 'Sunrise Health' });
    const put = await users('PUT', `/${userId}/orgs/sunrise-health`, { token: admin.access_token, body: { roles: ['front_desk', ' ', 'front_desk'] } });
    expect(put.body).toEqual({
      ok: true, user_id: userId, org_slug: 'sunrise-health', display_name: 'sunrise-health', roles: ['front_desk'], status: 'active', validated: false,
    });
    expect((await users('GET', `/${userId}`, withKey())).body.user.roles_by_org).toMatchObject({ 'sunrise-health': ['front_desk'] });
    expect(await sql(`SELECT old_value, new_value, source FROM user_ext.user_preference_audit WHERE user_id = $1 AND field = 'membership_status'`, [userId])).toEqual([
      { old_value: 'sunrise-health:pending', new_value: 'sunrise-health:active', source: `admin:${ADMIN}`.slice(0, 30) },
    ]);
    expect(await users('DELETE', `/${userId}/orgs/sunrise-health`, withKey())).toMatchObject({ status: 200, body: { ok: true } });
    expect(await users('DELETE', `/${userId}/orgs/sunrise-health`, withKey())).toMatchObject({ status: 404, body: { detail: 'Unknown membership' } });
    expect(await users('PUT', `/${userId}/orgs/_shared_`, { ...withKey(), body: {} })).toMatchObject({ status: 422 });
    expect(await users('PUT', `/${randomUUID()}/orgs/acme`, { ...withKey(), body: {} })).toMatchObject({ status: 404, body: { detail: 'Unknown user' } });
  });

  it('deactivate blocks login and revokes sessions; reactivate restores login; both audited', async () => {
    const target = (await api.register({ email: freshEmail('leaver'), password: PASSWORD })).body;
    const userId = target.user.user_id as string;
    const off = await users('POST', `/${userId}/deactivate`, withKey());
    expect(off.body).toMatchObject({ ok: true, account_status: 'disabled', already_disabled: false, sessions_revoked: 1 });
    expect((await api.login({ email: target.user.email, password: PASSWORD })).status).toBe(401);
    expect((await api.refresh(target.refresh_token)).status).toBe(401);
    expect((await api.me(target.access_token)).status).toBe(401);
    expect((await users('POST', `/${userId}/deactivate`, withKey())).body).toMatchObject({ already_disabled: true, sessions_revoked: 0 });
    expect((await users('POST', `/${userId}/reactivate`, withKey())).body).toMatchObject({ ok: true, account_status: 'active' });
    expect(await users('POST', `/${userId}/reactivate`, withKey())).toMatchObject({ status: 409, body: { detail: "Account is 'active', not disabled" } });
    expect((await api.login({ email: target.user.email, password: PASSWORD })).status).toBe(200);
    const audits = await sql(`SELECT old_value, new_value FROM user_ext.user_preference_audit WHERE user_id = $1 AND field = 'account_status' ORDER BY changed_at`, [userId]);
    expect(audits).toEqual([{ old_value: 'active', new_value: 'disabled' }, { old_value: 'disabled', new_value: 'active' }]);
  });
});

// /api/v1/users/* (the identity directory other apps call) on a real Postgres: readers need
// X-Internal-Key = MOBIUS_USER_INTERNAL_KEY or a Bearer token (401 otherwise); writers need the key
// or the Bearer token of an admin (MOBIUS_USER_ADMIN_EMAILS; 403 otherwise); an unset key opens
// nothing. by-identity, resolve and the profile read; memberships, deactivate and reactivate write
// (with audit rows).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshEmail, userApiClient, type CallOptions, type Json, type UserApiClient } from '../services/user/src/testing/client.ts';
import { createUserTestService, type UserTestService } from '../services/user/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

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
  await createMigratedDatabase(database, 'user');
  user = createUserTestService({
    databaseUrl: testDatabaseUrl(database),
    secret: 'dir-secret',
    internalKey: KEY,
    adminEmails: [ADMIN.toUpperCase()],
  });
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

  it("lets writers in with the key or an admin's token, and refuses a non-admin or nobody with 403", async () => {
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
    expect(await users('GET', `/by-identity?subject=${randomUUID()}`, withKey())).toMatchObject({
      status: 404,
      body: { detail: 'Unknown identity' },
    });
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
      'aliases',
      'assignee_ref',
      'capabilities',
      'display_name',
      'email',
      'is_agent',
      'org_memberships',
      'pending_org_memberships',
      'roles_by_org',
      'status',
      'user_id',
    ]);
    expect(await users('GET', `/${randomUUID()}`, withKey())).toMatchObject({ status: 404, body: { detail: 'Unknown user' } });
    expect(await users('GET', '/not-a-uuid', withKey())).toMatchObject({ status: 404, body: { detail: 'Unknown user' } });
  });
});

describe('writers', () => {
  it('upsert a membership (a pending self-claim becomes active, audited), delete it', async () => {
    const userId = member.user.user_id as string;
    await api.preferences(member.access_token, { organization: 'Sunrise Health' });
    const put = await users('PUT', `/${userId}/orgs/sunrise-health`, {
      token: admin.access_token,
      body: { roles: ['front_desk', ' ', 'front_desk'] },
    });
    expect(put.body).toEqual({
      ok: true,
      user_id: userId,
      org_slug: 'sunrise-health',
      display_name: 'sunrise-health',
      roles: ['front_desk'],
      status: 'active',
      validated: false,
    });
    expect((await users('GET', `/${userId}`, withKey())).body.user.roles_by_org).toMatchObject({ 'sunrise-health': ['front_desk'] });
    expect(
      await sql(`SELECT old_value, new_value, source FROM user_ext.user_preference_audit WHERE user_id = $1 AND field = 'membership_status'`, [
        userId,
      ]),
    ).toEqual([{ old_value: 'sunrise-health:pending', new_value: 'sunrise-health:active', source: `admin:${ADMIN}`.slice(0, 30) }]);
    expect(await users('DELETE', `/${userId}/orgs/sunrise-health`, withKey())).toMatchObject({ status: 200, body: { ok: true } });
    expect(await users('DELETE', `/${userId}/orgs/sunrise-health`, withKey())).toMatchObject({ status: 404, body: { detail: 'Unknown membership' } });
    expect(await users('PUT', `/${userId}/orgs/_shared_`, { ...withKey(), body: {} })).toMatchObject({ status: 422 });
    expect(await users('PUT', `/${randomUUID()}/orgs/acme`, { ...withKey(), body: {} })).toMatchObject({
      status: 404,
      body: { detail: 'Unknown user' },
    });
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
    expect(await users('POST', `/${userId}/reactivate`, withKey())).toMatchObject({
      status: 409,
      body: { detail: "Account is 'active', not disabled" },
    });
    expect((await api.login({ email: target.user.email, password: PASSWORD })).status).toBe(200);
    const audits = await sql(
      `SELECT old_value, new_value FROM user_ext.user_preference_audit WHERE user_id = $1 AND field = 'account_status' ORDER BY changed_at`,
      [userId],
    );
    expect(audits).toEqual([
      { old_value: 'active', new_value: 'disabled' },
      { old_value: 'disabled', new_value: 'active' },
    ]);
  });
});

describe('org directory, roster and approvals', () => {
  it("GET /directory lists the org's active members (a hard filter), q ranks prefix before substring; /org/{slug}/members shows every status to writers", async () => {
    const slug = `clinic-${randomUUID().slice(0, 8)}`;
    const people = await Promise.all(
      ['Zed Alpha', 'Alma Zed', 'Other Person'].map(
        async (name) => (await api.register({ email: freshEmail('dir'), password: PASSWORD, display_name: name })).body,
      ),
    );
    for (const person of people.slice(0, 2))
      expect((await users('PUT', `/${person.user.user_id}/orgs/${slug}`, { ...withKey(), body: { roles: ['billing'] } })).status).toBe(200);
    await api.preferences(people[2]!.access_token, { organization: slug });
    const all = await users('GET', `/directory?org_slug=${slug}`, { token: member.access_token });
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body).toMatchObject({ ok: true, org_slug: slug, total: 2 });
    expect(all.body.members.map((m: Json) => m.display_name)).toEqual(['Alma Zed', 'Zed Alpha']);
    expect(all.body.members[0]).toEqual({
      user_id: people[1]!.user.user_id,
      display_name: 'Alma Zed',
      email: people[1]!.user.email,
      is_agent: false,
      assignee_ref: `user:${people[1]!.user.user_id}`,
      roles: ['billing'],
    });
    const typed = await users('GET', `/directory?org_slug=${slug}&q=zed`, withKey());
    expect(typed.body.members.map((m: Json) => m.display_name)).toEqual(['Zed Alpha', 'Alma Zed']);
    expect((await users('GET', `/directory?org_slug=${slug}&q=nobody`, withKey())).body).toMatchObject({ members: [], total: 0 });
    expect((await users('GET', '/directory', withKey())).body.detail[0]).toMatchObject({ type: 'missing', loc: ['query', 'org_slug'] });
    expect((await users('GET', `/directory?org_slug=${slug}&limit=101`, withKey())).status).toBe(422);
    expect((await users('GET', `/directory?org_slug=${slug}`)).status).toBe(401);

    const roster = await users('GET', `/org/${slug}/members`, { token: admin.access_token });
    expect(roster.status).toBe(200);
    expect(roster.body.members).toHaveLength(3);
    expect(roster.body.members.find((m: Json) => m.user_id === people[2]!.user.user_id)).toMatchObject({
      account_status: 'active',
      membership_status: 'pending',
      roles: [],
    });
    expect(await users('GET', `/org/${slug}/members`, { token: member.access_token })).toMatchObject({ status: 403, body: { detail: 'Forbidden' } });
  });

  it('approves a pending self-claim (idempotent), removes softly, restores with its roles; every transition audited', async () => {
    const slug = `org-${randomUUID().slice(0, 8)}`;
    const person = (await api.register({ email: freshEmail('claim'), password: PASSWORD, display_name: 'Claimant' })).body;
    const userId = person.user.user_id as string;
    await api.preferences(person.access_token, { organization: slug });
    const queue = await users('GET', `/pending-memberships?org_slug=${slug}`, withKey());
    expect(queue.body).toEqual({
      ok: true,
      pending: [
        {
          user_id: userId,
          display_name: 'Claimant',
          email: person.user.email,
          org_slug: slug,
          org_display_name: slug,
          claimed_at: expect.any(String),
        },
      ],
    });
    expect(await users('POST', `/${userId}/orgs/${slug}/restore`, withKey())).toMatchObject({
      status: 404,
      body: { detail: 'No removed membership' },
    });
    expect((await users('POST', `/${userId}/orgs/${slug}/approve`, { token: admin.access_token })).body).toEqual({
      ok: true,
      user_id: userId,
      org_slug: slug,
      status: 'active',
      already_active: false,
    });
    expect((await users('POST', `/${userId}/orgs/${slug}/approve`, withKey())).body).toMatchObject({ already_active: true });
    expect((await users('GET', `/pending-memberships?org_slug=${slug}`, withKey())).body.pending).toEqual([]);
    await users('PUT', `/${userId}/orgs/${slug}`, { ...withKey(), body: { roles: ['lead'] } });
    expect((await users('POST', `/${userId}/orgs/${slug}/remove`, withKey())).body).toEqual({
      ok: true,
      user_id: userId,
      org_slug: slug,
      membership_status: 'removed',
      already_removed: false,
    });
    expect((await users('POST', `/${userId}/orgs/${slug}/remove`, withKey())).body).toMatchObject({ already_removed: true });
    expect(await users('POST', `/${userId}/orgs/${slug}/approve`, withKey())).toMatchObject({
      status: 409,
      body: { detail: 'Membership is removed; use /restore' },
    });
    expect((await users('GET', `/directory?org_slug=${slug}`, withKey())).body.total).toBe(0);
    expect((await users('POST', `/${userId}/orgs/${slug}/restore`, withKey())).body).toEqual({
      ok: true,
      user_id: userId,
      org_slug: slug,
      membership_status: 'active',
      roles: ['lead'],
    });
    expect(await users('POST', `/${userId}/orgs/elsewhere/approve`, withKey())).toMatchObject({
      status: 404,
      body: { detail: 'Unknown membership' },
    });
    const audits = await sql(
      `SELECT old_value, new_value FROM user_ext.user_preference_audit WHERE user_id = $1 AND field = 'membership_status' ORDER BY changed_at, audit_id`,
      [userId],
    );
    expect(audits.map((a) => `${a.old_value}>${a.new_value}`)).toEqual([
      `${slug}:pending>${slug}:active`,
      `${slug}:active>${slug}:removed`,
      `${slug}:removed>${slug}:active`,
    ]);
    expect(await users('POST', `/${userId}/orgs/${slug}/remove`, { token: member.access_token })).toMatchObject({ status: 403 });
  });
});

describe('capabilities and aliases', () => {
  it('grants (idempotent), shows on the profile, revokes by stamping (404 when none)', async () => {
    const userId = member.user.user_id as string;
    const path = `/${userId}/capabilities`;
    expect((await users('POST', path, { ...withKey(), body: { capability: ' Approve_Claims ', org_slug: 'Sunrise Health' } })).body).toEqual({
      ok: true,
      granted: true,
      capability: 'approve_claims',
      org_slug: 'sunrise-health',
    });
    expect((await users('POST', path, { ...withKey(), body: { capability: 'approve_claims', org_slug: 'sunrise-health' } })).body).toEqual({
      ok: true,
      granted: false,
      already_active: true,
      capability: 'approve_claims',
      org_slug: 'sunrise-health',
    });
    expect((await users('POST', path, { token: admin.access_token, body: { capability: 'export' } })).body).toMatchObject({
      granted: true,
      org_slug: null,
    });
    expect((await users('GET', `/${userId}`, withKey())).body.user.capabilities).toEqual([
      { capability: 'approve_claims', org_slug: 'sunrise-health' },
      { capability: 'export', org_slug: null },
    ]);
    expect((await users('DELETE', `${path}/approve_claims?org_slug=sunrise-health`, withKey())).body).toEqual({
      ok: true,
      revoked: true,
      capability: 'approve_claims',
      org_slug: 'sunrise-health',
    });
    expect(await users('DELETE', `${path}/approve_claims?org_slug=sunrise-health`, withKey())).toMatchObject({
      status: 404,
      body: { detail: 'No active grant' },
    });
    expect(await users('DELETE', `${path}/export`, withKey())).toMatchObject({ status: 200 });
    expect(await sql(`SELECT count(*)::int AS n FROM user_ext.user_capability WHERE user_id = $1 AND revoked_at IS NOT NULL`, [userId])).toEqual([
      { n: 2 },
    ]);
    for (const body of [{}, { capability: '' }, { capability: 'x'.repeat(51) }, { capability: 5 }]) {
      expect((await users('POST', path, { ...withKey(), body })).status, JSON.stringify(body)).toBe(422);
    }
  });

  it('an alias (with its weight) makes /resolve find the user; removing it is a 404 the second time', async () => {
    const person = (await api.register({ email: freshEmail('alias'), password: PASSWORD, display_name: 'Bartholomew Quince' })).body;
    const userId = person.user.user_id as string;
    expect((await users('GET', '/resolve?q=barty', withKey())).body.candidates).toEqual([]);
    expect((await users('POST', `/${userId}/aliases`, { ...withKey(), body: { alias: ' Barty ', weight: 10 } })).body).toEqual({
      ok: true,
      user_id: userId,
      alias: 'Barty',
    });
    expect((await users('GET', '/resolve?q=barty', withKey())).body.candidates.map((c: Json) => c.user_id)).toEqual([userId]);
    expect((await users('GET', `/${userId}`, withKey())).body.user.aliases).toEqual(['Barty']);
    expect(await users('DELETE', `/${userId}/aliases/Barty`, withKey())).toMatchObject({ status: 200, body: { ok: true } });
    expect(await users('DELETE', `/${userId}/aliases/Barty`, withKey())).toMatchObject({ status: 404, body: { detail: 'Unknown alias' } });
    expect((await users('POST', `/${userId}/aliases`, { ...withKey(), body: { alias: 'x', weight: 101 } })).status).toBe(422);
    expect(await users('POST', `/${userId}/aliases`, { ...withKey(), body: { alias: '   ' } })).toMatchObject({
      status: 422,
      body: { detail: 'Alias required' },
    });
  });
});

describe('invites, agents and the access beacon', () => {
  it('invites a new account (201, mailed link), re-invites (200, the old link dead), and set-password activates and signs in', async () => {
    const email = freshEmail('invitee');
    const first = await users('POST', '/invite', {
      token: admin.access_token,
      body: { email: email.toUpperCase(), first_name: 'Ines', org_slug: 'Acme Clinic', roles: ['billing'] },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      ok: true,
      created: true,
      email,
      display_name: email.split('@')[0],
      status: 'invited',
      email_sent: true,
      invite_expires_at: expect.stringMatching(/Z$/),
      membership: { applied: true, org_slug: 'acme-clinic', org_display_name: 'acme-clinic', validated: false, roles: ['billing'] },
    });
    const linkOf = async (line: string) => {
      const [mail] = await user.mailbox(email);
      expect(mail).toMatchObject({ subject: "You've been invited to Mobius", intent: 'account_invite' });
      expect(mail!.body).toContain(line);
      return decodeURIComponent(/\?token=([A-Za-z0-9_-]+)/.exec(mail!.body)![1]!);
    };
    const oldToken = await linkOf("Hi Ines,\n\nYou've been invited to join acme-clinic on Mobius.");
    // An invited account cannot sign in yet.
    expect((await api.login({ email, password: PASSWORD })).status).toBe(401);
    const again = await users('POST', '/invite', { ...withKey(), body: { email, display_name: 'Ines Ortega' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, status: 'invited', display_name: 'Ines Ortega', user_id: first.body.user_id });
    const token = await linkOf("You've been invited on Mobius.");
    expect(token).not.toBe(oldToken);
    const auth = (path: string, body: Json) => api.call('POST', `/api/v1/auth${path}`, { body });
    expect(await auth('/set-password', { token: oldToken, new_password: PASSWORD })).toMatchObject({
      status: 400,
      body: { detail: 'token_consumed' },
    });
    expect((await api.call('GET', `/api/v1/auth/token-info?token=${token}`)).body).toMatchObject({ valid: true, purpose: 'invite' });
    expect(await auth('/set-password', { token, new_password: 'short' })).toMatchObject({ status: 400, body: { detail: 'weak_password' } });
    const set = await auth('/set-password', { token, new_password: PASSWORD });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({
      ok: true,
      message: 'Password set',
      token_type: 'bearer',
      user: { user_id: first.body.user_id, email, first_name: 'Ines' },
    });
    expect((await api.me(set.body.access_token)).status).toBe(200);
    expect((await api.login({ email, password: PASSWORD })).status).toBe(200);
    expect(await sql(`SELECT provider FROM auth_provider_link WHERE user_id = $1`, [first.body.user_id])).toEqual([{ provider: 'email' }]);
    expect(await auth('/set-password', { token, new_password: PASSWORD })).toMatchObject({ status: 400, body: { detail: 'token_consumed' } });
    // A reset token is not an invite token.
    expect(await auth('/set-password', { token: 'not-a-token', new_password: PASSWORD })).toMatchObject({
      status: 400,
      body: { detail: 'token_invalid' },
    });
  });

  it('refuses set-password for an invited account disabled since (user_inactive), and keeps the link unused', async () => {
    const email = freshEmail('revoked-invite');
    const invited = await users('POST', '/invite', { ...withKey(), body: { email } });
    expect(invited.status).toBe(201);
    const [mail] = await user.mailbox(email);
    const token = decodeURIComponent(/\?token=([A-Za-z0-9_-]+)/.exec(mail!.body)![1]!);
    await users('POST', `/${invited.body.user_id}/deactivate`, withKey());
    const auth = (body: Json) => api.call('POST', '/api/v1/auth/set-password', { body });
    expect(await auth({ token, new_password: PASSWORD })).toMatchObject({ status: 400, body: { detail: 'user_inactive' } });
    expect(await sql('SELECT count(*)::int AS n FROM user_session WHERE user_id = $1', [invited.body.user_id])).toEqual([{ n: 0 }]);
    expect((await api.call('GET', `/api/v1/auth/token-info?token=${token}`)).body).toMatchObject({ valid: true, purpose: 'invite' });
  });

  it('answers 409 {detail: {error: email_exists}} for an existing account without an org; with one, adds it (a disabled one reactivated)', async () => {
    const person = (await api.register({ email: freshEmail('existing'), password: PASSWORD })).body;
    const exists = await users('POST', '/invite', { ...withKey(), body: { email: person.user.email } });
    expect(exists).toMatchObject({
      status: 409,
      body: { detail: { ok: false, error: 'email_exists', user_id: person.user.user_id, status: 'active' } },
    });
    await users('POST', `/${person.user.user_id}/deactivate`, withKey());
    const added = await users('POST', '/invite', { ...withKey(), body: { email: person.user.email, org_slug: 'acme-clinic', roles: ['lead'] } });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({
      ok: true,
      created: false,
      existing_account: true,
      reactivated: true,
      status: 'active',
      email_sent: false,
      membership: { org_slug: 'acme-clinic', roles: ['lead'] },
    });
    expect((await api.login({ email: person.user.email, password: PASSWORD })).status).toBe(200);
    expect(await users('POST', '/invite', { ...withKey(), body: { email: 'not-an-email' } })).toMatchObject({
      status: 422,
      body: { detail: 'invalid_email' },
    });
    expect((await users('POST', '/invite', { ...withKey(), body: { email: 'ab' } })).status).toBe(422);
    expect(await users('POST', '/invite', { token: member.access_token, body: { email: freshEmail() } })).toMatchObject({ status: 403 });
  });

  it('enrolls an agent principal once (idempotent), resolvable by its agent: handle', async () => {
    const name = `triage-${randomUUID().slice(0, 6)}`;
    const first = await users('POST', '/agents', { ...withKey(), body: { name: `Agent:${name.toUpperCase()}`, display_name: 'Triage Bot' } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      ok: true,
      created: true,
      user: { display_name: 'Triage Bot', is_agent: true, assignee_ref: `agent:${name}`, status: 'active' },
    });
    const again = await users('POST', '/agents', { token: admin.access_token, body: { name } });
    expect(again.body).toMatchObject({ created: false, user: { user_id: first.body.user.user_id } });
    const found = await users('GET', `/resolve?q=${name}`, withKey());
    expect(found.body.candidates[0]).toMatchObject({ user_id: first.body.user.user_id, is_agent: true, assignee_ref: `agent:${name}` });
    expect(await users('POST', '/agents', { ...withKey(), body: { name: 'agent:' } })).toMatchObject({
      status: 422,
      body: { detail: 'Agent name required' },
    });
    // Names that differ only in symbols are different agents; an email that is another account's is a 409.
    const a = await users('POST', '/agents', { ...withKey(), body: { name: `${name}!` } });
    const b = await users('POST', '/agents', { ...withKey(), body: { name: `${name}?` } });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.user.user_id).not.toBe(b.body.user.user_id);
    expect(await users('POST', '/agents', { ...withKey(), body: { name: `${name}-mail`, email: member.user.email } })).toMatchObject({
      status: 409,
      body: { detail: 'Email already registered' },
    });
    expect((await users('POST', '/agents', { ...withKey(), body: {} })).status).toBe(422);
  });

  it('records an access beacon (202) with the Bearer user, never a user named in the body; also at /api/v1/access-beacon', async () => {
    const surface = `s-${randomUUID().slice(0, 8)}`;
    expect(
      await users('POST', '/access-beacon', {
        token: member.access_token,
        body: { surface, org_slug: 'Acme Clinic', action: 'open', user_id: admin.user.user_id },
      }),
    ).toMatchObject({ status: 202, body: { ok: true } });
    expect(await api.call('POST', '/api/v1/access-beacon', { ...withKey(), body: { surface } })).toMatchObject({ status: 202, body: { ok: true } });
    const rows = await sql(`SELECT user_id, org_slug, action FROM user_ext.user_access_event WHERE surface = $1 ORDER BY occurred_at`, [surface]);
    expect(rows).toEqual([
      { user_id: member.user.user_id, org_slug: 'acme-clinic', action: 'open' },
      { user_id: null, org_slug: null, action: null },
    ]);
    expect(await users('POST', '/access-beacon', { body: { surface } })).toMatchObject({ status: 401, body: { detail: 'Unauthorized' } });
    expect((await users('POST', '/access-beacon', { ...withKey(), body: { surface: 'x'.repeat(41) } })).status).toBe(422);
  });
});

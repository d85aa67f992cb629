// mobius-user's account lifecycle routes on a real Postgres, as the existing FastAPI service answers
// them (docs/api/user.md): the password reset (request 202 whatever the email, a mail in the outbox
// with a single-use link, confirm sets the password and ends every session; silent rate limits per
// address and per email), token-info, hand-off codes, check-email and the activity catalogue. Errors
// are `{detail}`; none answers 500 to malformed input.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshEmail, userApiClient, type ApiAnswer, type Json, type UserApiClient } from '../services/user/src/testing/client.ts';
import { createUserTestService, TEST_SET_PASSWORD_URL, type UserTestService } from '../services/user/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const SECRET = 'user-lifecycle-secret';
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const database = uniqueName('user_life');
let user: UserTestService;
let limited: UserTestService;
let api: UserApiClient;

const sql = <T extends Json = Json>(text: string, params: unknown[] = []) => queryDatabase<T>(database, text, params);
const auth = (method: 'GET' | 'POST', path: string, options: Parameters<UserApiClient['call']>[2] = {}) =>
  api.call(method, `/api/v1/auth${path}`, options);

function expectError(response: ApiAnswer, status: number, detail: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toEqual({ detail });
}

async function register(extra: Json = {}) {
  const response = await api.register({ email: freshEmail(), password: PASSWORD, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

/** The raw token of the newest mail to `email`, read from the outbox as an operator would. */
async function resetTokenOf(service: UserTestService, email: string): Promise<string> {
  const [mail] = await service.mailbox(email);
  expect(mail, `no mail to ${email}`).toBeDefined();
  const match = new RegExp(`${TEST_SET_PASSWORD_URL.replace(/[.?/]/g, '\\$&')}\\?token=([A-Za-z0-9_-]+)\\n`).exec(mail!.body);
  expect(match, mail!.body).not.toBeNull();
  return decodeURIComponent(match![1]!);
}

const requestReset = (email: unknown, options: { remoteAddress?: string; service?: UserTestService } = {}) =>
  userApiClient(options.service ?? user).call('POST', '/api/v1/auth/password-reset/request', {
    body: { email },
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });

beforeAll(async () => {
  await createMigratedDatabase(database, 'user');
  // The reset's limits have their own test (on `limited`); here one address sends many requests.
  user = createUserTestService({ databaseUrl: testDatabaseUrl(database), secret: SECRET, rateLimits: { resetPerIp: 1000, resetPerEmail: 1000 } });
  limited = createUserTestService({
    databaseUrl: testDatabaseUrl(database),
    secret: SECRET,
    rateLimits: { resetPerIp: 3, resetPerEmail: 2, tokenInfoPerIp: 2, checkEmailPerIp: 2 },
  });
  api = userApiClient(user);
});

afterAll(async () => {
  await user?.close();
  await limited?.close();
  await dropDatabases([database]);
});

describe('password reset', () => {
  it('answers 202 {ok: true} and mails a single-use link; confirm sets the password and ends every session', async () => {
    const person = await register({ first_name: 'Renée' });
    const email = person.user.email as string;
    const request = await requestReset(`  ${email.toUpperCase()} `);
    expect(request).toMatchObject({ status: 202, body: { ok: true } });
    const [mail] = await user.mailbox(email);
    expect(mail).toMatchObject({ recipient: email, subject: 'Reset your Mobius password', intent: 'password_reset' });
    expect(mail!.body).toMatch(/^Hi Renée,\n/);
    const token = await resetTokenOf(user, email);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only its sha256 is stored with the token.
    expect(await sql('SELECT 1 FROM user_ext.auth_token WHERE token_hash = $1', [token])).toEqual([]);

    const info = await auth('GET', `/token-info?token=${encodeURIComponent(token)}`);
    expect(info.status).toBe(200);
    expect(info.body).toEqual({ valid: true, purpose: 'reset', expires_at: expect.stringMatching(/Z$/), email_masked: `${email[0]}•••@example.com` });
    const expiresIn = Date.parse(info.body.expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(59 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(60 * 60_000 + 5_000);

    const confirmed = await auth('POST', '/password-reset/confirm', { body: { token: ` ${token} `, new_password: NEW_PASSWORD } });
    expect(confirmed).toMatchObject({ status: 200, body: { ok: true, message: 'Password updated. Please sign in.' } });
    // Every session of the user ended: the refresh token of the registration is refused.
    expect((await api.refresh(person.refresh_token)).status).toBe(401);
    expect((await api.login({ email, password: PASSWORD })).status).toBe(401);
    expect((await api.login({ email, password: NEW_PASSWORD })).status).toBe(200);

    // Single use.
    expectError(await auth('POST', '/password-reset/confirm', { body: { token, new_password: 'yet another one' } }), 400, 'token_consumed');
    expect((await auth('GET', `/token-info?token=${encodeURIComponent(token)}`)).body).toMatchObject({
      valid: false,
      purpose: 'reset',
      error: 'token_consumed',
    });
  });

  it('answers the same 202 for an unknown email, an inactive user or an empty email, and mails nothing', async () => {
    const unknown = freshEmail('nobody');
    expect(await requestReset(unknown)).toMatchObject({ status: 202, body: { ok: true } });
    const disabled = await register();
    await sql(`UPDATE app_user SET status = 'disabled' WHERE user_id = $1`, [disabled.user.user_id]);
    expect(await requestReset(disabled.user.email)).toMatchObject({ status: 202, body: { ok: true } });
    expect(await requestReset('')).toMatchObject({ status: 202, body: { ok: true } });
    await user.settled();
    expect(await user.mailbox(unknown)).toEqual([]);
    expect(await user.mailbox(disabled.user.email)).toEqual([]);
  });

  it('a newer request kills the older link; an expired link is refused', async () => {
    const person = await register();
    const email = person.user.email as string;
    await requestReset(email);
    const first = await resetTokenOf(user, email);
    await requestReset(email);
    const second = await resetTokenOf(user, email);
    expect(second).not.toBe(first);
    expectError(await auth('POST', '/password-reset/confirm', { body: { token: first, new_password: NEW_PASSWORD } }), 400, 'token_consumed');
    await sql(
      `UPDATE user_ext.auth_token SET expires_at = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE user_id = $1 AND consumed_at IS NULL`,
      [person.user.user_id],
    );
    expectError(await auth('POST', '/password-reset/confirm', { body: { token: second, new_password: NEW_PASSWORD } }), 400, 'token_expired');
    expect((await auth('GET', `/token-info?token=${encodeURIComponent(second)}`)).body).toMatchObject({ valid: false, error: 'token_expired' });
    expect((await api.login({ email, password: PASSWORD })).status).toBe(200);
  });

  it('refuses a weak or over-long password before looking at the token, and unknown tokens', async () => {
    expectError(await auth('POST', '/password-reset/confirm', { body: { token: 'whatever', new_password: 'short' } }), 400, 'weak_password');
    expectError(
      await auth('POST', '/password-reset/confirm', { body: { token: 'whatever', new_password: 'é'.repeat(40) } }),
      400,
      'Password must be at most 72 bytes',
    );
    expectError(await auth('POST', '/password-reset/confirm', { body: { token: 'not-a-token', new_password: NEW_PASSWORD } }), 400, 'token_invalid');
    expectError(await auth('POST', '/password-reset/confirm', { body: { token: '', new_password: NEW_PASSWORD } }), 400, 'token_invalid');
    // A hand-off code is not a reset token.
    const person = await register();
    const { code } = (await auth('POST', '/handoff/mint', { token: person.access_token })).body;
    expectError(await auth('POST', '/password-reset/confirm', { body: { token: code, new_password: NEW_PASSWORD } }), 400, 'token_invalid');
  });

  it('answers 422 for bodies of the wrong shape, never 500', async () => {
    for (const body of [{}, { email: 5 }, [], 'text', { email: 'x'.repeat(300) }]) {
      const response = await auth('POST', '/password-reset/request', { body });
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(Array.isArray(response.body.detail)).toBe(true);
    }
    for (const body of [
      { token: 'x' },
      { new_password: NEW_PASSWORD },
      { token: 1, new_password: NEW_PASSWORD },
      { token: 'x'.repeat(600), new_password: NEW_PASSWORD },
    ]) {
      expect((await auth('POST', '/password-reset/confirm', { body })).status, JSON.stringify(body)).toBe(422);
    }
    expect((await auth('POST', '/password-reset/request', { raw: '{"email":' })).status).toBe(422);
    expect((await auth('POST', '/password-reset/confirm', { body: { token: 'a\u0000b', new_password: NEW_PASSWORD } })).status).toBe(400);
    expect((await auth('POST', '/password-reset/request', { body: { email: '\ud800@example.com' } })).status).toBe(400);
  });

  it('is rate limited per address and per email, silently: still 202, but nothing more is sent', async () => {
    const person = await register();
    const email = person.user.email as string;
    // Per email (2 per window), from different addresses.
    for (const address of ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4']) {
      expect(await requestReset(email, { service: limited, remoteAddress: address })).toMatchObject({ status: 202, body: { ok: true } });
    }
    expect(await limited.mailbox(email)).toHaveLength(2);
    // Per address (3 per window), for different emails.
    const others = [await register(), await register(), await register(), await register()];
    for (const other of others) {
      expect((await requestReset(other.user.email, { service: limited, remoteAddress: '10.2.0.1' })).status).toBe(202);
    }
    const sent = await Promise.all(others.map(async (other) => (await limited.mailbox(other.user.email)).length));
    expect(sent).toEqual([1, 1, 1, 0]);
  });
});

describe('token-info', () => {
  it('answers an unknown token {valid: false, error: token_invalid}, 422 without a token, and is rate limited per address', async () => {
    expect(await auth('GET', '/token-info?token=nothing-like-it')).toMatchObject({ status: 200, body: { valid: false, error: 'token_invalid' } });
    const missing = await auth('GET', '/token-info');
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toMatchObject({ type: 'missing', loc: ['query', 'token'] });
    const other = userApiClient(limited);
    for (let i = 0; i < 2; i += 1)
      expect((await other.call('GET', '/api/v1/auth/token-info?token=x', { remoteAddress: '10.3.0.1' })).status).toBe(200);
    const refused = await other.call('GET', '/api/v1/auth/token-info?token=x', { remoteAddress: '10.3.0.1' });
    expectError(refused, 429, 'Too many requests');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('hand-off codes', () => {
  it('mints a 60-second single-use code for the Bearer user, redeemed once for a full session', async () => {
    const person = await register({ display_name: 'Hand Off' });
    const minted = await auth('POST', '/handoff/mint', { token: person.access_token });
    expect(minted.status).toBe(200);
    expect(minted.body).toEqual({ ok: true, code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expires_in: 60 });
    const second = (await auth('POST', '/handoff/mint', { token: person.access_token })).body.code;
    const redeemed = await auth('POST', '/handoff/redeem', { body: { code: minted.body.code } });
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    expect(redeemed.body).toMatchObject({
      ok: true,
      token_type: 'bearer',
      expires_in: 3600,
      user: { user_id: person.user.user_id, display_name: 'Hand Off' },
    });
    expect((await api.me(redeemed.body.access_token)).status).toBe(200);
    expectError(await auth('POST', '/handoff/redeem', { body: { code: minted.body.code } }), 400, 'token_consumed');
    // Codes do not void each other: the second still works.
    expect((await auth('POST', '/handoff/redeem', { body: { code: second } })).status).toBe(200);
  });

  it('refuses unknown, expired codes and codes of a deactivated user; minting needs a valid access token', async () => {
    expectError(await auth('POST', '/handoff/redeem', { body: { code: 'nope' } }), 400, 'token_invalid');
    const person = await register();
    const { code } = (await auth('POST', '/handoff/mint', { token: person.access_token })).body;
    await sql(`UPDATE app_user SET status = 'disabled' WHERE user_id = $1`, [person.user.user_id]);
    expectError(await auth('POST', '/handoff/redeem', { body: { code } }), 400, 'user_inactive');
    const other = await register();
    const late = (await auth('POST', '/handoff/mint', { token: other.access_token })).body.code;
    await sql(`UPDATE user_ext.auth_token SET expires_at = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE user_id = $1`, [
      other.user.user_id,
    ]);
    expectError(await auth('POST', '/handoff/redeem', { body: { code: late } }), 400, 'token_expired');
    for (const token of [undefined, 'x.y.z', other.refresh_token]) {
      expectError(await auth('POST', '/handoff/mint', token === undefined ? {} : { token }), 401, 'Unauthorized');
    }
    expect((await auth('POST', '/handoff/redeem', { body: { code: 7 } })).status).toBe(422);
  });
});

describe('check-email and activities', () => {
  it('tells whether the tenant has an active user with this email, with its names', async () => {
    const person = await register({ display_name: 'Checked Person', first_name: 'Checked' });
    expect(await auth('POST', '/check-email', { body: { email: ` ${person.user.email.toUpperCase()} ` } })).toMatchObject({
      status: 200,
      body: { ok: true, exists: true, user: { display_name: 'Checked Person', first_name: 'Checked', is_onboarded: false } },
    });
    expect((await auth('POST', '/check-email', { body: { email: freshEmail() } })).body).toEqual({ ok: true, exists: false });
    expect((await auth('POST', '/check-email', { body: { email: person.user.email, tenant_id: randomUUID() } })).body).toEqual({
      ok: true,
      exists: false,
    });
    expectError(await auth('POST', '/check-email', { body: { email: '  ' } }), 400, 'Email is required');
    expect((await auth('POST', '/check-email', { body: {} })).status).toBe(422);
    const other = userApiClient(limited);
    for (let i = 0; i < 2; i += 1)
      expect((await other.call('POST', '/api/v1/auth/check-email', { body: { email: 'a@b.co' }, remoteAddress: '10.4.0.1' })).status).toBe(200);
    expectError(
      await other.call('POST', '/api/v1/auth/check-email', { body: { email: 'a@b.co' }, remoteAddress: '10.4.0.1' }),
      429,
      'Too many requests',
    );
  });

  it('lists the active activities in display order, without authentication', async () => {
    const response = await auth('GET', '/activities');
    expect(response.status).toBe(200);
    expect(response.body.ok).toBe(true);
    expect(response.body.activities[0]).toEqual({
      activity_code: 'schedule_appointments',
      label: 'Schedule appointments',
      description: 'Book, reschedule and confirm patient appointments',
    });
    expect(response.body.activities).toHaveLength(9);
  });
});

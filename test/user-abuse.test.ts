// mobius-user under abuse and bad input, on a real Postgres: no account enumeration, login rate
// limits per email and per client address, registration limits per address and for the process, the
// bounded bcrypt queue (429 with retry-after while logins are still answered), one user from
// concurrent registrations of one email, and logs that never hold a password, a hash or a token.
import { createHash, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshEmail as uniqueEmail, userApiClient } from '../services/user/src/testing/client.ts';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../services/user/src/config.ts';
import { createUserTestService, type UserTestService } from '../services/user/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const SECRET = 'user-abuse-test-secret';
const PASSWORD = 'a long enough password';
const database = uniqueName('user_abuse');
const services: UserTestService[] = [];

/** A user service on the test database; closed after the file. */
function service(options: Partial<Parameters<typeof createUserTestService>[0]> = {}) {
  const created = createUserTestService({ databaseUrl: testDatabaseUrl(database), secret: SECRET, ...options });
  services.push(created);
  return created;
}

/** A JSON body (or, given a string, a raw one) posted to `url`. */
function post(app: UserTestService, url: string, body: unknown, options: { remoteAddress?: string; headers?: Record<string, string> } = {}) {
  const payload = typeof body === 'string' ? { raw: body } : { body };
  return userApiClient(app).call('POST', url, { ...payload, ...options });
}

const freshEmail = () => uniqueEmail('abuse');

async function registerUser(app: UserTestService, email = freshEmail()) {
  const response = await post(app, '/api/v1/auth/register', { email, password: PASSWORD });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

beforeAll(async () => {
  await createMigratedDatabase(database, 'user');
});

afterAll(async () => {
  for (const created of services) await created.close();
  await dropDatabases([database]);
});

describe('account enumeration', () => {
  it('answers an unknown email, a wrong password and a disabled account identically', async () => {
    const app = service();
    const registered = await registerUser(app);
    const disabled = await registerUser(app);
    await queryDatabase(database, `UPDATE app_user SET status = 'disabled' WHERE user_id = $1`, [disabled.user.user_id]);
    const answers = [
      await post(app, '/api/v1/auth/login', { email: freshEmail(), password: PASSWORD }),
      await post(app, '/api/v1/auth/login', { email: registered.user.email, password: 'not the password' }),
      await post(app, '/api/v1/auth/login', { email: disabled.user.email, password: PASSWORD }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ detail: 'Invalid email or password' });
    }
  });
});

describe('login rate limits', () => {
  const limits = (over: Partial<RateLimits>): Partial<RateLimits> => ({ ...DEFAULT_RATE_LIMITS, ...over });
  const login = (app: UserTestService, email: string, password: string, remoteAddress = '10.0.0.1', headers: Record<string, string> = {}) =>
    post(app, '/api/v1/auth/login', { email, password }, { remoteAddress, headers });

  it('refuses the attempts on one email over the limit with 429, whatever the address or spelling', async () => {
    const app = service({ rateLimits: limits({ loginPerEmail: 3, loginPerIp: 100 }) });
    const target = await registerUser(app);
    const email = target.user.email as string;
    for (const [spelling, address] of [
      [email, '10.0.0.1'],
      [` ${email.toUpperCase()}`, '10.0.0.2'],
      [email, '10.0.0.3'],
    ] as const) {
      expect((await login(app, spelling, 'guess', address)).status).toBe(401);
    }
    const limited = await login(app, email, PASSWORD, '10.0.0.4');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ detail: 'Too many requests' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another account is not affected.
    const other = await registerUser(app);
    expect((await login(app, other.user.email, PASSWORD, '10.0.0.4')).status).toBe(200);
  });

  it('refuses the attempts from one address over the limit with 429, whatever the email', async () => {
    const app = service({ rateLimits: limits({ loginPerEmail: 100, loginPerIp: 3 }) });
    const target = await registerUser(app);
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await login(app, freshEmail(), 'guess', '10.1.1.1')).status).toBe(401);
    const limited = await login(app, target.user.email, PASSWORD, '10.1.1.1');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ detail: 'Too many requests' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // A malformed body from that address is refused by the limit too: it is counted before the body is read.
    expect((await post(app, '/api/v1/auth/login', 'not json', { remoteAddress: '10.1.1.1' })).status).toBe(429);
    expect((await login(app, target.user.email, PASSWORD, '10.1.1.2')).status).toBe(200);
  });

  it('behind a trusted proxy, counts the address the proxy saw, not what the client wrote', async () => {
    const app = service({ rateLimits: limits({ loginPerEmail: 100, loginPerIp: 2 }), trustedProxyHops: 1 });
    const proxy = '10.9.9.9';
    const from = (client: string, spoofed = randomUUID()) => ({ 'x-forwarded-for': `${spoofed}, ${client}` });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect((await login(app, freshEmail(), 'guess', proxy, from('203.0.113.7'))).status).toBe(401);
    }
    expect((await login(app, freshEmail(), 'guess', proxy, from('203.0.113.7'))).status).toBe(429);
    expect((await login(app, freshEmail(), 'guess', proxy, from('203.0.113.8'))).status).toBe(401);
  });
});

describe('registration limits and the bcrypt queue', () => {
  const register = (app: UserTestService, remoteAddress: string) =>
    post(app, '/api/v1/auth/register', { email: freshEmail(), password: PASSWORD }, { remoteAddress });

  it('refuses registrations from one address over its limit, and from all addresses over the global one, with 429 and retry-after', async () => {
    const app = service({ rateLimits: { registerPerIp: 2, registerGlobal: 3 } });
    expect((await register(app, '10.2.0.1')).status).toBe(200);
    expect((await register(app, '10.2.0.1')).status).toBe(200);
    const perAddress = await register(app, '10.2.0.1');
    expect(perAddress).toMatchObject({ status: 429, body: { detail: 'Too many requests' } });
    expect(Number(perAddress.headers['retry-after'])).toBeGreaterThan(0);
    expect((await register(app, '10.2.0.2')).status).toBe(200);
    const global = await register(app, '10.2.0.3');
    expect(global.status).toBe(429);
    expect(Number(global.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('hashes one password at a time; a flood beyond the queue gets 429 with retry-after while logins are still answered', async () => {
    const app = service({ passwordHashing: { concurrency: 1, maxQueued: 2 } });
    const member = await registerUser(app);
    const flood = Array.from({ length: 40 }, (_, i) => register(app, `10.3.${Math.floor(i / 200)}.${i % 200}`));
    const logins = Array.from({ length: 3 }, () => post(app, '/api/v1/auth/login', { email: member.user.email, password: PASSWORD }));
    const [answers, loginAnswers] = await Promise.all([Promise.all(flood), Promise.all(logins)]);
    const statuses = answers.map((a) => a.status);
    // One running and two waiting are hashed; the rest are refused at once, before any bcrypt work.
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(37);
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.body).toEqual({ detail: 'Too many requests' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(loginAnswers.map((a) => a.status)).toEqual([200, 200, 200]);
    // Once the queue has drained, registration is open again.
    expect((await register(app, '10.3.9.9')).status).toBe(200);
  });
});

describe('concurrent registration of one email', () => {
  it('creates exactly one user: one 200, the others 400 "Email already registered"', async () => {
    const app = service({ passwordHashing: { concurrency: 1, maxQueued: 10 } });
    const email = freshEmail();
    const spellings = [email, email.toUpperCase(), ` ${email}`, email, `${email} `];
    const answers = await Promise.all(spellings.map((spelling) => post(app, '/api/v1/auth/register', { email: spelling, password: PASSWORD })));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400]);
    for (const answer of answers.filter((a) => a.status === 400)) expect(answer.body).toEqual({ detail: 'Email already registered' });
    expect(await queryDatabase(database, 'SELECT count(*)::int AS n FROM app_user WHERE lower(email) = $1', [email])).toEqual([{ n: 1 }]);
    expect(await queryDatabase(database, 'SELECT count(*)::int AS n FROM auth_provider_link WHERE email = $1', [email])).toEqual([{ n: 1 }]);
  });
});

describe('logs', () => {
  it('hold no password, password hash, token or token hash, at any level', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write: (chunk, _encoding, done) => {
        lines.push(String(chunk));
        done();
      },
    });
    const app = service({ logger: pino({ level: 'trace' }, stream), rateLimits: { loginPerEmail: 2, loginPerIp: 100 } });
    const passwords = [PASSWORD, 'Wrong-Password-123', 'short7!', 'password-in-broken-json'];
    const email = freshEmail();
    const registered = await registerUser(app, email);
    const loggedIn = await post(app, '/api/v1/auth/login', { email, password: PASSWORD });
    await post(app, '/api/v1/auth/login', { email, password: passwords[1] });
    await post(app, '/api/v1/auth/login', { email, password: passwords[1] }); // rate limited
    await post(app, '/api/v1/auth/register', { email: freshEmail(), password: passwords[2] });
    await post(app, '/api/v1/auth/register', `{"email": "${freshEmail()}", "password": "${passwords[3]}"`);
    await post(app, '/api/v1/auth/refresh', { refresh_token: registered.refresh_token });
    await app.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${loggedIn.body.access_token}` } });
    await app.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${registered.refresh_token}` } });
    await post(app, '/api/v1/auth/logout', { refresh_token: loggedIn.body.refresh_token });
    await post(app, '/api/v1/auth/refresh', { refresh_token: loggedIn.body.refresh_token });

    const logged = lines.join('');
    // The requests were logged (so the checks below look at something) ...
    expect(logged).toContain('/api/v1/auth/login');
    expect(logged).toContain('rate limit exceeded');
    // ... and none of the secrets.
    const hashes = (await queryDatabase<{ password_hash: string }>(database, 'SELECT password_hash FROM app_user WHERE email = $1', [email])).map(
      (row) => row.password_hash,
    );
    const tokens = [registered.access_token, registered.refresh_token, loggedIn.body.access_token, loggedIn.body.refresh_token] as string[];
    const secrets = [
      ...passwords,
      ...hashes,
      ...tokens.flatMap((token) => token.split('.').slice(1)),
      ...tokens.map((token) => createHash('sha256').update(token).digest('hex')),
      SECRET,
    ];
    expect(hashes).toHaveLength(1);
    for (const secret of secrets) expect(logged, `a secret was logged: ${secret.slice(0, 12)}...`).not.toContain(secret);
  });
});

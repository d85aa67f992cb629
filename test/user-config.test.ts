// mobius-user's configuration and process: the variables it reads (a missing JWT_SECRET is a start-up
// error, never a default), and `mobius start user` serving the API on a real Postgres until SIGTERM.
import { spawn } from 'node:child_process';
import { ConfigError } from '@mobius/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_DEFAULTS, loadUserServiceConfig } from '../services/user/src/config.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { startServiceProcess, stopServiceProcess } from './support/processes.ts';

const database = uniqueName('user_proc');

function configError(env: Record<string, string>): ConfigError {
  try {
    loadUserServiceConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

beforeAll(async () => {
  await createMigratedDatabase(database, 'user');
});

afterAll(async () => {
  await dropDatabases([database]);
});

describe('loadUserServiceConfig', () => {
  it('applies the defaults: port 8003, 60-minute tokens and 7-day refresh tokens, the rate limits, one hash at a time, no Google, no key', () => {
    const config = loadUserServiceConfig({ JWT_SECRET: 's', USER_DATABASE_URL: 'postgresql://u@db:5432/users' });
    expect(config.runtime.port).toBe(8003);
    expect(config.user).toMatchObject({ databaseUrl: 'postgresql://u@db:5432/users', jwtSecret: 's', accessTokenMinutes: 60, refreshTokenDays: 7 });
    expect(config.rateLimits).toEqual({
      loginPerEmail: 10,
      loginPerIp: 30,
      loginWindowMs: 60_000,
      registerPerIp: 5,
      registerGlobal: 100,
      registerWindowMs: 600_000,
      googlePerIp: 30,
      googleWindowMs: 60_000,
      resetPerIp: 5,
      resetPerEmail: 5,
      resetWindowMs: 900_000,
      tokenInfoPerIp: 30,
      tokenInfoWindowMs: 300_000,
      checkEmailPerIp: 30,
      checkEmailWindowMs: 60_000,
    });
    expect(config.mail).toEqual({ mailer: { kind: 'outbox' }, setPasswordUrlBase: null, resetTtlSeconds: 3600, inviteTtlSeconds: 7 * 86_400 });
    expect(config.passwordHashing).toEqual({ concurrency: 1, maxQueued: 4 });
    expect(config.google).toBeNull();
    expect(config.directoryAccess).toEqual({ internalKey: null, adminEmails: new Set() });
    expect(config.trustedProxyHops).toBe(USER_DEFAULTS.trustedProxyHops);
  });

  it('reads every variable', () => {
    const config = loadUserServiceConfig({
      JWT_SECRET: 's',
      JWT_ACCESS_TOKEN_EXPIRE_MINUTES: '15',
      JWT_REFRESH_TOKEN_EXPIRE_DAYS: '30',
      USER_LOGIN_RATE_LIMIT_PER_EMAIL: '5',
      USER_LOGIN_RATE_LIMIT_PER_IP: '50',
      USER_LOGIN_RATE_LIMIT_WINDOW_SECONDS: '300',
      USER_TRUSTED_PROXY_HOPS: '1',
      USER_REGISTER_RATE_LIMIT_PER_IP: '3',
      USER_REGISTER_RATE_LIMIT_GLOBAL: '40',
      USER_REGISTER_RATE_LIMIT_WINDOW_SECONDS: '60',
      USER_GOOGLE_RATE_LIMIT_PER_IP: '7',
      USER_PASSWORD_HASH_CONCURRENCY: '2',
      USER_PASSWORD_HASH_QUEUE: '0',
      GOOGLE_CLIENT_ID: 'web-client.apps.googleusercontent.com',
      GOOGLE_JWKS_URL: 'http://127.0.0.1:9/certs',
      MOBIUS_USER_INTERNAL_KEY: 'an-internal-key-of-some-length',
      MOBIUS_USER_ADMIN_EMAILS: ' Admin@Example.com, ops@example.com ,',
      USER_RESET_RATE_LIMIT_PER_IP: '2',
      USER_RESET_RATE_LIMIT_PER_EMAIL: '3',
      USER_RESET_RATE_LIMIT_WINDOW_SECONDS: '120',
      USER_TOKEN_INFO_RATE_LIMIT_PER_IP: '4',
      USER_CHECK_EMAIL_RATE_LIMIT_PER_IP: '6',
      MOBIUS_RESET_TTL_MINUTES: '15',
      MOBIUS_INVITE_TTL_DAYS: '2',
      MOBIUS_SET_PASSWORD_URL_BASE: 'https://app.example.com/set-password',
      USER_MAILER: 'smtp',
      USER_SMTP_URL: 'smtp://mailer:secret@127.0.0.1:2525',
      USER_MAIL_FROM: 'Mobius <accounts@example.com>',
      PORT: '9000',
    });
    expect(config.user).toMatchObject({ accessTokenMinutes: 15, refreshTokenDays: 30 });
    expect(config.rateLimits).toMatchObject({
      loginPerEmail: 5,
      loginPerIp: 50,
      loginWindowMs: 300_000,
      registerPerIp: 3,
      registerGlobal: 40,
      registerWindowMs: 60_000,
      googlePerIp: 7,
      resetPerIp: 2,
      resetPerEmail: 3,
      resetWindowMs: 120_000,
      tokenInfoPerIp: 4,
      checkEmailPerIp: 6,
    });
    expect(config.mail).toEqual({
      mailer: { kind: 'smtp', url: 'smtp://mailer:secret@127.0.0.1:2525', from: 'Mobius <accounts@example.com>' },
      setPasswordUrlBase: 'https://app.example.com/set-password',
      resetTtlSeconds: 900,
      inviteTtlSeconds: 2 * 86_400,
    });
    expect(config.passwordHashing).toEqual({ concurrency: 2, maxQueued: 0 });
    expect(config.google).toEqual({ clientId: 'web-client.apps.googleusercontent.com', jwksUrl: 'http://127.0.0.1:9/certs' });
    expect(config.directoryAccess).toEqual({
      internalKey: 'an-internal-key-of-some-length',
      adminEmails: new Set(['admin@example.com', 'ops@example.com']),
    });
    expect(config.trustedProxyHops).toBe(1);
    expect(config.runtime.port).toBe(9000);
  });

  it('refuses a missing or empty JWT_SECRET and bad values, naming the variable', () => {
    expect(configError({}).variable).toBe('JWT_SECRET');
    expect(configError({ JWT_SECRET: '' }).variable).toBe('JWT_SECRET');
    expect(configError({ JWT_SECRET: 's', USER_LOGIN_RATE_LIMIT_PER_EMAIL: '0' }).variable).toBe('USER_LOGIN_RATE_LIMIT_PER_EMAIL');
    expect(configError({ JWT_SECRET: 's', USER_LOGIN_RATE_LIMIT_WINDOW_SECONDS: 'soon' }).variable).toBe('USER_LOGIN_RATE_LIMIT_WINDOW_SECONDS');
    expect(configError({ JWT_SECRET: 's', USER_TRUSTED_PROXY_HOPS: '-1' }).variable).toBe('USER_TRUSTED_PROXY_HOPS');
    expect(configError({ JWT_SECRET: 's', JWT_ACCESS_TOKEN_EXPIRE_MINUTES: '0' }).variable).toBe('JWT_ACCESS_TOKEN_EXPIRE_MINUTES');
    expect(configError({ JWT_SECRET: 's', USER_PASSWORD_HASH_CONCURRENCY: '0' }).variable).toBe('USER_PASSWORD_HASH_CONCURRENCY');
    expect(configError({ JWT_SECRET: 's', GOOGLE_JWKS_URL: 'not a url' }).variable).toBe('GOOGLE_JWKS_URL');
    expect(configError({ JWT_SECRET: 's', MOBIUS_USER_INTERNAL_KEY: 'short' }).variable).toBe('MOBIUS_USER_INTERNAL_KEY');
    expect(configError({ JWT_SECRET: 's', USER_MAILER: 'pigeon' }).variable).toBe('USER_MAILER');
    expect(configError({ JWT_SECRET: 's', USER_MAILER: 'smtp' }).variable).toBe('USER_SMTP_URL');
    expect(configError({ JWT_SECRET: 's', USER_MAILER: 'smtp', USER_SMTP_URL: 'http://127.0.0.1:25' }).variable).toBe('USER_SMTP_URL');
    expect(configError({ JWT_SECRET: 's', MOBIUS_SET_PASSWORD_URL_BASE: 'javascript:alert(1)' }).variable).toBe('MOBIUS_SET_PASSWORD_URL_BASE');
    expect(configError({ JWT_SECRET: 's', USER_RESET_RATE_LIMIT_PER_EMAIL: '0' }).variable).toBe('USER_RESET_RATE_LIMIT_PER_EMAIL');
    expect(configError({ JWT_SECRET: 's', MOBIUS_RESET_TTL_MINUTES: 'an hour' }).variable).toBe('MOBIUS_RESET_TTL_MINUTES');
  });
});

describe('mobius start user', () => {
  it('refuses to start without JWT_SECRET, naming it', async () => {
    const child = spawn(process.execPath, ['bin/mobius.js', 'start', 'user'], {
      env: { PATH: process.env.PATH ?? '', USER_DATABASE_URL: testDatabaseUrl(database), PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(output).toContain('JWT_SECRET is required');
    expect(output).not.toContain('listening');
  });

  it('serves /health and the auth API, mails a password reset to its outbox, and stops cleanly on SIGTERM', async () => {
    const service = await startServiceProcess('user', {
      USER_DATABASE_URL: testDatabaseUrl(database),
      JWT_SECRET: 'process-secret',
      MOBIUS_SET_PASSWORD_URL_BASE: 'https://app.example.com/set-password',
    });
    try {
      expect(await (await fetch(`${service.url}/health`)).json()).toEqual({ ok: true, status: 'ok' });
      const registered = await fetch(`${service.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'process@example.com', password: 'process-password' }),
      });
      expect(registered.status).toBe(200);
      const { access_token: token } = (await registered.json()) as { access_token: string };
      const me = await fetch(`${service.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ ok: true, user: { email: 'process@example.com' } });
      const reset = await fetch(`${service.url}/api/v1/auth/password-reset/request`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'Process@Example.com' }),
      });
      expect(reset.status).toBe(202);
      expect(await reset.json()).toEqual({ ok: true });
      let mails: Array<Record<string, string>> = [];
      for (let attempt = 0; attempt < 50 && mails.length === 0; attempt += 1) {
        mails = await queryDatabase(database, `SELECT subject, body FROM user_ext.mail_outbox WHERE recipient = 'process@example.com'`);
        if (mails.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe('Reset your Mobius password');
      expect(mails[0]!.body).toMatch(/https:\/\/app\.example\.com\/set-password\?token=[A-Za-z0-9_-]{43}\n/);
    } finally {
      expect(await stopServiceProcess(service)).toBe(0);
    }
    expect(service.logs.join('\n')).not.toContain('process-password');
    expect(service.logs.join('\n')).not.toMatch(/token=/);
  });
});

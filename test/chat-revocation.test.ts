// chat's AUTH_CHECK_USER_ACTIVE (docs/security.md "Revocation") on a real mobius-user database: with it
// on, POST /v1/search refuses a valid token of a user who is not active (deactivated, or absent) with
// 401 USER_INACTIVE, at most the cache's lifetime after the deactivation; with it off (the default)
// the same token is still admitted, as chat's contract says. The config refuses the switch without
// USER_DATABASE_URL.
import { randomUUID } from 'node:crypto';
import { cachedUserDirectory, createTokenService, postgresUserDirectory } from '@mobius/auth';
import { ConfigError } from '@mobius/config';
import { createPool } from '@mobius/db';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChatServiceConfig } from '../services/chat/src/config.ts';
import { createService } from '../services/chat/src/service.ts';
import { createVectorIndex } from '@mobius/vector-index';
import { createChatTestService, type ChatTestService } from '../services/chat/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { createTestUserDatabase, type TestUserDatabase } from './support/user-database.ts';

const DIMENSIONS = 16;
const SECRET = 'chat-revocation-test-secret';
/** The test's cache lifetime: short, so the deactivation shows within the test (production: a minute). */
const CACHE_TTL_MS = 300;
const tokens = createTokenService({ secret: SECRET });
const chatDatabase = uniqueName('chat_revoke');
let users: TestUserDatabase;
let userPool: pg.Pool;
let checking: ChatTestService;
let unchecked: ChatTestService;

const search = (service: ChatTestService, userId: string) =>
  service.app.inject({
    method: 'POST',
    url: '/v1/search',
    headers: { authorization: `Bearer ${tokens.mintAccessToken({ userId, tenantId: randomUUID() })}` },
    payload: { query: 'prior authorization' },
  });

beforeAll(async () => {
  users = await createTestUserDatabase('chat_revoke_user');
  await createMigratedDatabase(chatDatabase, 'chat');
  userPool = createPool(users.url, { applicationName: 'chat-revocation-test', max: 2 });
  const activeUsers = cachedUserDirectory(postgresUserDirectory(userPool), { ttlMs: CACHE_TTL_MS });
  checking = await createChatTestService({ databaseUrl: testDatabaseUrl(chatDatabase), dimensions: DIMENSIONS, secret: SECRET, activeUsers });
  unchecked = await createChatTestService({ databaseUrl: testDatabaseUrl(chatDatabase), dimensions: DIMENSIONS, secret: SECRET });
});

afterAll(async () => {
  await checking?.close();
  await unchecked?.close();
  await userPool?.end();
  await dropDatabases([chatDatabase]);
  await users?.drop();
});

describe('AUTH_CHECK_USER_ACTIVE on', () => {
  it('admits an active user, and refuses the same token with 401 USER_INACTIVE once the user is deactivated (within the cache bound)', async () => {
    const userId = await users.addUser({ email: `${randomUUID()}@example.com` });
    expect((await search(checking, userId)).statusCode).toBe(200);
    await users.setStatus(userId, 'inactive');
    const deactivatedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, CACHE_TTL_MS + 50));
    const refused = await search(checking, userId);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: { code: 'USER_INACTIVE', message: expect.any(String) } });
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(Date.now() - deactivatedAt).toBeLessThan(60_000);
    await users.setStatus(userId, 'active');
    await new Promise((resolve) => setTimeout(resolve, CACHE_TTL_MS + 50));
    expect((await search(checking, userId)).statusCode).toBe(200);
  });

  it('refuses a valid token whose user does not exist in the user database', async () => {
    const refused = await search(checking, randomUUID());
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('USER_INACTIVE');
  });

  it('still refuses a bad token first (401 of the validator), before any lookup', async () => {
    const response = await checking.app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: { authorization: 'Bearer a.b.c' },
      payload: { query: 'x' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('TOKEN_MALFORMED');
  });
});

describe("AUTH_ACTIVE_USER_CACHE_SECONDS through chat's composition root", () => {
  it('with 0, refuses a deactivated user at once: the status is read on every request', async () => {
    const config = loadChatServiceConfig({
      JWT_SECRET: SECRET,
      CHAT_DATABASE_URL: testDatabaseUrl(chatDatabase),
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      AUTH_CHECK_USER_ACTIVE: 'true',
      USER_DATABASE_URL: users.url,
      AUTH_ACTIVE_USER_CACHE_SECONDS: '0',
      LOG_LEVEL: 'silent',
    });
    const index = await createVectorIndex({ kind: 'memory', dimensions: DIMENSIONS });
    const chat = await createService(config, { index });
    try {
      const userId = await users.addUser({ email: `${randomUUID()}@example.com` });
      const ask = () =>
        chat.app.inject({
          method: 'POST',
          url: '/v1/search',
          headers: { authorization: `Bearer ${tokens.mintAccessToken({ userId, tenantId: randomUUID() })}` },
          payload: { query: 'prior authorization' },
        });
      expect((await ask()).statusCode).toBe(200);
      await users.setStatus(userId, 'inactive');
      expect((await ask()).statusCode).toBe(401);
    } finally {
      await chat.stop();
      await index.close();
    }
  });
});

describe('AUTH_CHECK_USER_ACTIVE off (the default)', () => {
  it("admits a deactivated user's valid token: chat's contract is signature, expiry and type", async () => {
    const userId = await users.addUser({ email: `${randomUUID()}@example.com` });
    await users.setStatus(userId, 'inactive');
    expect((await search(unchecked, userId)).statusCode).toBe(200);
  });

  it('is off unless set, and needs USER_DATABASE_URL when on', () => {
    const base = { JWT_SECRET: SECRET, CHAT_DATABASE_URL: testDatabaseUrl(chatDatabase) };
    expect(loadChatServiceConfig(base).activeUsers).toBeUndefined();
    expect(loadChatServiceConfig({ ...base, AUTH_CHECK_USER_ACTIVE: 'true', USER_DATABASE_URL: users.url }).activeUsers).toEqual({
      userDatabaseUrl: users.url,
      cacheTtlMs: 60_000,
    });
    // AUTH_ACTIVE_USER_CACHE_SECONDS: 0 to 60 (revocation within a minute).
    const cache = (seconds: string) =>
      loadChatServiceConfig({ ...base, AUTH_CHECK_USER_ACTIVE: 'true', USER_DATABASE_URL: users.url, AUTH_ACTIVE_USER_CACHE_SECONDS: seconds });
    expect(cache('0').activeUsers?.cacheTtlMs).toBe(0);
    expect(cache('15').activeUsers?.cacheTtlMs).toBe(15_000);
    expect(() => cache('61')).toThrow(/AUTH_ACTIVE_USER_CACHE_SECONDS/);
    expect(() => cache('a minute')).toThrow(/AUTH_ACTIVE_USER_CACHE_SECONDS/);
    expect(() => loadChatServiceConfig({ ...base, AUTH_CHECK_USER_ACTIVE: 'true' })).toThrow(ConfigError);
    expect(() => loadChatServiceConfig({ ...base, AUTH_CHECK_USER_ACTIVE: 'true' })).toThrow(/USER_DATABASE_URL/);
    expect(() => loadChatServiceConfig({ ...base, AUTH_CHECK_USER_ACTIVE: 'yes' })).toThrow(/AUTH_CHECK_USER_ACTIVE/);
  });
});

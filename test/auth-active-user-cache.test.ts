// AUTH_ACTIVE_USER_CACHE_SECONDS: how long the guard of every API (loadHttpAuthConfig ->
// createServiceAccess, here on rag's API) reuses a person's status read from mobius-user's database.
// 0 to 60 (default 60: revocation within a minute); a deactivated user's token is refused once the
// cache lifetime has passed, on a real user database.
import { createTokenService } from '@mobius/auth';
import { ConfigError, loadHttpAuthConfig } from '@mobius/config';
import { createLogger, createServiceAccess, type ServiceAccess } from '@mobius/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRagTestService, type RagTestService } from '../services/rag/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { createTestUserDatabase, type TestUserDatabase } from './support/user-database.ts';

const SECRET = 'active-user-cache-secret';
const TENANT = '00000000-0000-0000-0000-000000000001';
const tokens = createTokenService({ secret: SECRET, accessTokenMinutes: 60 });
const ragDatabase = uniqueName('cache_rag');
let users: TestUserDatabase;
const opened: Array<{ rag: RagTestService; access: ServiceAccess }> = [];

const env = (extra: Record<string, string> = {}) => ({
  JWT_SECRET: SECRET,
  USER_DATABASE_URL: users?.url ?? 'postgresql://u@db:5432/users',
  AUTH_ALLOWED_EMAILS: 'ops@example.com',
  ...extra,
});

function guardedRag(cacheSeconds: string): RagTestService {
  const access = createServiceAccess(loadHttpAuthConfig('rag', env({ AUTH_ACTIVE_USER_CACHE_SECONDS: cacheSeconds })), {
    applicationName: 'cache-test',
    logger: createLogger('cache-test', 'silent'),
  });
  const rag = createRagTestService({ databaseUrl: testDatabaseUrl(ragDatabase), dimensions: 8, access: access.policy });
  opened.push({ rag, access });
  return rag;
}

const status = async (rag: RagTestService, userId: string) =>
  (
    await rag.app.inject({
      method: 'GET',
      url: '/documents',
      headers: { authorization: `Bearer ${tokens.mintAccessToken({ userId, tenantId: TENANT })}` },
    })
  ).statusCode;

beforeAll(async () => {
  users = await createTestUserDatabase('cache_users');
  await createMigratedDatabase(ragDatabase, 'rag');
});

afterAll(async () => {
  for (const { rag, access } of opened) {
    await rag.close();
    await access.close();
  }
  await dropDatabases([ragDatabase]);
  await users?.drop();
});

describe('AUTH_ACTIVE_USER_CACHE_SECONDS', () => {
  it('defaults to 60 seconds, takes 0 to 60, and refuses anything else naming the variable', () => {
    const people = (extra: Record<string, string>) => {
      const config = loadHttpAuthConfig('rag', env(extra));
      if (config.mode !== 'required' || !config.people) throw new Error('expected people');
      return config.people.activeUserCacheMs;
    };
    expect(people({})).toBe(60_000);
    expect(people({ AUTH_ACTIVE_USER_CACHE_SECONDS: '' })).toBe(60_000);
    expect(people({ AUTH_ACTIVE_USER_CACHE_SECONDS: '0' })).toBe(0);
    expect(people({ AUTH_ACTIVE_USER_CACHE_SECONDS: '15' })).toBe(15_000);
    for (const value of ['61', '3600', '-1', '1.5', 'a minute']) {
      let error: unknown;
      try {
        loadHttpAuthConfig('rag', env({ AUTH_ACTIVE_USER_CACHE_SECONDS: value }));
      } catch (caught) {
        error = caught;
      }
      expect(error, value).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable, value).toBe('AUTH_ACTIVE_USER_CACHE_SECONDS');
    }
  });

  it('refuses a deactivated user at once with 0, and only after the lifetime with 1 second', async () => {
    const uncached = guardedRag('0');
    const cached = guardedRag('1');
    const userId = await users.addUser({ email: 'ops@example.com' });
    expect(await status(uncached, userId)).toBe(200);
    expect(await status(cached, userId)).toBe(200);
    await users.setStatus(userId, 'disabled');
    expect(await status(uncached, userId)).toBe(401);
    // Within the second the cached answer stands; after it, the new status is read.
    expect(await status(cached, userId)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await status(cached, userId)).toBe(401);
  });
});

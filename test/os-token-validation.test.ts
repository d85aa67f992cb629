// The os backend validates mobius-user's tokens with JWT_SECRET through @mobius/auth: a token the
// user service issues at register, login and refresh is accepted by `createAccessTokenVerifier`
// (what os holds; it cannot mint) and by an os-style route guarded with `requireAccessToken`; the
// refresh token, a token signed with another secret, one carrying `aud` and one whose `exp` lies
// beyond the configured lifetime (1e308) are not.
import { createAccessTokenVerifier, principalOf, requireAccessToken } from '@mobius/auth';
import { buildServiceApp, createLogger, createMetrics } from '@mobius/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeToken, decodeToken } from '../libs/auth/src/testing/forge.ts';
import { freshEmail, userApiClient } from '../services/user/src/testing/client.ts';
import { createUserTestService, type UserTestService } from '../services/user/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

const SECRET = 'shared-between-user-and-os';
const database = uniqueName('os_tok');
let user: UserTestService;

beforeAll(async () => {
  await createMigratedDatabase(database, 'user');
  user = createUserTestService({ databaseUrl: testDatabaseUrl(database), secret: SECRET });
});

afterAll(async () => {
  await user?.close();
  await dropDatabases([database]);
});

describe('the os validator', () => {
  it("accepts the user service's access tokens (register, login, refresh) and refuses its refresh token and forgeries", async () => {
    const api = userApiClient(user);
    const email = freshEmail('os');
    const registered = await api.register({ email, password: 'correct horse battery' });
    const login = await api.login({ email, password: 'correct horse battery' });
    const refreshed = await api.refresh(login.body.refresh_token);
    const os = createAccessTokenVerifier({ secret: SECRET });
    expect('mintAccessToken' in os).toBe(false);
    for (const token of [registered.body.access_token, login.body.access_token, refreshed.body.access_token]) {
      expect(os.verifyAccessToken(token)).toMatchObject({ userId: registered.body.user.user_id, tenantId: registered.body.user.tenant_id });
    }
    expect(() => os.verifyAccessToken(login.body.refresh_token)).toThrow(expect.objectContaining({ code: 'TOKEN_WRONG_TYPE' }));
    expect(() => createAccessTokenVerifier({ secret: 'another-secret' }).verifyAccessToken(login.body.access_token)).toThrow(
      expect.objectContaining({ code: 'TOKEN_INVALID_SIGNATURE' }),
    );
    const withAud = forgeToken({ ...decodeToken(login.body.access_token).payload, aud: 'os' }, { secret: SECRET });
    expect(() => os.verifyAccessToken(withAud)).toThrow(expect.objectContaining({ code: 'TOKEN_AUD_REFUSED' }));
    const forever = forgeToken({ ...decodeToken(login.body.access_token).payload, exp: 1e308 }, { secret: SECRET });
    expect(() => os.verifyAccessToken(forever)).toThrow(expect.objectContaining({ code: 'TOKEN_CLAIMS_INVALID' }));

    // An os route behind the shared fastify hook.
    const osApp = buildServiceApp({ logger: createLogger('os-test', 'silent'), metrics: createMetrics('os-test'), readiness: [] });
    osApp.get('/api/v1/whoami', { onRequest: requireAccessToken(os) }, async (request) => principalOf(request));
    try {
      const call = (token: string) => osApp.inject({ method: 'GET', url: '/api/v1/whoami', headers: { authorization: `Bearer ${token}` } });
      const admitted = await call(login.body.access_token);
      expect(admitted.statusCode).toBe(200);
      expect(admitted.json()).toMatchObject({ userId: registered.body.user.user_id });
      expect((await call(login.body.refresh_token)).statusCode).toBe(401);
    } finally {
      await osApp.close();
    }
  });
});

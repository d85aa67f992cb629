// The one credential guard (libs/auth credential-guard.ts, docs/security.md) as a deployment configures
// it (loadHttpAuthConfig -> createServiceAccess) on a real service (rag's API) and a real mobius-user
// database: people admitted by email or role, a valid token of an active user without either is a 403
// ACCESS_FORBIDDEN, an inactive or unknown user a 401, an unreadable user database a 503; Google OIDC
// ID tokens minted by the test with its own RSA key, the signer's certificates served by a loopback
// server in the format of Google's certs endpoint: the configured service account is admitted, every
// other token is a 401.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createTokenService } from '@mobius/auth';
import { loadHttpAuthConfig } from '@mobius/config';
import { createLogger, createServiceAccess, type ServiceAccess, type SignerCerts } from '@mobius/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRagTestService, type RagTestService } from '../services/rag/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { mintToken, pushClaims, testSigner } from './support/push-tokens.ts';
import { TEST_SERVICE_TOKEN } from './support/service-token.ts';
import { createTestUserDatabase, type TestUserDatabase } from './support/user-database.ts';

const SECRET = 'credential-guard-test-secret';
const AUDIENCE = 'https://rag.mobius.test';
const CALLER = 'mobius-canary@mobius-test.iam.gserviceaccount.com';
const TENANT = '00000000-0000-0000-0000-000000000001';
const tokens = createTokenService({ secret: SECRET });
const google = testSigner('guard-test-key');
const impostor = testSigner('guard-test-key');
const ragDatabase = uniqueName('guard_rag');
const logger = createLogger('guard-test', 'silent');
let users: TestUserDatabase;
let certsServer: Server;
let certsUrl: string;
const services: Array<{ rag: RagTestService; access: ServiceAccess }> = [];
let guarded: RagTestService;
const people = { byEmail: '', byRole: '', member: '', noRole: '', inactive: '' };

/** The certificates as the guard fetches them: from the loopback stand-in for Google's endpoint. */
const loopbackCerts = async (): Promise<SignerCerts> => (await (await fetch(certsUrl)).json()) as SignerCerts;

/** rag behind the guard `env` configures, as main.ts builds it. */
function guardedRag(env: Record<string, string>): RagTestService {
  const access = createServiceAccess(loadHttpAuthConfig('rag', env), { applicationName: 'guard-test', logger, certs: loopbackCerts });
  const rag = createRagTestService({ databaseUrl: testDatabaseUrl(ragDatabase), dimensions: 8, access: access.policy });
  services.push({ rag, access });
  return rag;
}

const list = (rag: RagTestService, credential: string) =>
  rag.app.inject({ method: 'GET', url: '/documents', headers: { authorization: `Bearer ${credential}` } });
const personToken = (userId: string) => tokens.mintAccessToken({ userId, tenantId: TENANT });
const oidcToken = (overrides: Record<string, unknown> = {}) => mintToken(google, pushClaims(AUDIENCE, CALLER, overrides));

beforeAll(async () => {
  users = await createTestUserDatabase('guard_users');
  people.byEmail = await users.addUser({ email: 'ops@example.com', role: 'member' });
  people.byRole = await users.addUser({ email: `${randomUUID()}@example.com`, role: 'admin' });
  people.member = await users.addUser({ email: `${randomUUID()}@example.com`, role: 'member' });
  people.noRole = await users.addUser({ email: `${randomUUID()}@example.com` });
  people.inactive = await users.addUser({ email: 'ops-left@example.com', role: 'admin' });
  await users.setStatus(people.inactive, 'inactive');
  certsServer = createServer((_request, response) => response.setHeader('content-type', 'application/json').end(JSON.stringify(google.certs)));
  await new Promise<void>((resolve) => certsServer.listen(0, '127.0.0.1', resolve));
  certsUrl = `http://127.0.0.1:${(certsServer.address() as AddressInfo).port}/oauth2/v1/certs`;
  await createMigratedDatabase(ragDatabase, 'rag');
  guarded = guardedRag({
    JWT_SECRET: SECRET,
    USER_DATABASE_URL: users.url,
    AUTH_ALLOWED_EMAILS: 'Ops@Example.com, ops-left@example.com',
    AUTH_ALLOWED_ROLES: 'admin',
    AUTH_OIDC_AUDIENCE: AUDIENCE,
    AUTH_OIDC_SERVICE_ACCOUNTS: CALLER,
    MOBIUS_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
  });
});

afterAll(async () => {
  for (const { rag, access } of services) {
    await rag.close();
    await access.close();
  }
  await new Promise((resolve) => certsServer?.close(resolve));
  await dropDatabases([ragDatabase]);
  await users?.drop();
});

describe('people (mobius-user access tokens)', () => {
  it('admits an active user whose email is allowed (whatever its case in the list) or whose role is', async () => {
    expect((await list(guarded, personToken(people.byEmail))).statusCode).toBe(200);
    expect((await list(guarded, personToken(people.byRole))).statusCode).toBe(200);
  });

  it('refuses a valid token of an active user with neither an allowed email nor an allowed role: 403 ACCESS_FORBIDDEN', async () => {
    for (const userId of [people.member, people.noRole]) {
      const response = await list(guarded, personToken(userId));
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({ error: { code: 'ACCESS_FORBIDDEN', message: expect.any(String) } });
      expect(response.headers['www-authenticate']).toBeUndefined();
    }
  });

  it('refuses an allowed but inactive user, and a user the database does not hold: 401 USER_INACTIVE', async () => {
    for (const userId of [people.inactive, randomUUID()]) {
      const response = await list(guarded, personToken(userId));
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('USER_INACTIVE');
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    }
  });

  it('answers 503 AUTH_UNAVAILABLE, never admitting, when the user database cannot be read', async () => {
    const broken = guardedRag({ JWT_SECRET: SECRET, USER_DATABASE_URL: testDatabaseUrl(uniqueName('guard_absent')), AUTH_ALLOWED_ROLES: 'admin' });
    const response = await list(broken, personToken(people.byRole));
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('AUTH_UNAVAILABLE');
  });
});

describe('services: Google OIDC ID tokens and the service token', () => {
  it('admits an OIDC token of the configured service account for the audience, and the service token', async () => {
    expect((await list(guarded, oidcToken())).statusCode).toBe(200);
    expect((await list(guarded, TEST_SERVICE_TOKEN)).statusCode).toBe(200);
  });

  const refused: Array<[string, () => string]> = [
    ['another service account', () => mintToken(google, pushClaims(AUDIENCE, 'someone@other.iam.gserviceaccount.com'))],
    ['another audience', () => oidcToken({ aud: 'https://chat.mobius.test' })],
    ['an expired token', () => oidcToken({ iat: Math.floor(Date.now() / 1000) - 7_200, exp: Math.floor(Date.now() / 1000) - 3_600 })],
    ['an issuer other than Google', () => oidcToken({ iss: 'https://evil.example' })],
    ['an unverified email', () => oidcToken({ email_verified: false })],
    ['a signature by another key under the same kid', () => mintToken(google, pushClaims(AUDIENCE, CALLER), impostor.privateKey)],
    ['an unknown kid', () => mintToken(testSigner('unknown-kid'), pushClaims(AUDIENCE, CALLER))],
  ];
  for (const [what, token] of refused) {
    it(`refuses ${what}: 401 CREDENTIAL_INVALID`, async () => {
      const response = await list(guarded, token());
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('CREDENTIAL_INVALID');
    });
  }

  it('refuses an OIDC token where no audience is configured (the people validator refuses RS256)', async () => {
    const peopleOnly = guardedRag({ JWT_SECRET: SECRET, USER_DATABASE_URL: users.url, AUTH_ALLOWED_ROLES: 'admin' });
    const response = await list(peopleOnly, oidcToken());
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('TOKEN_ALG_REFUSED');
  });
});

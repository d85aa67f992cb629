// chat's bearer access tokens (docs/contracts.md, "Tokens") on POST /v1/search: every way a token can be
// wrong is a 401 with its own code, a token from `mobius token` (libs/cli tokenCommand, the same
// @mobius/auth minter) is accepted; and the service endpoints /healthz, /readyz, /metrics.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken, epochSeconds, forgeToken, withPayload } from '@mobius/auth/testing';
import { tokenCommand } from '../libs/cli/src/commands/token.ts';
import { createChatTestService, type ChatTestService } from '../services/chat/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

const DIMENSIONS = 32;
const SECRET = 'chat-auth-test-secret';
const USER = randomUUID();
const TENANT = randomUUID();
const database = uniqueName('chat_auth');
let chat: ChatTestService;

const claims = (extra: Record<string, unknown> = {}) => ({ sub: USER, tenant_id: TENANT, exp: epochSeconds() + 600, type: 'access', ...extra });

async function searchWith(authorization: string | undefined, payload: unknown = { query: 'prior authorization' }) {
  const headers = authorization === undefined ? {} : { authorization };
  const response = await chat.app.inject({ method: 'POST', url: '/v1/search', headers, payload: payload as object });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

/** A token printed by the CLI's `mobius token` command with `env`. */
async function cliToken(options: { user: string; tenant?: string }, env: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  await tokenCommand(options, { env, out: (line) => out.push(line), err: () => {} });
  return out;
}

beforeAll(async () => {
  await createMigratedDatabase(database, 'chat');
  chat = await createChatTestService({ databaseUrl: testDatabaseUrl(database), dimensions: DIMENSIONS, secret: SECRET });
});

afterAll(async () => {
  await chat?.close();
  await dropDatabases([database]);
});

describe('POST /v1/search token checks', () => {
  it('accepts a token minted by `mobius token` with the shared JWT_SECRET', async () => {
    const out = await cliToken({ user: USER, tenant: TENANT }, { JWT_SECRET: SECRET });
    expect(out).toHaveLength(1);
    const response = await searchWith(`Bearer ${out[0]}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ results: [] });
  });

  it('accepts a token signed elsewhere with the shared secret (as mobius-user issues them)', async () => {
    expect((await searchWith(`Bearer ${forgeToken(claims(), { secret: SECRET })}`)).status).toBe(200);
  });

  const refused: Array<[string, () => string | undefined, string]> = [
    ['no Authorization header', () => undefined, 'TOKEN_MISSING'],
    ['a Basic Authorization header', () => 'Basic dXNlcjpwYXNz', 'TOKEN_MISSING'],
    ['a malformed token', () => 'Bearer abc.def', 'TOKEN_MALFORMED'],
    ['alg none', () => `Bearer ${forgeToken(claims(), { header: { alg: 'none', typ: 'JWT' } })}`, 'TOKEN_ALG_REFUSED'],
    ['HS512', () => `Bearer ${forgeToken(claims(), { header: { alg: 'HS512' }, secret: SECRET, hash: 'sha512' })}`, 'TOKEN_ALG_REFUSED'],
    [
      'a tampered payload',
      () => `Bearer ${withPayload(forgeToken(claims(), { secret: SECRET }), claims({ tenant_id: randomUUID() }))}`,
      'TOKEN_INVALID_SIGNATURE',
    ],
    ['another secret', () => `Bearer ${forgeToken(claims(), { secret: 'not-the-secret' })}`, 'TOKEN_INVALID_SIGNATURE'],
    ['an expired token', () => `Bearer ${forgeToken(claims({ exp: epochSeconds() - 1 }), { secret: SECRET })}`, 'TOKEN_EXPIRED'],
    ['a refresh token', () => `Bearer ${chat.tokens.mintRefreshToken({ userId: USER, sessionId: randomUUID() })}`, 'TOKEN_WRONG_TYPE'],
    ['a token carrying aud', () => `Bearer ${forgeToken(claims({ aud: 'mobius-chat' }), { secret: SECRET })}`, 'TOKEN_AUD_REFUSED'],
    ['a token without tenant_id', () => `Bearer ${forgeToken(claims({ tenant_id: undefined }), { secret: SECRET })}`, 'TOKEN_CLAIMS_INVALID'],
  ];
  for (const [what, header, code] of refused) {
    it(`refuses ${what}: 401 ${code}`, async () => {
      const response = await searchWith(header());
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    });
  }

  it('checks the token before the body: a bad body without a token is a 401, not a 400', async () => {
    expect((await searchWith(undefined, { k: 0 })).status).toBe(401);
    expect((await searchWith(`Bearer ${forgeToken(claims(), { secret: SECRET })}`, { k: 0 })).status).toBe(400);
  });

  it('a token minted with another JWT_SECRET by `mobius token` is refused', async () => {
    const [other] = await cliToken({ user: USER }, { JWT_SECRET: `${SECRET}-other` });
    expect(decodeToken(other!).payload.tenant_id).toBe('00000000-0000-0000-0000-000000000001');
    expect((await searchWith(`Bearer ${other}`)).body.error.code).toBe('TOKEN_INVALID_SIGNATURE');
  });
});

describe('service endpoints (no token needed)', () => {
  it('/healthz, /metrics, and /readyz checking the Chat database and the index', async () => {
    expect((await chat.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const metrics = await chat.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('service="chat-test"');
    const ready = await chat.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.map((check: { name: string; ok: boolean }) => [check.name, check.ok])).toEqual([
      ['chat-db', true],
      ['vector-index', true],
    ]);
  });

  it('/readyz is 503 naming chat-db when Chat’s database does not exist', async () => {
    const missing = await createChatTestService({ databaseUrl: testDatabaseUrl(uniqueName('chat_absent')), dimensions: DIMENSIONS, secret: SECRET });
    try {
      const ready = await missing.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks).toEqual([
        { name: 'chat-db', ok: false, error: expect.stringMatching(/does not exist/) },
        { name: 'vector-index', ok: true },
      ]);
    } finally {
      await missing.close();
    }
  });
});

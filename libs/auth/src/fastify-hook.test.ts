import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { principalOf, requireAccessToken } from './fastify-hook.ts';
import { epochSeconds, forgeToken } from './testing/forge.ts';
import { createTokenService } from './tokens.ts';
import type { AccessTokenVerifier } from './types.ts';

const SECRET = 'hook-test-secret';
const tokens = createTokenService({ secret: SECRET });
const USER = 'user-1';
const TENANT = 'tenant-1';
let app: FastifyInstance | undefined;

/** An app whose `POST /who` answers the principal; everything it logs lands in `logs`. */
function buildTestApp(verifier: AccessTokenVerifier = tokens) {
  const logs: string[] = [];
  const stream = new Writable({
    write: (chunk, _encoding, done) => {
      logs.push(String(chunk));
      done();
    },
  });
  app = Fastify({ logger: { level: 'trace', stream } });
  let handled = 0;
  app.post('/who', { onRequest: requireAccessToken(verifier) }, async (request) => {
    handled += 1;
    return { principal: principalOf(request), body: request.body };
  });
  return { app, logs, handledCount: () => handled };
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('requireAccessToken', () => {
  it('admits a valid bearer token (any scheme case) and puts the user and tenant on the request', async () => {
    const { app } = buildTestApp();
    const token = tokens.mintAccessToken({ userId: USER, tenantId: TENANT });
    for (const header of [`Bearer ${token}`, `bearer ${token}`]) {
      const response = await app.inject({ method: 'POST', url: '/who', headers: { authorization: header }, payload: { a: 1 } });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ principal: { userId: USER, tenantId: TENANT }, body: { a: 1 } });
    }
  });

  it('answers 401 {error: {code, message}} with WWW-Authenticate, and never runs the handler', async () => {
    const { app, handledCount } = buildTestApp();
    const expired = forgeToken({ sub: USER, tenant_id: TENANT, exp: epochSeconds() - 5, type: 'access' }, { secret: SECRET });
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'TOKEN_MISSING'],
      [{ authorization: 'Basic dXNlcjpwYXNz' }, 'TOKEN_MISSING'],
      [{ authorization: 'Bearer ' }, 'TOKEN_MISSING'],
      [{ authorization: 'Bearer not-a-jwt' }, 'TOKEN_MALFORMED'],
      [{ authorization: `Bearer ${expired}` }, 'TOKEN_EXPIRED'],
    ];
    for (const [headers, code] of cases) {
      const response = await app.inject({ method: 'POST', url: '/who', headers, payload: { a: 1 } });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: { code, message: expect.any(String) } });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect(handledCount()).toBe(0);
  });

  it('logs the refusal code and never the token', async () => {
    const { app, logs } = buildTestApp();
    const forged = forgeToken({ sub: USER, tenant_id: TENANT, exp: epochSeconds() + 60, type: 'access' }, { secret: 'other' });
    await app.inject({ method: 'POST', url: '/who', headers: { authorization: `Bearer ${forged}` } });
    const logged = logs.join('');
    expect(logged).toContain('TOKEN_INVALID_SIGNATURE');
    for (const part of forged.split('.')) expect(logged).not.toContain(part);
  });

  it('lets an unexpected verifier failure through as a 500, not a 401', async () => {
    const { app } = buildTestApp({
      verifyAccessToken: () => {
        throw new Error('verifier bug');
      },
    });
    const response = await app.inject({ method: 'POST', url: '/who', headers: { authorization: 'Bearer a.b.c' } });
    expect(response.statusCode).toBe(500);
  });
});

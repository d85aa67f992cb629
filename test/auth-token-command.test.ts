// `mobius token` (libs/cli tokenCommand): a dev access token minted by the one @mobius/auth minter,
// printed alone on stdout, accepted by the same validator chat uses (docs/contracts.md, "Tokens").
import { AuthError, DEFAULT_TENANT_ID, createTokenService } from '@mobius/auth';
import { ConfigError } from '@mobius/config';
import { describe, expect, it } from 'vitest';
import { decodeToken, epochSeconds } from '@mobius/auth/testing';
import { tokenCommand, type TokenCommandOptions } from '../libs/cli/src/commands/token.ts';

const SECRET = 'token-command-test-secret';

async function run(options: TokenCommandOptions, env: Record<string, string | undefined> = { JWT_SECRET: SECRET }) {
  const out: string[] = [];
  const err: string[] = [];
  await tokenCommand(options, { env, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { out, err };
}

describe('tokenCommand', () => {
  it('prints one access token, alone, for the user and the default tenant, valid for 60 minutes', async () => {
    const { out, err } = await run({ user: 'user-42' });
    expect(out).toHaveLength(1);
    expect(err).toEqual(['mobius token: JWT secret JWT_SECRET; from the environment']);
    expect(out[0]).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const { header, payload } = decodeToken(out[0]!);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(payload).sort()).toEqual(['exp', 'sub', 'tenant_id', 'type']);
    expect(payload).toMatchObject({ sub: 'user-42', tenant_id: DEFAULT_TENANT_ID, type: 'access' });
    expect(Math.abs((payload.exp as number) - (epochSeconds() + 3600))).toBeLessThanOrEqual(2);
    expect(createTokenService({ secret: SECRET }).verifyAccessToken(out[0]!)).toMatchObject({ userId: 'user-42', tenantId: DEFAULT_TENANT_ID });
  });

  it('takes --tenant and --minutes (as commander passes them, strings)', async () => {
    const tenant = '7d1c0e4a-34b1-4b8e-9f0a-2a4f8e6c1d22';
    const { out } = await run({ user: 'user-42', tenant, minutes: '5' });
    const { payload } = decodeToken(out[0]!);
    expect(payload.tenant_id).toBe(tenant);
    expect(Math.abs((payload.exp as number) - (epochSeconds() + 300))).toBeLessThanOrEqual(2);
  });

  it('is refused by a validator with another secret', async () => {
    const { out } = await run({ user: 'user-42' });
    expect(() => createTokenService({ secret: `${SECRET}!` }).verifyAccessToken(out[0]!)).toThrow(
      expect.objectContaining({ code: 'TOKEN_INVALID_SIGNATURE' }),
    );
  });

  it('requires JWT_SECRET, printing nothing without it', async () => {
    for (const env of [{}, { JWT_SECRET: '' }]) {
      const out: string[] = [];
      const attempt = tokenCommand({ user: 'user-42' }, { env, out: (line) => out.push(line), err: () => {} });
      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(attempt).rejects.toThrow(/JWT_SECRET is required/);
      expect(out).toEqual([]);
    }
  });

  it('refuses an empty user or tenant and a --minutes that is not a positive number', async () => {
    await expect(run({ user: '' })).rejects.toThrow(AuthError);
    await expect(run({ user: 'u', tenant: '' })).rejects.toThrow(/tenantId must be a non-empty string/);
    for (const minutes of ['0', '-5', 'ten', '']) {
      await expect(run({ user: 'u', minutes })).rejects.toThrow(/--minutes must be a positive number/);
    }
  });
});

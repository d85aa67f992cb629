import { AUTH_ERROR_CODES, AuthError, DEFAULT_TENANT_ID, createTokenService } from '@mobius/auth';
import { ConfigError } from '@mobius/config';
import type { CliIO } from '../io.ts';

export interface TokenCommandOptions {
  /** The user id, the token's `sub`. */
  user: string;
  /** The tenant id (default DEFAULT_TENANT_ID, mobius-user's default tenant). */
  tenant?: string;
  /** Lifetime in minutes (default 60, as mobius-user's access tokens); a string as commander passes it. */
  minutes?: number | string;
}

/** `--minutes` as a positive number; undefined when not given. */
function parseMinutes(minutes: number | string | undefined): number | undefined {
  if (minutes === undefined) return undefined;
  const value = typeof minutes === 'number' ? minutes : Number(minutes.trim() === '' ? Number.NaN : minutes);
  if (!Number.isFinite(value) || value <= 0) {
    throw new AuthError(AUTH_ERROR_CODES.configInvalid, `--minutes must be a positive number, got ${JSON.stringify(String(minutes))}`);
  }
  return value;
}

/**
 * `mobius token --user <id> [--tenant <id>] [--minutes <n>]`: mints a dev access token exactly as
 * mobius-user does (`@mobius/auth`: HS256 with JWT_SECRET, claims `{sub, tenant_id, exp, type:
 * 'access'}`) and prints it alone on stdout, so `TOKEN=$(mobius token --user u1)` works. Throws a
 * ConfigError (code CONFIG_INVALID) when JWT_SECRET is unset or empty, and an AuthError
 * (AUTH_CONFIG_INVALID) for an empty user or tenant or a bad --minutes.
 */
export async function tokenCommand(options: TokenCommandOptions, io: CliIO): Promise<void> {
  const secret = io.env.JWT_SECRET;
  if (!secret) {
    throw new ConfigError('token', 'JWT_SECRET', 'is required (the HS256 secret shared with mobius-user, os and chat)');
  }
  const minutes = parseMinutes(options.minutes);
  const token = createTokenService({ secret }).mintAccessToken({
    userId: options.user,
    tenantId: options.tenant ?? DEFAULT_TENANT_ID,
    ...(minutes === undefined ? {} : { minutes }),
  });
  io.out(token);
}

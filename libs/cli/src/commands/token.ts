import { AUTH_ERROR_CODES, AuthError, DEFAULT_TENANT_ID, createTokenService } from '@mobius/auth';
import { ConfigError } from '@mobius/config';
import { shownPath } from '../dev/report.ts';
import type { CliIO } from '../io.ts';
import { announceTarget, resolveCliEnv } from '../runtime/index.ts';

export interface TokenCommandOptions {
  /** The user id, the token's `sub`. */
  user: string;
  /** The tenant id (default DEFAULT_TENANT_ID, mobius-user's default tenant). */
  tenant?: string;
  /** Lifetime in minutes (default 60, as mobius-user's access tokens); a string as commander passes it. */
  minutes?: number | string;
  /** The data directory of the `mobius dev` whose secret to use when JWT_SECRET is unset. */
  dataDir?: string;
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
 * mobius-user does (`@mobius/auth`: HS256 with JWT_SECRET, else the running `mobius dev`'s secret, claims `{sub, tenant_id, exp, type:
 * 'access'}`) and prints it alone on stdout, so `TOKEN=$(mobius token --user u1)` works. Throws a
 * ConfigError (code CONFIG_INVALID) when JWT_SECRET is unset or empty, and an AuthError
 * (AUTH_CONFIG_INVALID) for an empty user or tenant or a bad --minutes.
 */
export async function tokenCommand(options: TokenCommandOptions, io: CliIO): Promise<void> {
  const resolved = await resolveCliEnv(io, options);
  const secret = resolved.env.JWT_SECRET;
  const dev = resolved.dev.state === 'running' ? resolved.dev.runtime : undefined;
  const from =
    resolved.sourceOf('JWT_SECRET') === 'mobius dev' && dev?.secrets.jwtSecret ? shownPath(dev.secrets.jwtSecret) : secret ? 'JWT_SECRET' : '(none)';
  announceTarget(io, 'token', resolved, [{ label: 'JWT secret', value: from, variables: ['JWT_SECRET'] }]);
  if (!secret) {
    throw new ConfigError('token', 'JWT_SECRET', 'is required (the HS256 secret shared with mobius-user, os and chat), or a running mobius dev');
  }
  const minutes = parseMinutes(options.minutes);
  const token = createTokenService({ secret }).mintAccessToken({
    userId: options.user,
    tenantId: options.tenant ?? DEFAULT_TENANT_ID,
    ...(minutes === undefined ? {} : { minutes }),
  });
  io.out(token);
}

import { AUTH_ERROR_CODES as CODES, AuthError } from './errors.ts';
import { signHs256, verifyHs256 } from './jws.ts';
import type { AccessPrincipal, RefreshPrincipal, TokenService, TokenServiceOptions } from './types.ts';

/** Every default of the token service, in one place (docs/contracts.md, "Tokens"). */
export const AUTH_DEFAULTS = {
  /** mobius-user's access token lifetime. */
  accessTokenMinutes: 60,
  /** mobius-user's refresh token lifetime. */
  refreshTokenDays: 7,
  /** No leeway: mobius-user and chat validate `exp` exactly. */
  clockToleranceSeconds: 0,
  /**
   * How far beyond its type's configured lifetime a token's `exp` may lie (clock skew between the
   * minting service and this one). A token with a later `exp` (`exp: 1e308`, "never expires") was
   * not minted by mobius-user and is refused with TOKEN_CLAIMS_INVALID.
   */
  expLeewaySeconds: 300,
} as const;

/** mobius-user's default tenant (docs/contracts.md, "Tokens"): users without another tenant belong to it. */
export const DEFAULT_TENANT_ID = '00000000-0000-0000-0000-000000000001';

const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_DAY = 86_400;

type TokenType = 'access' | 'refresh';

function requirePositive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new AuthError(CODES.configInvalid, `${name} must be a positive number, got ${value}`);
  }
  return value;
}

function requireNonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new AuthError(CODES.configInvalid, `${name} must be a non-negative number, got ${value}`);
  }
  return value;
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new AuthError(CODES.configInvalid, `${name} must be a non-empty string`);
  }
  return value;
}

/** A claim that must be a non-empty string; TOKEN_CLAIMS_INVALID otherwise. */
function textClaim(payload: Record<string, unknown>, claim: string): string {
  const value = payload[claim];
  if (typeof value !== 'string' || value === '') {
    throw new AuthError(CODES.claimsInvalid, `token claim ${claim} is missing or not a non-empty string`);
  }
  return value;
}

/** How the claims are checked: the clock, its tolerance, and the latest `exp` each type may carry. */
interface ClaimRules {
  nowSeconds: number;
  tolerance: number;
  /** The longest lifetime a token of each type is minted with, plus AUTH_DEFAULTS.expLeewaySeconds. */
  maxLifetimeSeconds: Record<TokenType, number>;
}

/**
 * The checks after the signature, in the order that says most to the caller: `aud` present,
 * `exp` (required) passed and not absurdly far away, `nbf` (if present) not reached, then `type`.
 */
function checkClaims(payload: Record<string, unknown>, type: TokenType, rules: ClaimRules): number {
  const { nowSeconds, tolerance } = rules;
  if ('aud' in payload) throw new AuthError(CODES.audRefused, 'token carries an aud claim, which is refused');
  const exp = payload.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new AuthError(CODES.claimsInvalid, 'token claim exp is missing or not a number');
  }
  if (exp <= nowSeconds - tolerance) throw new AuthError(CODES.expired, 'token has expired');
  const latest = rules.maxLifetimeSeconds[payload.type === 'refresh' ? 'refresh' : 'access'];
  if (exp > nowSeconds + latest) {
    throw new AuthError(CODES.claimsInvalid, `token claim exp lies beyond the longest lifetime a token is minted with (${latest} s from now)`);
  }
  const nbf = payload.nbf;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds + tolerance)) {
    throw new AuthError(CODES.notYetValid, 'token is not valid yet (nbf)');
  }
  if (payload.type !== type) {
    const given = typeof payload.type === 'string' ? JSON.stringify(payload.type.slice(0, 16)) : 'missing';
    throw new AuthError(CODES.wrongType, `token type ${given} is refused (an ${type} token is required)`);
  }
  return exp;
}

/**
 * The one minter and validator of mobius-user's tokens (docs/contracts.md, "Tokens"): HS256 with
 * `JWT_SECRET`; access claims exactly `{sub, tenant_id, exp, type: 'access'}`, refresh claims exactly
 * `{sub, session_id, exp, type: 'refresh'}`. Validation refuses any other algorithm, a bad signature,
 * an expired token, a token of the other type and any token carrying `aud`. Pure and synchronous:
 * safe to share across requests. Throws AuthError AUTH_CONFIG_INVALID when `secret` is empty.
 */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const secret = requireText(options.secret, 'JWT_SECRET');
  const accessMinutes = requirePositive(options.accessTokenMinutes ?? AUTH_DEFAULTS.accessTokenMinutes, 'accessTokenMinutes');
  const refreshDays = requirePositive(options.refreshTokenDays ?? AUTH_DEFAULTS.refreshTokenDays, 'refreshTokenDays');
  const tolerance = options.clockToleranceSeconds ?? AUTH_DEFAULTS.clockToleranceSeconds;
  const now = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);
  const expiryIn = (seconds: number) => nowSeconds() + Math.round(seconds);
  const leeway = requireNonNegative(options.expLeewaySeconds ?? AUTH_DEFAULTS.expLeewaySeconds, 'expLeewaySeconds');
  const maxLifetime: Record<TokenType, number> = {
    access: Math.max(accessMinutes, options.maxAccessTokenMinutes ?? 0) * SECONDS_PER_MINUTE + leeway,
    refresh: refreshDays * SECONDS_PER_DAY + leeway,
  };

  const verify = (token: string, type: TokenType) => {
    if (typeof token !== 'string' || token === '') throw new AuthError(CODES.missing, 'no token given');
    const payload = verifyHs256(token, secret);
    const exp = checkClaims(payload, type, { nowSeconds: nowSeconds(), tolerance, maxLifetimeSeconds: maxLifetime });
    return { payload, userId: textClaim(payload, 'sub'), expiresAt: new Date(exp * 1000) };
  };

  return {
    mintAccessToken({ userId, tenantId, minutes }) {
      const lifetime = requirePositive(minutes ?? accessMinutes, 'minutes') * SECONDS_PER_MINUTE;
      const claims = { sub: requireText(userId, 'userId'), tenant_id: requireText(tenantId, 'tenantId'), exp: expiryIn(lifetime), type: 'access' };
      return signHs256(claims, secret);
    },
    mintRefreshToken({ userId, sessionId, days }) {
      const lifetime = requirePositive(days ?? refreshDays, 'days') * SECONDS_PER_DAY;
      const claims = {
        sub: requireText(userId, 'userId'),
        session_id: requireText(sessionId, 'sessionId'),
        exp: expiryIn(lifetime),
        type: 'refresh',
      };
      return signHs256(claims, secret);
    },
    verifyAccessToken(token): AccessPrincipal {
      const { payload, userId, expiresAt } = verify(token, 'access');
      return { userId, tenantId: textClaim(payload, 'tenant_id'), expiresAt };
    },
    verifyRefreshToken(token): RefreshPrincipal {
      const { payload, userId, expiresAt } = verify(token, 'refresh');
      return { userId, sessionId: textClaim(payload, 'session_id'), expiresAt };
    },
  };
}

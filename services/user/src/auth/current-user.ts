import { AuthError, bearerToken } from '@mobius/auth';
import { unauthorized } from '../errors.ts';
import type { Account } from '../repository/types.ts';
import { isUuid, type AuthDeps } from './types.ts';

/**
 * The account of the Bearer access token's user: the token must verify (`@mobius/auth`: signature,
 * expiry, type access) and name an active user of its tenant. Anything else is the original's
 * 401 `{"detail": "Unauthorized"}`.
 */
export async function currentAccount(deps: AuthDeps, authorization: string | undefined): Promise<Account> {
  let principal: ReturnType<AuthDeps['tokens']['verifyAccessToken']>;
  try {
    principal = deps.tokens.verifyAccessToken(bearerToken(authorization));
  } catch (error) {
    if (error instanceof AuthError) throw unauthorized();
    throw error;
  }
  const account = isUuid(principal.userId) ? await deps.repository.users.account(principal.userId) : undefined;
  if (account?.profile.status !== 'active' || account.profile.tenant_id !== principal.tenantId) throw unauthorized();
  return account;
}

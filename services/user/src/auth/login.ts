import { invalidCredentials, oauthAccount } from '../errors.ts';
import { loginBodySchema, normalizeEmail, requireCredentials, tenantIdOf } from './input.ts';
import { verifyPassword } from './passwords.ts';
import { signIn } from './sessions.ts';
import type { AuthDeps, ClientInfo, SignInResponse } from './types.ts';
import { parseBody } from './validation.ts';

/**
 * Login: the tenant's active user with this email (a missing or malformed tenant_id is the default
 * tenant), bcrypt check, sign in. 401 "Invalid email or password" for an unknown email, an inactive
 * user or a wrong password (after the same bcrypt work, so timing does not tell them apart);
 * 401 "Account uses OAuth login" for an account without a password, as the original answers.
 */
export async function login(deps: AuthDeps, body: unknown, client: ClientInfo): Promise<SignInResponse> {
  const input = parseBody(loginBodySchema, body);
  const email = normalizeEmail(input.email);
  requireCredentials(email, input.password);
  const tenantId = tenantIdOf(input.tenant_id);
  const found = await deps.repository.users.findByEmail(tenantId, email);
  const candidate = found?.status === 'active' ? found : undefined;
  if (candidate && candidate.passwordHash === null) throw oauthAccount();
  const valid = await verifyPassword(input.password, candidate?.passwordHash ?? null);
  if (!candidate || !valid) throw invalidCredentials();
  return signIn(deps, candidate, client, { provider: 'email', deviceInfo: input.device_info });
}

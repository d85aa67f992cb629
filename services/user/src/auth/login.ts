import { invalidCredentials } from '../errors.ts';
import { loginBodySchema, parseBody } from './input.ts';
import { verifyPassword } from './passwords.ts';
import { signIn } from './sessions.ts';
import type { AuthDeps, ClientInfo, SignInResponse } from './types.ts';

/**
 * Login: checks the password (bcrypt) of the tenant's active user with this email and signs in.
 * An unknown email, a wrong password, an inactive user and an account without a password all get
 * the same 401 INVALID_CREDENTIALS after the same bcrypt work, so nothing tells them apart.
 */
export async function login(deps: AuthDeps, body: unknown, client: ClientInfo): Promise<SignInResponse> {
  const input = parseBody(loginBodySchema, body);
  const candidate = await deps.repository.users.findLoginCandidate(input.tenant_id, input.email);
  const valid = await verifyPassword(input.password, candidate?.passwordHash ?? null);
  if (!candidate || !valid) throw invalidCredentials();
  return signIn(deps, candidate, client);
}

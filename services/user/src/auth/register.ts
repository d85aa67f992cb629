import { emailTaken, tenantClosed } from '../errors.ts';
import { blankToNull, checkNewAccount, normalizeEmail, registerBodySchema, tenantIdOf } from './input.ts';
import { hashPassword } from './passwords.ts';
import { signIn } from './sessions.ts';
import type { AuthDeps, ClientInfo, SignInResponse } from './types.ts';
import { parseBody } from './validation.ts';

/** The answer of register: the login envelope with the original's message and `is_new_user`. */
export type RegisterResponse = SignInResponse & { message: 'Registration successful'; is_new_user: true };

/**
 * Register: 422 for a body of the wrong shape; 400 for an empty email or password, a password under
 * 8 characters (or over bcrypt's 72 bytes), an implausible email, or an email already registered in
 * the tenant. A tenant other than the default must be open to registration (403 otherwise; the
 * original let anyone join any existing tenant). The password is hashed through the bounded queue
 * (429 with retry-after when it is full), then the user and its `email` link are created and signed in.
 */
export async function register(deps: AuthDeps, body: unknown, client: ClientInfo): Promise<RegisterResponse> {
  const input = parseBody(registerBodySchema, body);
  const email = normalizeEmail(input.email);
  checkNewAccount(email, input.password);
  const tenantId = tenantIdOf(input.tenant_id);
  if (!(await deps.repository.users.registrationOpen(tenantId))) throw tenantClosed();
  // Checked before hashing so a taken email costs no bcrypt work; the unique index still decides races.
  if (await deps.repository.users.findByEmail(tenantId, email)) throw emailTaken();
  const passwordHash = await deps.hashQueue.run(() => hashPassword(input.password));
  const displayName = blankToNull(input.display_name);
  const result = await deps.repository.users.createUser({
    tenantId,
    email,
    passwordHash,
    displayName: displayName ?? email.split('@')[0]!,
    firstName: blankToNull(input.first_name),
    preferredName: blankToNull(input.preferred_name),
    avatarUrl: null,
    provider: { name: 'email' },
  });
  if (result.kind === 'email_taken') throw emailTaken();
  const session = await signIn(deps, { userId: result.userId, tenantId }, client, { provider: 'email' });
  return { ...session, ok: true, message: 'Registration successful', is_new_user: true };
}

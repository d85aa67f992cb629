import { DEFAULT_TENANT_ID } from '@mobius/auth';
import { emailTaken, tenantUnknown } from '../errors.ts';
import { parseBody, registerBodySchema } from './input.ts';
import { hashPassword } from './passwords.ts';
import { signIn } from './sessions.ts';
import type { AuthDeps, ClientInfo, SignInResponse } from './types.ts';

/** The default tenant's name when register has to create it (the migration seeds the same row). */
const DEFAULT_TENANT_NAME = 'Default';

/**
 * Register: validates the body (email trimmed and lowercased, password of 8+ characters), creates
 * the default tenant when missing, the active user and its `email` provider link in one
 * transaction, then signs the user in. The display name falls back to the preferred name, the first
 * name, then the email's local part. Throws 400 INVALID_BODY / TENANT_UNKNOWN, 409 EMAIL_TAKEN.
 */
export async function register(deps: AuthDeps, body: unknown, client: ClientInfo): Promise<SignInResponse> {
  const input = parseBody(registerBodySchema, body);
  // Hashing takes ~0.3 s of CPU: done before the transaction, which then holds no lock while it runs.
  const passwordHash = await hashPassword(input.password);
  const result = await deps.repository.users.createUser({
    tenantId: input.tenant_id,
    email: input.email,
    passwordHash,
    displayName: input.display_name ?? input.preferred_name ?? input.first_name ?? input.email.split('@')[0]!,
    firstName: input.first_name,
    preferredName: input.preferred_name,
    createTenantIfMissing: input.tenant_id === DEFAULT_TENANT_ID ? { name: DEFAULT_TENANT_NAME } : null,
  });
  if (result.kind === 'email_taken') throw emailTaken();
  if (result.kind === 'tenant_unknown') throw tenantUnknown();
  return signIn(deps, { userId: result.userId, tenantId: input.tenant_id }, client);
}

import { googleRefused, invalidInput, tenantClosed } from '../errors.ts';
import type { UserKey } from '../repository/types.ts';
import type { GoogleIdentity } from './google-id-token.ts';
import { googleBodySchema, tenantIdOf } from './input.ts';
import { signIn } from './sessions.ts';
import type { AuthDeps, ClientInfo, SignInResponse } from './types.ts';
import { parseBody } from './validation.ts';

export type GoogleResponse = SignInResponse & { is_new_user: boolean };

/** The user the identity signs in as, creating or linking it; `isNew` when created. */
async function userFor(deps: AuthDeps, identity: GoogleIdentity, tenantId: string): Promise<{ user: UserKey; isNew: boolean }> {
  const users = deps.repository.users;
  const linked = await users.findByProvider('google', identity.subject);
  if (linked) return { user: linked, isNew: false };
  const byEmail = await users.findByEmail(tenantId, identity.email);
  if (byEmail) {
    await users.linkProvider(byEmail.userId, 'google', identity.subject, identity.email);
    return { user: byEmail, isNew: false };
  }
  if (!(await users.registrationOpen(tenantId))) throw tenantClosed();
  const created = await users.createUser({
    tenantId,
    email: identity.email,
    passwordHash: null,
    displayName: identity.name ?? identity.givenName ?? identity.email.split('@')[0]!,
    firstName: identity.givenName,
    preferredName: null,
    avatarUrl: identity.picture,
    provider: { name: 'google', providerUserId: identity.subject },
  });
  // A concurrent first sign-in of the same account created it first: sign in as that user.
  if (created.kind === 'email_taken') return { user: (await users.findByEmail(tenantId, identity.email))!, isNew: false };
  return { user: { userId: created.userId, tenantId, status: 'active', passwordHash: null }, isNew: true };
}

/**
 * Google sign-in: verifies the ID token (google-id-token.ts: every refusal a 401 with its reason),
 * then signs in the user linked to the token's `sub`, else links the tenant's user with its email,
 * else creates one (subject to the tenant's registration rule, like register). `is_new_user` is true
 * only when a user was created. A linked user who is not active is refused (the original fails there).
 */
export async function googleSignIn(deps: AuthDeps, body: unknown, client: ClientInfo): Promise<GoogleResponse> {
  const input = parseBody(googleBodySchema, body);
  const idToken = input.id_token?.trim();
  if (!idToken) throw invalidInput('id_token is required');
  // A 401 as the original answers it (its error path), not a 503.
  if (!deps.google) throw googleRefused('Google sign-in not configured (GOOGLE_CLIENT_ID missing)');
  const identity = await deps.google.verify(idToken);
  const { user, isNew } = await userFor(deps, identity, tenantIdOf(input.tenant_id));
  if (user.status !== 'active') throw googleRefused('Account is not active');
  const session = await signIn(deps, user, client, { provider: 'google', deviceInfo: input.device_info });
  return { ...session, is_new_user: isNew };
}

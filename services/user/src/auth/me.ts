import { meUser } from './account-view.ts';
import { currentAccount } from './current-user.ts';
import type { AuthDeps } from './types.ts';

/** `GET /me`: `{ok, user}` with the profile, activities, preference, memberships and capabilities (account-view.ts). */
export async function me(deps: AuthDeps, authorization: string | undefined) {
  return { ok: true as const, user: meUser(await currentAccount(deps, authorization)) };
}

import { bearerToken } from '@mobius/auth';
import { userInactive } from '../errors.ts';
import type { UserActivity, UserPreference, UserProfile } from '../repository/types.ts';
import { isUuid, type AuthDeps } from './types.ts';

/** The answer of me: the profile, the user's activities and its preference (null when it has none). */
export interface MeResponse {
  ok: true;
  user: UserProfile;
  activities: UserActivity[];
  preference: UserPreference | null;
}

/**
 * Me: the bearer access token must be valid (`@mobius/auth`: 401 with its TOKEN_* code otherwise)
 * and name an active user of the token's tenant (401 USER_INACTIVE otherwise). Reads only: a user
 * without a preference row gets `preference: null`, nothing is created.
 */
export async function me(deps: AuthDeps, authorization: string | undefined): Promise<MeResponse> {
  const principal = deps.tokens.verifyAccessToken(bearerToken(authorization));
  const user = isUuid(principal.userId) ? await deps.repository.users.profile(principal.userId) : undefined;
  if (!user || user.status !== 'active' || user.tenant_id !== principal.tenantId) throw userInactive();
  const [activities, preference] = await Promise.all([
    deps.repository.users.activities(user.user_id),
    deps.repository.users.preference(user.user_id),
  ]);
  return { ok: true, user, activities, preference };
}

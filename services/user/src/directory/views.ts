import { membershipView } from '../auth/account-view.ts';
import type { DirectoryUser } from '../repository/directory-types.ts';

/** A user as every directory answer starts: the original's `_candidate`. */
export function candidate(user: {
  userId: string;
  displayName: string | null;
  preferredName: string | null;
  firstName: string | null;
  email: string | null;
  agentHandle?: string | null;
}) {
  return {
    user_id: user.userId,
    display_name: user.displayName || user.preferredName || user.firstName,
    email: user.email,
    is_agent: Boolean(user.agentHandle),
    // The contract with the task manager: humans are `user:{user_id}`, agents keep `agent:{name}`.
    assignee_ref: user.agentHandle || `user:${user.userId}`,
  };
}

const candidateOf = (user: DirectoryUser) =>
  candidate({
    userId: user.profile.user_id,
    displayName: user.profile.display_name,
    preferredName: user.profile.preferred_name,
    firstName: user.profile.first_name,
    email: user.profile.email,
    agentHandle: user.agentHandle,
  });

const active = (user: DirectoryUser) => user.memberships.filter((m) => m.status === 'active').map(membershipView);
const pending = (user: DirectoryUser) => user.memberships.filter((m) => m.status === 'pending').map(membershipView);

/** `GET /{user_id}`: the full directory profile. */
export function directoryProfile(user: DirectoryUser) {
  const memberships = active(user);
  return {
    ...candidateOf(user),
    status: user.profile.status,
    org_memberships: memberships,
    pending_org_memberships: pending(user),
    roles_by_org: Object.fromEntries(memberships.map((m) => [m.org_slug, m.roles])),
    aliases: user.aliases,
    capabilities: user.capabilities,
  };
}

/** `GET /by-identity`: the candidate with memberships, greeting, welcome block and capabilities. */
export function identityView(user: DirectoryUser) {
  const { profile, preference } = user;
  const memberships = active(user);
  const pendings = pending(user);
  return {
    ...candidateOf(user),
    org_memberships: memberships,
    pending_org_memberships: pendings,
    greeting: {
      name: profile.preferred_name || profile.first_name || profile.display_name || 'there',
      enabled: preference?.greeting_enabled ?? true,
    },
    welcome: {
      first_session: user.sessionCount <= 1,
      is_onboarded: profile.onboarding_completed_at !== null,
      arrival: user.invited ? 'invited' : 'self_serve',
      org_status: memberships.length > 0 ? 'member' : pendings.length > 0 ? 'pending' : 'none',
      roles: [...new Set(memberships.flatMap((m) => m.roles))].sort(),
      activities: user.activities.map((a) => a.activity_code),
      experience_level: preference?.ai_experience_level || 'beginner',
      tone: preference?.tone || 'professional',
    },
    capabilities: user.capabilities,
  };
}

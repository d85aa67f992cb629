import type { Account, Membership } from '../repository/types.ts';
import { buildProfileEnvelope, type ProfileEnvelope } from './profile-envelope.ts';

/**
 * The `user` object of the login/register/google envelope and of `me`, in the existing service's
 * shapes (docs/api/user.md).
 */

/** The envelope's `user` (login, register, google). */
export interface EnvelopeUser {
  user_id: string;
  tenant_id: string;
  email: string;
  display_name: string | null;
  first_name: string | null;
  preferred_name: string | null;
  is_onboarded: boolean;
  activities: Array<{ activity_code: string; label: string; is_primary: boolean | null }>;
  preference: {
    tone: string | null;
    greeting_enabled: boolean | null;
    autonomy_routine_tasks: string | null;
    autonomy_sensitive_tasks: string | null;
  } | null;
  /** Null until the user has a preference row (onboarding or preferences), as in the original. */
  profile: ProfileEnvelope | null;
}

/** Membership as every profile surface lists it. */
export const membershipView = (m: Membership) => ({ org_slug: m.org_slug, display_name: m.display_name, roles: m.roles });

/** The profile envelope of the account, whether or not it has a preference row. */
export function profileOf(account: Account): ProfileEnvelope {
  const { profile, preference } = account;
  return buildProfileEnvelope({
    preferredName: profile.preferred_name,
    firstName: profile.first_name,
    displayName: profile.display_name,
    timezone: profile.timezone,
    activities: account.activities.map((a) => ({ code: a.activity_code, label: a.label })),
    tone: preference?.tone ?? null,
    aiExperienceLevel: preference?.ai_experience_level ?? null,
    greetingEnabled: preference?.greeting_enabled ?? true,
    autonomyRoutineTasks: preference?.autonomy_routine_tasks ?? null,
    autonomySensitiveTasks: preference?.autonomy_sensitive_tasks ?? null,
  });
}

export function envelopeUser(account: Account): EnvelopeUser {
  const { profile, preference } = account;
  return {
    user_id: profile.user_id,
    tenant_id: profile.tenant_id,
    email: profile.email,
    display_name: profile.display_name,
    first_name: profile.first_name,
    preferred_name: profile.preferred_name,
    is_onboarded: profile.onboarding_completed_at !== null,
    activities: account.activities.map((a) => ({ activity_code: a.activity_code, label: a.label, is_primary: a.is_primary })),
    preference: preference && {
      tone: preference.tone,
      greeting_enabled: preference.greeting_enabled,
      autonomy_routine_tasks: preference.autonomy_routine_tasks,
      autonomy_sensitive_tasks: preference.autonomy_sensitive_tasks,
    },
    profile: preference ? profileOf(account) : null,
  };
}

/** `GET /me`'s `user`: the envelope's fields plus locale, memberships, capabilities; profile always built. */
export function meUser(account: Account) {
  const { profile, preference } = account;
  const base = envelopeUser(account);
  return {
    user_id: base.user_id,
    tenant_id: base.tenant_id,
    email: base.email,
    display_name: base.display_name,
    first_name: base.first_name,
    preferred_name: base.preferred_name,
    timezone: profile.timezone,
    locale: profile.locale,
    avatar_url: profile.avatar_url,
    is_onboarded: base.is_onboarded,
    org_memberships: account.memberships.filter((m) => m.status === 'active').map(membershipView),
    pending_org_memberships: account.memberships.filter((m) => m.status === 'pending').map(membershipView),
    capabilities: account.capabilities,
    activities: base.activities,
    preference: preference && {
      tone: preference.tone,
      greeting_enabled: preference.greeting_enabled,
      ai_experience_level: preference.ai_experience_level,
      autonomy_routine_tasks: preference.autonomy_routine_tasks,
      autonomy_sensitive_tasks: preference.autonomy_sensitive_tasks,
      hesitations: preference.hesitations,
    },
    profile: profileOf(account),
  };
}

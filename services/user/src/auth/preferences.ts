import type { PreferencesWrite } from '../repository/types.ts';
import { profileOf } from './account-view.ts';
import { currentAccount } from './current-user.ts';
import { preferencesBodySchema, type PreferencesBody } from './input.ts';
import { orgSlug } from './org-slug.ts';
import type { AuthDeps } from './types.ts';
import { parseBody } from './validation.ts';

/** The audit row's `source` when the body names none, and its length (the column's). */
const DEFAULT_SOURCE = 'api';
const SOURCE_MAX_CHARACTERS = 30;
const HESITATION_MAX_CHARACTERS = 50;

/** Only the fields the body gives (null and absent alike mean "leave it"), as the original. */
function writeOf(input: PreferencesBody): PreferencesWrite {
  const given = <T>(value: T | null | undefined) => (value === null ? undefined : value);
  const organization = input.organization?.trim();
  const slug = organization ? orgSlug(organization) : '';
  return {
    source: (input.source ?? DEFAULT_SOURCE).trim().slice(0, SOURCE_MAX_CHARACTERS),
    user: { preferred_name: given(input.preferred_name), timezone: given(input.timezone), locale: given(input.locale) },
    preference: {
      tone: given(input.tone),
      greeting_enabled: given(input.greeting_enabled),
      ai_experience_level: given(input.ai_experience_level),
      autonomy_routine_tasks: given(input.autonomy_routine_tasks),
      autonomy_sensitive_tasks: given(input.autonomy_sensitive_tasks),
    },
    ...(input.hesitations == null
      ? {}
      : {
          hesitations: [...new Set(input.hesitations.map((h) => h.trim().slice(0, HESITATION_MAX_CHARACTERS)).filter(Boolean))].sort(),
        }),
    ...(input.activities == null ? {} : { activities: input.activities }),
    ...(slug ? { organization: { slug, displayName: organization! } } : {}),
  };
}

/**
 * `PUT /preferences` (Bearer): changes only the given fields of the user (preferred_name, timezone,
 * locale), its preference (tone, greeting, experience, autonomy), hesitation chips and activities;
 * a given `organization` becomes a pending membership (replacing others unless already a member).
 * Every changed field gets a `user_ext.user_preference_audit` row (field, old, new, `source`, default
 * "api"), as the original records them. Saving counts as onboarding. Answers
 * `{ok, message: "Preferences updated", profile}`. The original validates the organization against
 * the roster service's org registry; this service takes its slug as given (docs/api/user.md).
 */
export async function updatePreferences(deps: AuthDeps, body: unknown, authorization: string | undefined) {
  const account = await currentAccount(deps, authorization);
  const input = parseBody(preferencesBodySchema, body);
  const userId = account.profile.user_id;
  await deps.repository.preferences.updatePreferences(userId, writeOf(input));
  const updated = await deps.repository.users.account(userId);
  return { ok: true as const, message: 'Preferences updated' as const, profile: updated ? profileOf(updated) : null };
}

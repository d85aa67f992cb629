import { profileOf } from './account-view.ts';
import { currentAccount } from './current-user.ts';
import { onboardingBodySchema } from './input.ts';
import type { AuthDeps } from './types.ts';
import { parseBody } from './validation.ts';

/**
 * `PUT /onboarding` (Bearer): as the original, sets the preferred name (when given), the timezone
 * (default America/New_York) and `onboarding_completed_at`; writes the preference (each missing
 * value its default); replaces the activities by the given codes in order, the first primary,
 * unknown codes skipped. Answers `{ok, message: "Onboarding completed", profile}`.
 */
export async function completeOnboarding(deps: AuthDeps, body: unknown, authorization: string | undefined) {
  const account = await currentAccount(deps, authorization);
  const input = parseBody(onboardingBodySchema, body);
  const userId = account.profile.user_id;
  await deps.repository.preferences.completeOnboarding(userId, {
    preferredName: input.preferred_name || null,
    timezone: input.timezone || 'America/New_York',
    tone: input.tone || 'professional',
    greetingEnabled: input.greeting_enabled ?? true,
    aiExperienceLevel: input.ai_experience_level || 'beginner',
    autonomyRoutineTasks: input.autonomy_routine_tasks || 'confirm_first',
    autonomySensitiveTasks: input.autonomy_sensitive_tasks || 'confirm_first',
    activities: input.activities ?? [],
  });
  const updated = await deps.repository.users.account(userId);
  return { ok: true as const, message: 'Onboarding completed' as const, profile: updated ? profileOf(updated) : null };
}

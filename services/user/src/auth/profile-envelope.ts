/**
 * The user's profile envelope (`user.profile`): a structured summary of the preferences and the
 * activities, with a rendered prompt consumers (chat, rag) splice into their system prompts. Pure.
 * Same fields, phrasing and template version (2) as the existing mobius-user's, so consumers
 * cannot tell which service built it.
 */

export const PROFILE_TEMPLATE_VERSION = 2;

const TONE_HINTS: Record<string, string> = {
  professional:
    'Tone: professional. Complete sentences, no contractions, exact terminology, formal source citations. Open with the ' +
    'finding in a full clause. Phrase offers as capability ("I can \u2026"). The answer should read as if presented to a regulator.',
  friendly:
    'Tone: friendly. Contractions throughout. Open with a brief human beat before the substance, translate jargon in passing, ' +
    "and keep it the way you'd say it across a desk. At most one emoji, and only where natural.",
  concise:
    'Tone: concise. Verdict first \u2014 start with the verdict noun or verb. Sentence fragments preferred. NO bullet ' +
    'scaffolding, no greetings, no hedging. Aim for about a third the length of a professional answer \u2014 readable off ' +
    'a pager in a hallway. Phrase offers as one word plus a question mark ("Appeal?").',
};

const EXPERIENCE_HINTS: Record<string, string> = {
  beginner: "Assume limited AI experience — explain what you're doing and confirm before non-trivial actions.",
  regular: 'Assume regular AI experience — explain anything unusual but skip the basics.',
  expert: 'Assume expert use — minimal hand-holding; surface tradeoffs and edge cases.',
};

const AUTONOMY_HINTS: Record<string, string> = {
  automatic: 'do them automatically without confirming',
  confirm_first: 'show your plan and wait for confirmation',
  manual: "guide the user through doing it themselves; don't act for them",
};

/** What the envelope is built from. */
export interface ProfileInput {
  preferredName: string | null;
  firstName: string | null;
  displayName: string | null;
  timezone: string | null;
  /** In display order. */
  activities: Array<{ code: string; label: string }>;
  tone: string | null;
  aiExperienceLevel: string | null;
  greetingEnabled: boolean;
  autonomyRoutineTasks: string | null;
  autonomySensitiveTasks: string | null;
}

export interface ProfileEnvelope {
  preferred_name: string | null;
  tasks: Array<{ code: string; label: string }>;
  communication: { tone: string; ai_experience_level: string; greeting_enabled: boolean };
  autonomy: { routine_tasks: string; sensitive_tasks: string };
  timezone: string;
  rendered_prompt: string;
  version: number;
  generated_at: string;
}

const known = (hints: Record<string, string>, value: string | null, fallback: string) =>
  value !== null && Object.hasOwn(hints, value) ? value : fallback;

/** "X", "X and Y", "X, Y, and Z"; "general operations work" when there are none. */
function taskPhrase(labels: string[]): string {
  if (labels.length === 0) return 'general operations work';
  if (labels.length <= 2) return labels.join(' and ');
  return `${labels.slice(0, -1).join(', ')}, and ${labels.at(-1)}`;
}

/** Python's `datetime.now(timezone.utc).isoformat()`: microseconds and `+00:00`. */
const pythonUtcNow = (now: Date) => now.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');

export function buildProfileEnvelope(input: ProfileInput, now = new Date()): ProfileEnvelope {
  const name = (input.preferredName || input.firstName || input.displayName || '').trim() || null;
  const tone = known(TONE_HINTS, input.tone, 'professional');
  const experience = known(EXPERIENCE_HINTS, input.aiExperienceLevel, 'beginner');
  const routine = known(AUTONOMY_HINTS, input.autonomyRoutineTasks, 'confirm_first');
  const sensitive = known(AUTONOMY_HINTS, input.autonomySensitiveTasks, 'confirm_first');
  const nameClause = name ? `The user's name is ${name}.` : 'The user has not set a preferred name.';
  const greetingClause = input.greetingEnabled ? '' : ' Skip greetings and personalized openers — go straight to the answer.';
  const rendered =
    `${nameClause} They focus on ${taskPhrase(input.activities.map((a) => a.label).filter(Boolean))}. ` +
    `${TONE_HINTS[tone]} ${EXPERIENCE_HINTS[experience]} For routine tasks, ${AUTONOMY_HINTS[routine]}. ` +
    `For sensitive tasks (billing, PHI, anything irreversible), ${AUTONOMY_HINTS[sensitive]}.${greetingClause}`;
  return {
    preferred_name: name,
    tasks: input.activities.map((a) => ({ code: a.code, label: a.label })),
    communication: { tone, ai_experience_level: experience, greeting_enabled: input.greetingEnabled },
    autonomy: { routine_tasks: routine, sensitive_tasks: sensitive },
    timezone: input.timezone || 'America/New_York',
    rendered_prompt: rendered,
    version: PROFILE_TEMPLATE_VERSION,
    generated_at: pythonUtcNow(now),
  };
}

import { describe, expect, it } from 'vitest';
import { buildProfileEnvelope } from './profile-envelope.ts';

const base = {
  preferredName: null,
  firstName: null,
  displayName: null,
  timezone: null,
  activities: [],
  tone: null,
  aiExperienceLevel: null,
  greetingEnabled: true,
  autonomyRoutineTasks: null,
  autonomySensitiveTasks: null,
};

describe('buildProfileEnvelope', () => {
  it('renders the original template (version 2) with its defaults', () => {
    const envelope = buildProfileEnvelope(base, new Date('2026-07-17T10:00:00.123Z'));
    expect(envelope).toMatchObject({
      preferred_name: null,
      tasks: [],
      communication: { tone: 'professional', ai_experience_level: 'beginner', greeting_enabled: true },
      autonomy: { routine_tasks: 'confirm_first', sensitive_tasks: 'confirm_first' },
      timezone: 'America/New_York',
      version: 2,
      generated_at: '2026-07-17T10:00:00.123000+00:00',
    });
    expect(envelope.rendered_prompt).toMatch(/^The user has not set a preferred name\. They focus on general operations work\. Tone: professional\./);
    expect(envelope.rendered_prompt).toMatch(
      /For sensitive tasks \(billing, PHI, anything irreversible\), show your plan and wait for confirmation\.$/,
    );
  });

  it('names the user, lists the tasks as "X, Y, and Z", normalises unknown values and drops the greeting when asked', () => {
    const envelope = buildProfileEnvelope({
      ...base,
      preferredName: null,
      firstName: ' Ada ',
      activities: [
        { code: 'a', label: 'X' },
        { code: 'b', label: 'Y' },
        { code: 'c', label: 'Z' },
      ],
      tone: 'shouty',
      aiExperienceLevel: 'expert',
      autonomyRoutineTasks: 'automatic',
      greetingEnabled: false,
    });
    expect(envelope.preferred_name).toBe('Ada');
    expect(envelope.communication).toEqual({ tone: 'professional', ai_experience_level: 'expert', greeting_enabled: false });
    expect(envelope.rendered_prompt).toContain("The user's name is Ada. They focus on X, Y, and Z.");
    expect(envelope.rendered_prompt).toContain('For routine tasks, do them automatically without confirming.');
    expect(envelope.rendered_prompt).toMatch(/Skip greetings and personalized openers — go straight to the answer\.$/);
  });
});

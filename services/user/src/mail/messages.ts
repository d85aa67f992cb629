/**
 * The account mails, in the existing mobius-user's words (its lifecycle emails): the raw token
 * appears only in the link of these mails, never in a log.
 */
export const RESET_SUBJECT = 'Reset your Mobius password';
export const INVITE_SUBJECT = "You've been invited to Mobius";

/** `${base}?token=...` (MOBIUS_SET_PASSWORD_URL_BASE; one page serves both purposes through token-info). */
export function setPasswordLink(base: string, rawToken: string): string {
  return `${base.replace(/\/+$/, '')}?token=${encodeURIComponent(rawToken)}`;
}

const greetingName = (firstName: string | null) => firstName?.trim() || 'there';

export function resetMailText(firstName: string | null, link: string): string {
  return [
    `Hi ${greetingName(firstName)},`,
    '',
    'We received a request to reset your Mobius password. Use the link below to choose a new one:',
    link,
    '',
    "This link expires shortly and can be used once. If you didn't request this, you can ignore this email — your password is unchanged.",
    '',
    '— The Mobius team',
    '',
  ].join('\n');
}

export function inviteMailText(firstName: string | null, link: string, orgName: string | null): string {
  return [
    `Hi ${greetingName(firstName)},`,
    '',
    `You've been invited${orgName ? ` to join ${orgName}` : ''} on Mobius.`,
    '',
    'Set your password to activate your account:',
    link,
    '',
    "This link is valid for a limited time and can be used once. If you weren't expecting this invitation, you can ignore this email.",
    '',
    '— The Mobius team',
    '',
  ].join('\n');
}

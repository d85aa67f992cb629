import { createHash, randomBytes } from 'node:crypto';

/** A single-use token: 32 random bytes, base64url (what the original's secrets.token_urlsafe(32) makes). */
export const newRawToken = (): string => randomBytes(32).toString('base64url');

/** What `user_ext.auth_token.token_hash` holds: the sha256 hex of the raw token. */
export const tokenHash = (raw: string): string => createHash('sha256').update(raw, 'utf8').digest('hex');

/** `a•••@example.com`: enough to recognise, not enough to harvest (the original's mask). */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  const local = at < 0 ? '' : email.slice(0, at);
  const domain = at < 0 ? '' : email.slice(at + 1);
  if (!local || !domain) return '•••';
  return `${[...local][0]}•••@${domain}`;
}

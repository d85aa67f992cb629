import bcrypt from 'bcrypt';
import { PASSWORD_MAX_BYTES } from './input.ts';

/** The contract's bcrypt cost (docs/api/user.md); hashes of the existing service verify alike. */
export const BCRYPT_COST = 12;

/**
 * A cost-12 hash of 32 random bytes nobody kept. Logins for an unknown email are checked against it,
 * so they take as long as a wrong password for a real account and timing does not tell them apart.
 */
const UNKNOWN_USER_HASH = '$2b$12$e67dQeDjcl9NbVdM2vuMQe3zj..tfn8uS5b6G8yQg6by3D2tKZu1W';

/** The bcrypt hash (cost 12) to store for a new password. */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

/**
 * True when `password` matches `hash`. With no hash (unknown user, Google-only account) it still
 * spends one bcrypt comparison and answers false. Passwords over bcrypt's 72 bytes never match:
 * bcrypt would compare only their first 72 bytes.
 */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  const tooLong = Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES;
  const usable = typeof hash === 'string' && hash.startsWith('$2');
  const matches = await bcrypt.compare(password, usable ? hash : UNKNOWN_USER_HASH);
  return matches && usable && !tooLong;
}

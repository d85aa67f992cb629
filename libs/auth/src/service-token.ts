import { createHash, timingSafeEqual } from 'node:crypto';

/** The shortest shared service token accepted: 32 characters (e.g. `openssl rand -hex 32` gives 64). */
export const SERVICE_TOKEN_MIN_LENGTH = 32;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether `given` is the shared service token, in constant time: both are hashed first, so neither
 * the comparison's duration nor an early length mismatch tells an attacker how much of a guess is right.
 */
export function serviceTokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

import { timingSafeEqual } from 'node:crypto';
import { forbidden, unauthorized, UserApiError } from '../errors.ts';
import { currentAccount } from '../auth/current-user.ts';
import type { AuthDeps } from '../auth/types.ts';

/**
 * Who may call `/api/v1/users/*`, as in the original: readers show `X-Internal-Key` equal to
 * MOBIUS_USER_INTERNAL_KEY or a valid Bearer access token of an active user (401 "Unauthorized"
 * otherwise); writers show the key or the Bearer token of a user whose email is in
 * MOBIUS_USER_ADMIN_EMAILS (403 "Forbidden" otherwise). An unset key disables the key path: it
 * never falls open.
 */
export interface DirectoryAccess {
  /** MOBIUS_USER_INTERNAL_KEY; null disables the key. */
  internalKey: string | null;
  /** MOBIUS_USER_ADMIN_EMAILS, lowercased. */
  adminEmails: ReadonlySet<string>;
}

/** The caller's credentials as the transport read them. */
export interface Caller {
  internalKey: string | undefined;
  authorization: string | undefined;
}

/** Who acted, for audit rows: the admin's email, or "internal-key". */
export type Actor = string;

function keyMatches(access: DirectoryAccess, given: string | undefined): boolean {
  const expected = access.internalKey;
  if (!expected || !given?.trim()) return false;
  const a = Buffer.from(given.trim(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The Bearer user's email, or undefined when there is no valid token of an active user. */
async function bearerEmail(deps: AuthDeps, caller: Caller): Promise<string | undefined> {
  if (!caller.authorization) return undefined;
  try {
    return (await currentAccount(deps, caller.authorization)).profile.email.trim().toLowerCase();
  } catch (error) {
    if (error instanceof UserApiError && error.statusCode === 401) return undefined;
    throw error;
  }
}

export async function requireReader(deps: AuthDeps, access: DirectoryAccess, caller: Caller): Promise<void> {
  if (keyMatches(access, caller.internalKey)) return;
  if ((await bearerEmail(deps, caller)) !== undefined) return;
  throw unauthorized();
}

/** The writer's actor name; throws 403 for anyone else. */
export async function requireWriter(deps: AuthDeps, access: DirectoryAccess, caller: Caller): Promise<Actor> {
  if (keyMatches(access, caller.internalKey)) return 'internal-key';
  const email = await bearerEmail(deps, caller);
  if (email !== undefined && access.adminEmails.has(email)) return email;
  throw forbidden();
}

/** What the account lifecycle reads and writes: single-use tokens (reset, invite, handoff) and activities. */

export type TokenPurpose = 'reset' | 'invite' | 'handoff';

/** Why a token cannot be used, in the original's words (answered as the 400's detail). */
export type TokenProblem = 'token_invalid' | 'token_consumed' | 'token_expired' | 'user_inactive';

export interface NewToken {
  userId: string;
  purpose: TokenPurpose;
  /** sha256 hex of the raw token (the raw token is never stored). */
  tokenHash: string;
  ttlSeconds: number;
  createdBy: string | null;
  /** Reset and invite: open tokens of the same purpose stop working (an older link dies). Handoff: false. */
  rotate: boolean;
}

/** A stored token, as token-info and the consumers check it. */
export interface TokenRecord {
  tokenId: string;
  userId: string;
  purpose: string;
  consumed: boolean;
  expired: boolean;
  expiresAt: string;
  email: string;
  userStatus: string | null;
  tenantId: string;
}

/** A user as the reset request and invite need them. */
export interface LifecycleUser {
  userId: string;
  tenantId: string;
  email: string;
  status: string | null;
  firstName: string | null;
  displayName: string | null;
  onboarded: boolean;
}

export interface ActivityRow {
  activity_code: string;
  label: string;
  description: string | null;
}

/** What consuming a token with a new password did. */
export type PasswordTokenResult = { ok: true; userId: string; tenantId: string } | { ok: false; problem: TokenProblem };

export interface LifecycleStore {
  /** The tenant's user with this normalised email, whatever its status. */
  userByEmail(tenantId: string, email: string): Promise<LifecycleUser | undefined>;
  issueToken(token: NewToken): Promise<{ tokenId: string; expiresAt: string }>;
  findToken(tokenHash: string): Promise<TokenRecord | undefined>;
  /**
   * In one transaction, only if the token is still unconsumed, unexpired and of `purpose`: it is
   * consumed, the password set. Reset also revokes every open session; invite activates an invited
   * account and adds its `email` provider link (an account neither invited nor active: user_inactive).
   */
  consumeWithPassword(tokenHash: string, purpose: 'reset' | 'invite', passwordHash: string): Promise<PasswordTokenResult>;
  /** Consumes a handoff code if it is usable and its user active. */
  consumeHandoff(tokenHash: string): Promise<PasswordTokenResult>;
  /** Active activities by display order. */
  activities(): Promise<ActivityRow[]>;
}

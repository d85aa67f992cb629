/**
 * What the user service stores, as the domain sees it (CONTRACTS.md section 6). Only the files of
 * this folder know SQL. Timestamps are ISO 8601 UTC strings with microseconds (`...T10:00:00.123456Z`):
 * the columns are `timestamp` without time zone holding UTC.
 */

/** A user as the API shows it (`user` in login/register/me). */
export interface UserProfile {
  user_id: string;
  tenant_id: string;
  email: string;
  display_name: string | null;
  first_name: string | null;
  preferred_name: string | null;
  status: string | null;
  role: string | null;
  timezone: string | null;
  locale: string | null;
  avatar_url: string | null;
  created_at: string | null;
  last_login_at: string | null;
  onboarding_completed_at: string | null;
}

/** One of the user's activities (`user_activity` joined with `activity`). */
export interface UserActivity {
  activity_id: string;
  activity_code: string;
  label: string;
  description: string | null;
  quick_actions: unknown;
  relevant_data_fields: unknown;
  display_order: number | null;
  is_active: boolean | null;
  is_primary: boolean | null;
  added_at: string | null;
}

/** The user's `user_preference` row. */
export interface UserPreference {
  preference_id: string;
  always_require_oversight: boolean | null;
  notification_preferences: unknown;
  tone: string | null;
  greeting_enabled: boolean | null;
  ai_experience_level: string | null;
  autonomy_routine_tasks: string | null;
  autonomy_sensitive_tasks: string | null;
  display_preferences_json: unknown;
  created_at: string | null;
  updated_at: string | null;
}

/** A user to create with its `email` provider link. */
export interface NewUser {
  tenantId: string;
  /** Already trimmed and lowercased. */
  email: string;
  passwordHash: string;
  displayName: string | null;
  firstName: string | null;
  preferredName: string | null;
  /** Create the tenant row when it is missing (only for the default tenant). */
  createTenantIfMissing: { name: string } | null;
}

export type CreateUserResult =
  | { kind: 'created'; userId: string }
  | { kind: 'email_taken' }
  | { kind: 'tenant_unknown' };

/** What login needs to check a password: only active users of the tenant are candidates. */
export interface LoginCandidate {
  userId: string;
  tenantId: string;
  passwordHash: string | null;
}

/** A session to open at sign-in. */
export interface NewSession {
  sessionId: string;
  userId: string;
  /** sha256 hex of the refresh token. */
  refreshTokenHash: string;
  expiresAt: Date;
  deviceInfo: Record<string, string | null>;
}

/** A stored session with what refresh must check about it and its user. */
export interface SessionRecord {
  sessionId: string;
  userId: string;
  refreshTokenHash: string | null;
  revoked: boolean;
  /** `expires_at` is not after the database's now. */
  expired: boolean;
  userTenantId: string;
  userStatus: string | null;
}

export interface UserStore {
  /**
   * In one transaction: the tenant (created first when asked and missing), the user (status
   * `active`) and its `email` provider link. Concurrent registrations of one email in one tenant
   * create one user: the others get `email_taken` (the unique index decides, never a 500).
   */
  createUser(user: NewUser): Promise<CreateUserResult>;
  /** The active user of `tenantId` with this (normalised) email, if any. */
  findLoginCandidate(tenantId: string, email: string): Promise<LoginCandidate | undefined>;
  /** The user's profile, whatever its status. */
  profile(userId: string): Promise<UserProfile | undefined>;
  activities(userId: string): Promise<UserActivity[]>;
  /** The user's preference row, or null; never creates one. */
  preference(userId: string): Promise<UserPreference | null>;
}

export interface SessionStore {
  /** In one transaction: inserts the session and records the login (`last_login_at`, the email link's `last_used_at`). */
  signIn(session: NewSession): Promise<void>;
  find(sessionId: string): Promise<SessionRecord | undefined>;
  /** Sets `revoked_at` on the session if it is not revoked yet; false when it already was (or does not exist). */
  revoke(sessionId: string): Promise<boolean>;
  /** Revokes every unrevoked session of the user; returns how many. */
  revokeAllOfUser(userId: string): Promise<number>;
}

/** Everything the user service stores. */
export interface UserRepository {
  users: UserStore;
  sessions: SessionStore;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
}

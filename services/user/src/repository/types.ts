/**
 * What the user service stores, as the domain sees it (docs/contracts.md, "The user database", plus the `user_ext`
 * schema of migration 002). Only the files of this folder know SQL. Timestamps are ISO 8601 UTC
 * strings with microseconds (`...T10:00:00.123456Z`): the columns are `timestamp` holding UTC.
 */

import type { DirectoryStore } from './directory-types.ts';
import type { LifecycleStore } from './lifecycle-types.ts';
import type { DirectoryAdminStore } from './directory-admin-types.ts';

/** The `app_user` row as the service reads it. */
export interface UserProfile {
  user_id: string;
  tenant_id: string;
  email: string;
  display_name: string | null;
  first_name: string | null;
  preferred_name: string | null;
  status: string | null;
  timezone: string | null;
  locale: string | null;
  avatar_url: string | null;
  created_at: string | null;
  last_login_at: string | null;
  onboarding_completed_at: string | null;
}

/** One of the user's activities, as the original's envelope lists them. */
export interface UserActivity {
  activity_code: string;
  label: string;
  is_primary: boolean | null;
}

/** The user's `user_preference` row (with its hesitation chips from user_ext). */
export interface UserPreference {
  tone: string | null;
  greeting_enabled: boolean | null;
  ai_experience_level: string | null;
  autonomy_routine_tasks: string | null;
  autonomy_sensitive_tasks: string | null;
  hesitations: string[];
}

/** An org membership (`user_ext.user_org_membership`). */
export interface Membership {
  org_slug: string;
  display_name: string;
  roles: string[];
  status: string;
}

/** An active capability grant; org_slug null is a global grant. */
export interface Capability {
  capability: string;
  org_slug: string | null;
}

/** Everything the envelope and `me` show about a user, read together. */
export interface Account {
  profile: UserProfile;
  activities: UserActivity[];
  preference: UserPreference | null;
  memberships: Membership[];
  capabilities: Capability[];
}

/** A user to create with its first provider link. */
export interface NewUser {
  tenantId: string;
  /** Already trimmed and lowercased. */
  email: string;
  /** Null for a Google-only account. */
  passwordHash: string | null;
  displayName: string | null;
  firstName: string | null;
  preferredName: string | null;
  avatarUrl: string | null;
  /** `email` (provider_user_id = the user id) or `google` (provider_user_id = the token's `sub`). */
  provider: { name: 'email' } | { name: 'google'; providerUserId: string };
}

export type CreateUserResult = { kind: 'created'; userId: string } | { kind: 'email_taken' };

/** A user found by email or provider link: enough to check and sign in. */
export interface UserKey {
  userId: string;
  tenantId: string;
  status: string | null;
  passwordHash: string | null;
}

/** A session to open at sign-in. */
export interface NewSession {
  sessionId: string;
  userId: string;
  /** sha256 hex of the refresh token. */
  refreshTokenHash: string;
  expiresAt: Date;
  deviceInfo: Record<string, unknown>;
  /** The provider whose link's `last_used_at` is stamped. */
  provider: 'email' | 'google';
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
   * In one transaction: the user (status `active`) and its provider link. The default tenant is
   * created when missing; another tenant must exist (callers check registrationOpen first).
   * Concurrent registrations of one email in one tenant create one user (the unique index decides).
   */
  createUser(user: NewUser): Promise<CreateUserResult>;
  /** The tenant's user with this (normalised) email, whatever its status. */
  findByEmail(tenantId: string, email: string): Promise<UserKey | undefined>;
  /** The user linked to this provider identity, whatever its status. */
  findByProvider(provider: 'google', providerUserId: string): Promise<UserKey | undefined>;
  /** Adds a provider link to an existing user (idempotent on the provider identity). */
  linkProvider(userId: string, provider: 'google', providerUserId: string, email: string): Promise<void>;
  /** True for the default tenant; for another, when it exists with open_registration. */
  registrationOpen(tenantId: string): Promise<boolean>;
  /** The user's profile, activities, preference, memberships and capabilities; undefined if no such user. */
  account(userId: string): Promise<Account | undefined>;
}

/** PUT /onboarding: the user's row, preference and activities in one transaction. */
export interface OnboardingWrite {
  preferredName: string | null;
  timezone: string;
  tone: string;
  greetingEnabled: boolean;
  aiExperienceLevel: string;
  autonomyRoutineTasks: string;
  autonomySensitiveTasks: string;
  /** Activity codes in order (the first is primary); unknown codes are skipped. */
  activities: string[];
}

/** PUT /preferences: only the given fields change; each change gets an audit row with `source`. */
export interface PreferencesWrite {
  source: string;
  user: Partial<Record<'preferred_name' | 'timezone' | 'locale', string>>;
  preference: Partial<Record<'tone' | 'ai_experience_level' | 'autonomy_routine_tasks' | 'autonomy_sensitive_tasks', string>> & {
    greeting_enabled?: boolean;
  };
  hesitations?: string[];
  activities?: string[];
  /** A self-claimed org: a pending membership replacing the others unless already a member of it. */
  organization?: { slug: string; displayName: string };
}

export interface PreferenceStore {
  completeOnboarding(userId: string, write: OnboardingWrite): Promise<void>;
  updatePreferences(userId: string, write: PreferencesWrite): Promise<void>;
}

export interface SessionStore {
  /** In one transaction: inserts the session and records the login (`last_login_at`, the link's `last_used_at`). */
  signIn(session: NewSession): Promise<void>;
  find(sessionId: string): Promise<SessionRecord | undefined>;
  /** Sets `revoked_at` on the session if it is not revoked yet; false when it already was (or does not exist). */
  revoke(sessionId: string): Promise<boolean>;
}

/** Everything the user service stores. */
export interface UserRepository {
  users: UserStore;
  preferences: PreferenceStore;
  sessions: SessionStore;
  directory: DirectoryStore;
  /** The directory's rosters, approvals, aliases, capabilities, invites, agents and beacons. */
  directoryAdmin: DirectoryAdminStore;
  /** Reset, invite and handoff tokens; the activity catalogue. */
  lifecycle: LifecycleStore;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
}

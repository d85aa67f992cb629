/** What `/api/v1/users/*` reads and writes (the identity directory other apps call). */
import type { Account } from './types.ts';

/** A user found by the directory, with what its answers show. */
export interface DirectoryUser extends Account {
  /** How many sessions the user has opened (capped at 2: "first session" is all that is asked). */
  sessionCount: number;
  /** An invite token was ever issued for the user. */
  invited: boolean;
  /** `agent:{name}` for an agent principal (user_ext.agent_principal), else null. */
  agentHandle: string | null;
  /** The user's aliases (user_ext.user_alias), by alias. */
  aliases: string[];
}

/** A candidate of `/resolve`: the user and the names it is matched on. */
export interface ResolveCandidate {
  userId: string;
  displayName: string | null;
  firstName: string | null;
  preferredName: string | null;
  email: string | null;
  /** Member (active) of the org the caller boosted. */
  inBoostedOrg: boolean;
  /** `agent:{name}` for an agent principal, else null. */
  agentHandle: string | null;
  /** The user's matching alias of highest weight, if the match came (also) through an alias. */
  alias: { alias: string; weight: number } | null;
}

export interface MembershipWrite {
  userId: string;
  slug: string;
  displayName: string;
  roles: string[];
  actor: string;
}

export interface DirectoryStore {
  /** user_id, else a provider link's provider_user_id, else an active user's email (case-insensitive). */
  findByIdentity(subject: string): Promise<DirectoryUser | undefined>;
  find(userId: string): Promise<DirectoryUser | undefined>;
  /** Active users whose names, email, agent handle or an alias contain `needle` (lowercase), at most `limit` x 10 rows read. */
  resolve(needle: string, boostOrg: string | null, limit: number): Promise<ResolveCandidate[]>;
  /** Upserts an active membership with these roles; a pending or removed one becomes active (audited). */
  upsertMembership(write: MembershipWrite): Promise<void>;
  /** Deletes the membership; false when there was none. */
  deleteMembership(userId: string, slug: string): Promise<boolean>;
  /** status -> disabled, every session and capability revoked; audited. */
  deactivate(userId: string, actor: string): Promise<{ alreadyDisabled: boolean; sessionsRevoked: number; capabilitiesRevoked: number }>;
  /** disabled -> active (audited); answers the status found when it was not disabled. */
  reactivate(userId: string, actor: string): Promise<{ reactivated: true } | { reactivated: false; status: string | null }>;
}

/** The directory's admin reads and writes (roster, approval queue, aliases, capabilities, invites, agents, beacons). */

/** A member of an org as `/directory` lists them (active membership, active account). */
export interface OrgMemberRow {
  userId: string;
  displayName: string | null;
  preferredName: string | null;
  firstName: string | null;
  email: string | null;
  agentHandle: string | null;
  roles: string[];
}

/** A membership of an org at any status, with the account's status (`/org/{slug}/members`). */
export interface RosterRow {
  userId: string;
  displayName: string | null;
  email: string | null;
  isAgent: boolean;
  roles: string[];
  accountStatus: string | null;
  membershipStatus: string;
}

/** A pending self-claimed membership (`/pending-memberships`). */
export interface PendingRow {
  userId: string;
  displayName: string | null;
  email: string | null;
  orgSlug: string;
  orgDisplayName: string | null;
  claimedAt: string | null;
}

export type MembershipTransition = 'approve' | 'remove' | 'restore';

export type TransitionResult =
  | { kind: 'done'; previous: string; roles: string[] }
  | { kind: 'missing' }
  /** approve of a removed membership (restore it instead). */
  | { kind: 'removed' };

/** An invite: a new `invited` account (or a re-invite), its token, and maybe a membership. */
export interface InviteWrite {
  tenantId: string;
  email: string;
  firstName: string | null;
  displayName: string | null;
  org: { slug: string; roles: string[] } | null;
  invitedBy: string | null;
  tokenHash: string;
  ttlSeconds: number;
}

export interface InviteMembership {
  applied: true;
  org_slug: string;
  org_display_name: string;
  validated: false;
  roles: string[];
}

export type InviteResult =
  /** An active or disabled account and no org to add it to. */
  | { kind: 'exists'; userId: string; status: string | null }
  /** An existing account added to the org (a disabled one reactivated). */
  | { kind: 'added'; userId: string; displayName: string; reactivated: boolean; membership: InviteMembership }
  | {
      kind: 'invited';
      created: boolean;
      userId: string;
      tokenId: string;
      displayName: string;
      firstName: string | null;
      expiresAt: string;
      membership: InviteMembership | null;
    };

export interface AccessEvent {
  userId: string | null;
  surface: string;
  orgSlug: string | null;
  action: string | null;
}

export interface DirectoryAdminStore {
  orgDirectory(slug: string): Promise<OrgMemberRow[]>;
  orgRoster(slug: string, limit: number): Promise<RosterRow[]>;
  pendingMemberships(slug: string | null, limit: number): Promise<PendingRow[]>;
  /** approve: pending -> active; remove: any -> removed; restore: removed -> active. Audited; idempotent on the target status. */
  transitionMembership(userId: string, slug: string, transition: MembershipTransition, actor: string): Promise<TransitionResult>;
  /** False when an active grant of it already exists. */
  grantCapability(userId: string, capability: string, org: string | null, grantedBy: string): Promise<boolean>;
  /** False when there is no active grant of it. */
  revokeCapability(userId: string, capability: string, org: string | null, revokedBy: string): Promise<boolean>;
  upsertAlias(userId: string, alias: string, weight: number): Promise<void>;
  deleteAlias(userId: string, alias: string): Promise<boolean>;
  invite(write: InviteWrite): Promise<InviteResult>;
  /**
   * The agent's user id by its handle, created (status active, no password) when missing; `email_taken`
   * when another account of the tenant has the email.
   */
  enrollAgent(agent: {
    tenantId: string;
    handle: string;
    displayName: string;
    email: string;
  }): Promise<{ userId: string; created: boolean } | { emailTaken: true }>;
  recordAccess(event: AccessEvent): Promise<void>;
}

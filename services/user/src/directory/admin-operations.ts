/**
 * The rest of `/api/v1/users/*` as the existing mobius-user answers it (docs/api/user.md): the
 * org directory (mentions), the org roster and the approval queue, membership approve / remove /
 * restore, capabilities, aliases, invites, agent principals and the access beacon. Readers and
 * writers as access.ts says. The original validates org slugs against the roster service's org
 * registry; here a slug is taken as given (`validated: false`), as upsertMembership does.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_TENANT_ID } from '@mobius/auth';
import { z } from 'zod';
import { currentAccount } from '../auth/current-user.ts';
import { normalizeEmail } from '../auth/input.ts';
import { orgSlug } from '../auth/org-slug.ts';
import { parseBody } from '../auth/validation.ts';
import { conflict, notFound, UserApiError, ValidationFailed } from '../errors.ts';
import { newRawToken, tokenHash } from '../lifecycle/tokens.ts';
import { INVITE_SUBJECT, inviteMailText, setPasswordLink } from '../mail/messages.ts';
import type { MembershipTransition } from '../repository/directory-admin-types.ts';
import { requireReader, requireWriter } from './access.ts';
import type { DirectoryDeps, DirectoryRequest } from './operations.ts';
import { candidate, directoryProfile } from './views.ts';

const unprocessable = (detail: string) => new UserApiError(422, 'VALIDATION_FAILED', detail);

/** Query parameters checked as FastAPI's Query(...): a 422 with `loc: ['query', name]`. */
function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  try {
    return parseBody(schema, query);
  } catch (error) {
    if (!(error instanceof ValidationFailed)) throw error;
    throw new ValidationFailed(error.problems.map((p) => ({ ...p, loc: ['query', ...p.loc.slice(1)] })));
  }
}

/** The path's user, which must exist (404 "Unknown user"). */
async function existingUserId(deps: DirectoryDeps, request: DirectoryRequest): Promise<string> {
  const user = await deps.repository.directory.find(request.params.user_id ?? '');
  if (!user) throw notFound('Unknown user');
  return user.profile.user_id;
}

/** `GET /directory?org_slug=&q=&limit=` (reader): the org's active members, a hard filter; q ranks prefix before substring. */
export async function orgDirectory(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireReader(deps, deps.access, request);
  const query = parseQuery(
    z.object({ org_slug: z.string().min(1).max(255), q: z.string().max(255).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }),
    request.query,
  );
  const slug = orgSlug(query.org_slug);
  const needle = (query.q ?? '').trim().toLowerCase();
  const rank = (names: Array<string | null>) => {
    if (!needle) return 0;
    let best = -1;
    for (const name of names.map((n) => (n ?? '').toLowerCase()).filter(Boolean)) {
      if (name.startsWith(needle)) best = Math.max(best, 2);
      else if (name.includes(needle)) best = Math.max(best, 1);
    }
    return best;
  };
  const members = (await deps.repository.directoryAdmin.orgDirectory(slug))
    .map((row) => ({ row, score: rank([row.displayName, row.firstName, row.preferredName, row.email]) }))
    .filter(({ score }) => !needle || score >= 0)
    .sort((a, b) => b.score - a.score || (a.row.displayName ?? '').toLowerCase().localeCompare((b.row.displayName ?? '').toLowerCase()));
  return {
    ok: true,
    org_slug: slug,
    members: members.slice(0, query.limit).map(({ row }) => ({ ...candidate(row), roles: row.roles })),
    total: members.length,
  };
}

/** `GET /org/{org_slug}/members?limit=` (writer): every membership at any status, with both statuses. */
export async function orgMembers(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireWriter(deps, deps.access, request);
  const { limit } = parseQuery(z.object({ limit: z.coerce.number().int().min(1).max(500).default(200) }), request.query);
  const slug = orgSlug(request.params.org_slug ?? '');
  const rows = await deps.repository.directoryAdmin.orgRoster(slug, limit);
  return {
    ok: true,
    org_slug: slug,
    members: rows.map((row) => ({
      user_id: row.userId,
      display_name: row.displayName,
      email: row.email,
      is_agent: row.isAgent,
      roles: row.roles,
      account_status: row.accountStatus,
      membership_status: row.membershipStatus,
    })),
  };
}

/** `GET /pending-memberships?org_slug=&limit=` (writer): self-claimed memberships awaiting approval, oldest first. */
export async function pendingMemberships(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireWriter(deps, deps.access, request);
  const query = parseQuery(
    z.object({ org_slug: z.string().max(255).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    request.query,
  );
  const rows = await deps.repository.directoryAdmin.pendingMemberships(query.org_slug ? orgSlug(query.org_slug) : null, query.limit);
  return {
    ok: true,
    pending: rows.map((row) => ({
      user_id: row.userId,
      display_name: row.displayName,
      email: row.email,
      org_slug: row.orgSlug,
      org_display_name: row.orgDisplayName,
      claimed_at: row.claimedAt,
    })),
  };
}

async function transition(deps: DirectoryDeps, request: DirectoryRequest, kind: MembershipTransition) {
  const actor = await requireWriter(deps, deps.access, request);
  const userId = await existingUserId(deps, request);
  const slug = orgSlug(request.params.org_slug ?? '');
  const result = await deps.repository.directoryAdmin.transitionMembership(userId, slug, kind, actor);
  if (result.kind === 'missing') throw notFound(kind === 'restore' ? 'No removed membership' : 'Unknown membership');
  if (result.kind === 'removed') throw conflict('Membership is removed; use /restore');
  return { userId, slug, result };
}

/** `POST /{user_id}/orgs/{org_slug}/approve` (writer): pending -> active (idempotent); 409 for a removed one. */
export async function approveMembership(deps: DirectoryDeps, request: DirectoryRequest) {
  const { userId, slug, result } = await transition(deps, request, 'approve');
  return { ok: true, user_id: userId, org_slug: slug, status: 'active', already_active: result.kind === 'done' && result.previous === 'active' };
}

/** `POST /{user_id}/orgs/{org_slug}/remove` (writer): soft removal, roles kept for restore. */
export async function removeFromOrg(deps: DirectoryDeps, request: DirectoryRequest) {
  const { userId, slug, result } = await transition(deps, request, 'remove');
  return {
    ok: true,
    user_id: userId,
    org_slug: slug,
    membership_status: 'removed',
    already_removed: result.kind === 'done' && result.previous === 'removed',
  };
}

/** `POST /{user_id}/orgs/{org_slug}/restore` (writer): removed -> active with its roles; 404 "No removed membership". */
export async function restoreToOrg(deps: DirectoryDeps, request: DirectoryRequest) {
  const { userId, slug, result } = await transition(deps, request, 'restore');
  return { ok: true, user_id: userId, org_slug: slug, membership_status: 'active', roles: result.kind === 'done' ? result.roles : [] };
}

/** `POST /{user_id}/capabilities {capability, org_slug?}` (writer): idempotent on an active grant. */
export async function grantCapability(deps: DirectoryDeps, request: DirectoryRequest) {
  const actor = await requireWriter(deps, deps.access, request);
  const userId = await existingUserId(deps, request);
  const body = parseBody(z.object({ capability: z.string().min(1).max(50), org_slug: z.string().max(255).nullish() }), request.body);
  const capability = body.capability.trim().toLowerCase();
  if (!capability) throw unprocessable('Capability required');
  const org = body.org_slug ? orgSlug(body.org_slug) || null : null;
  const granted = await deps.repository.directoryAdmin.grantCapability(userId, capability, org, actor);
  return granted
    ? { ok: true, granted: true, capability, org_slug: org }
    : { ok: true, granted: false, already_active: true, capability, org_slug: org };
}

/** `DELETE /{user_id}/capabilities/{capability}?org_slug=` (writer): stamps the revocation; 404 "No active grant". */
export async function revokeCapability(deps: DirectoryDeps, request: DirectoryRequest) {
  const actor = await requireWriter(deps, deps.access, request);
  const userId = await existingUserId(deps, request);
  const query = parseQuery(z.object({ org_slug: z.string().max(255).optional() }), request.query);
  const capability = (request.params.capability ?? '').trim().toLowerCase();
  const org = query.org_slug ? orgSlug(query.org_slug) || null : null;
  if (!(await deps.repository.directoryAdmin.revokeCapability(userId, capability, org, actor))) throw notFound('No active grant');
  return { ok: true, revoked: true, capability, org_slug: org };
}

/** `POST /{user_id}/aliases {alias, weight}` (writer): adds the alias or updates its weight. */
export async function addAlias(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireWriter(deps, deps.access, request);
  const userId = await existingUserId(deps, request);
  const body = parseBody(z.object({ alias: z.string().min(1).max(255), weight: z.number().int().min(-100).max(100).default(0) }), request.body);
  const alias = body.alias.trim();
  if (!alias) throw unprocessable('Alias required');
  await deps.repository.directoryAdmin.upsertAlias(userId, alias, body.weight);
  return { ok: true, user_id: userId, alias };
}

/** `DELETE /{user_id}/aliases/{alias}` (writer); 404 "Unknown alias". */
export async function removeAlias(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireWriter(deps, deps.access, request);
  const userId = await existingUserId(deps, request);
  if (!(await deps.repository.directoryAdmin.deleteAlias(userId, request.params.alias ?? ''))) throw notFound('Unknown alias');
  return { ok: true };
}

const inviteBodySchema = z.object({
  email: z.string().min(3).max(255),
  first_name: z.string().max(100).nullish(),
  display_name: z.string().max(255).nullish(),
  org_slug: z.string().max(255).nullish(),
  roles: z.array(z.string().max(100)).max(50).nullish(),
  invited_by: z.string().max(255).nullish(),
});

/**
 * `POST /invite` (writer): a new `invited` account in the default tenant and a mailed set-password
 * link (201), or a re-invite of an account still invited (a new link, the old one dead; 200). An
 * active or disabled account with an org_slug is added to that org (a disabled one reactivated; 200);
 * without one it is a 409 whose detail is `{ok: false, error: "email_exists", user_id, status}`.
 * `email_sent` says whether the mailer took the mail.
 */
export async function inviteUser(deps: DirectoryDeps, request: DirectoryRequest) {
  const actor = await requireWriter(deps, deps.access, request);
  const body = parseBody(inviteBodySchema, request.body);
  const email = normalizeEmail(body.email);
  if (!email.includes('@') || !z.email().safeParse(email).success) throw unprocessable('invalid_email');
  let org: { slug: string; roles: string[] } | null = null;
  let skipped: { applied: false; reason: string } | null = null;
  if (body.org_slug?.trim()) {
    const slug = orgSlug(body.org_slug);
    if (!slug || body.org_slug.trim().startsWith('_')) skipped = { applied: false, reason: 'invalid_org_slug' };
    else org = { slug, roles: [...new Set((body.roles ?? []).map((r) => r.trim()).filter(Boolean))].sort() };
  }
  const raw = newRawToken();
  const result = await deps.repository.directoryAdmin.invite({
    tenantId: DEFAULT_TENANT_ID,
    email,
    firstName: body.first_name?.trim() || null,
    displayName: body.display_name?.trim() || null,
    org,
    invitedBy: body.invited_by?.trim() || actor,
    tokenHash: tokenHash(raw),
    ttlSeconds: deps.mail.inviteTtlSeconds,
  });
  if (result.kind === 'exists') {
    throw conflict('email_exists', { ok: false, error: 'email_exists', user_id: result.userId, status: result.status });
  }
  if (result.kind === 'added') {
    return {
      status: 200,
      body: {
        ok: true,
        created: false,
        existing_account: true,
        reactivated: result.reactivated,
        user_id: result.userId,
        email,
        display_name: result.displayName,
        status: 'active',
        email_sent: false,
        membership: result.membership,
      },
    };
  }
  const emailSent = await sendInvite(deps, email, raw, result.firstName, org?.slug ?? null, result.tokenId);
  const membership = result.membership ?? skipped;
  return {
    status: result.created ? 201 : 200,
    body: {
      ok: true,
      created: result.created,
      user_id: result.userId,
      email,
      display_name: result.displayName,
      status: 'invited',
      invite_expires_at: result.expiresAt,
      email_sent: emailSent,
      ...(membership ? { membership } : {}),
    },
  };
}

/** The invite mail; false (logged) when there is no link base or the mailer refused it. */
async function sendInvite(deps: DirectoryDeps, email: string, raw: string, firstName: string | null, org: string | null, tokenId: string) {
  const base = deps.mail.setPasswordUrlBase;
  if (!base) {
    deps.mail.logger.warn('invite created but MOBIUS_SET_PASSWORD_URL_BASE is unset: no mail sent');
    return false;
  }
  try {
    await deps.mail.mailer.send({
      to: email,
      subject: INVITE_SUBJECT,
      text: inviteMailText(firstName, setPasswordLink(base, raw), org),
      intent: 'account_invite',
      idempotencyKey: `invite:${tokenId}`,
    });
    return true;
  } catch (error) {
    deps.mail.logger.warn({ err: error }, 'invite mail not sent');
    return false;
  }
}

/**
 * `POST /agents {name, display_name?, email?}` (writer): enrolls the agent principal `agent:{name}`
 * (or answers the existing one: idempotent); 409 "Email already registered" when its email is another
 * account's. app_user.email is required by the contract's schema, so an agent without an email is
 * stored as `agent-<16 hex of its handle's sha256>@agents.invalid`.
 */
export async function enrollAgent(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireWriter(deps, deps.access, request);
  const body = parseBody(
    z.object({ name: z.string().min(1).max(200), display_name: z.string().max(255).nullish(), email: z.string().max(255).nullish() }),
    request.body,
  );
  const name = body.name
    .trim()
    .toLowerCase()
    .replace(/^agent:/, '');
  if (!name) throw unprocessable('Agent name required');
  const handle = `agent:${name}`;
  // One placeholder per handle (app_user.email is unique per tenant, and names may differ only in symbols).
  const email = body.email?.trim()
    ? normalizeEmail(body.email)
    : `agent-${createHash('sha256').update(handle).digest('hex').slice(0, 16)}@agents.invalid`;
  const enrolled = await deps.repository.directoryAdmin.enrollAgent({
    tenantId: DEFAULT_TENANT_ID,
    handle,
    displayName: body.display_name?.trim() || name,
    email,
  });
  if ('emailTaken' in enrolled) throw conflict('Email already registered');
  const user = await deps.repository.directory.find(enrolled.userId);
  if (!user) throw notFound('Unknown user');
  return { ok: true, created: enrolled.created, user: directoryProfile(user) };
}

const beaconBodySchema = z.object({
  surface: z.string().min(1).max(40),
  org_slug: z.string().max(255).nullish(),
  action: z.string().max(40).nullish(),
});

/**
 * `POST /access-beacon {surface, org_slug?, action?}` (reader) -> 202 `{ok: true}`: one usage row,
 * its user taken from the Bearer token (never from the body). A failed write answers `{ok: false}`,
 * never an error: a dropped beacon must not block anyone.
 */
export async function accessBeacon(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireReader(deps, deps.access, request);
  const body = parseBody(beaconBodySchema, request.body);
  let userId: string | null = null;
  if (request.authorization) {
    try {
      userId = (await currentAccount(deps, request.authorization)).profile.user_id;
    } catch {
      userId = null;
    }
  }
  try {
    await deps.repository.directoryAdmin.recordAccess({
      userId,
      surface: body.surface.trim().slice(0, 40),
      orgSlug: body.org_slug ? orgSlug(body.org_slug) || null : null,
      action: body.action?.trim().slice(0, 40) || null,
    });
  } catch (error) {
    deps.mail.logger.warn({ err: error }, 'access beacon not recorded');
    return { ok: false };
  }
  return { ok: true };
}

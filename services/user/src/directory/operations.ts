import { z } from 'zod';
import { orgSlug } from '../auth/org-slug.ts';
import type { AuthDeps } from '../auth/types.ts';
import { parseBody } from '../auth/validation.ts';
import { conflict, notFound, UserApiError, ValidationFailed } from '../errors.ts';
import type { ResolveCandidate } from '../repository/directory-types.ts';
import { requireReader, requireWriter, type Caller, type DirectoryAccess } from './access.ts';
import { candidate, directoryProfile, identityView } from './views.ts';

/** A directory request: the caller's credentials, the path parameters, the query string and the body. */
export interface DirectoryRequest extends Caller {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface DirectoryDeps extends AuthDeps {
  access: DirectoryAccess;
}

/** Query parameters checked as FastAPI's Query(...) would: a 422 with `loc: ['query', name]`. */
function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  try {
    return parseBody(schema, query);
  } catch (error) {
    if (!(error instanceof ValidationFailed)) throw error;
    throw new ValidationFailed(error.problems.map((p) => ({ ...p, loc: ['query', ...p.loc.slice(1)] })));
  }
}

const resolveQuery = z.object({
  q: z.string().min(1).max(255),
  org: z.string().max(255).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

/**
 * The original's ranking: exact name 100, prefix 60, substring 30 over the names, email, agent handle
 * and the best matching alias, plus that alias's weight, +20 for a member of the boosted org.
 */
function score(user: ResolveCandidate, needle: string): number {
  const names = [user.displayName, user.firstName, user.preferredName, user.email, user.agentHandle, user.alias?.alias].map((n) =>
    (n ?? '').toLowerCase(),
  );
  let best = 0;
  for (const name of names.filter(Boolean)) {
    best = Math.max(best, name === needle ? 100 : name.startsWith(needle) ? 60 : name.includes(needle) ? 30 : 0);
  }
  return best + (user.alias?.weight ?? 0) + (user.inBoostedOrg ? 20 : 0);
}

/** `GET /resolve?q=&org=&limit=` (reader): ranked candidates for natural-language assignment. */
export async function resolveUsers(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireReader(deps, deps.access, request);
  const query = parseQuery(resolveQuery, request.query);
  const needle = query.q.trim().toLowerCase();
  const rows = await deps.repository.directory.resolve(needle, query.org ? orgSlug(query.org) : null, query.limit);
  const ranked = rows
    .map((row) => ({ row, score: score(row, needle) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, query.limit);
  return { ok: true, query: query.q, candidates: ranked.map(({ row }) => candidate(row)) };
}

/** `GET /by-identity?subject=` (reader): user id, provider id or email -> the active user; else 404. */
export async function userByIdentity(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireReader(deps, deps.access, request);
  const { subject } = parseQuery(z.object({ subject: z.string().min(1).max(255) }), request.query);
  const user = await deps.repository.directory.findByIdentity(subject.trim());
  if (user?.profile.status !== 'active') throw notFound('Unknown identity');
  return { ok: true, user: identityView(user) };
}

/** `GET /{user_id}` (reader): the directory profile, whatever the account's status; else 404 "Unknown user". */
export async function userProfile(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireReader(deps, deps.access, request);
  const user = await deps.repository.directory.find(request.params.user_id ?? '');
  if (!user) throw notFound('Unknown user');
  return { ok: true, user: directoryProfile(user) };
}

/** The path's user, which must exist (404 "Unknown user"). */
async function existingUserId(deps: DirectoryDeps, request: DirectoryRequest): Promise<string> {
  const user = await deps.repository.directory.find(request.params.user_id ?? '');
  if (!user) throw notFound('Unknown user');
  return user.profile.user_id;
}

/**
 * `PUT /{user_id}/orgs/{org_slug}` (writer) `{roles}`: the membership becomes active with these
 * roles (deduplicated, sorted). The original checks the slug against the roster service's org
 * registry; here it is taken as given (`validated: false`).
 */
export async function upsertMembership(deps: DirectoryDeps, request: DirectoryRequest) {
  const actor = await requireWriter(deps, deps.access, request);
  const userId = await existingUserId(deps, request);
  const raw = request.params.org_slug ?? '';
  const slug = orgSlug(raw);
  if (!slug || raw.trim().startsWith('_')) throw new UserApiError(422, 'VALIDATION_FAILED', 'Invalid org slug');
  const body = parseBody(z.object({ roles: z.array(z.string().max(100)).max(50).default([]) }), request.body ?? {});
  const roles = [...new Set(body.roles.map((r) => r.trim()).filter(Boolean))].sort();
  await deps.repository.directory.upsertMembership({ userId, slug, displayName: slug, roles, actor });
  return { ok: true, user_id: userId, org_slug: slug, display_name: slug, roles, status: 'active', validated: false };
}

/** `DELETE /{user_id}/orgs/{org_slug}` (writer); 404 "Unknown membership". */
export async function deleteMembership(deps: DirectoryDeps, request: DirectoryRequest) {
  await requireWriter(deps, deps.access, request);
  const userId = await existingUserId(deps, request);
  if (!(await deps.repository.directory.deleteMembership(userId, orgSlug(request.params.org_slug ?? '')))) {
    throw notFound('Unknown membership');
  }
  return { ok: true };
}

/** `POST /{user_id}/deactivate` (writer): login blocked, sessions and capabilities revoked, audited. */
export async function deactivateUser(deps: DirectoryDeps, request: DirectoryRequest) {
  const actor = await requireWriter(deps, deps.access, request);
  const userId = await existingUserId(deps, request);
  const result = await deps.repository.directory.deactivate(userId, actor);
  return {
    ok: true,
    user_id: userId,
    account_status: 'disabled',
    already_disabled: result.alreadyDisabled,
    sessions_revoked: result.sessionsRevoked,
    capabilities_revoked: result.capabilitiesRevoked,
  };
}

/** `POST /{user_id}/reactivate` (writer): disabled -> active; 409 for an account that is not disabled. */
export async function reactivateUser(deps: DirectoryDeps, request: DirectoryRequest) {
  const actor = await requireWriter(deps, deps.access, request);
  const userId = await existingUserId(deps, request);
  const result = await deps.repository.directory.reactivate(userId, actor);
  if (!result.reactivated) throw conflict(`Account is '${result.status}', not disabled`);
  return { ok: true, user_id: userId, account_status: 'active', note: 'capabilities remain revoked; re-grant deliberately' };
}

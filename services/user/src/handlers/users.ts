import {
  accessBeacon,
  addAlias,
  approveMembership,
  enrollAgent,
  grantCapability,
  inviteUser,
  orgDirectory,
  orgMembers,
  pendingMemberships,
  removeAlias,
  removeFromOrg,
  restoreToOrg,
  revokeCapability,
} from '../directory/admin-operations.ts';
import {
  deactivateUser,
  deleteMembership,
  reactivateUser,
  resolveUsers,
  upsertMembership,
  userByIdentity,
  userProfile,
  type DirectoryDeps,
  type DirectoryRequest,
} from '../directory/operations.ts';
import type { Route, RouteRequest, RouteResponse } from './types.ts';

type Operation = (deps: DirectoryDeps, request: DirectoryRequest) => Promise<unknown>;

const route = (deps: DirectoryDeps, method: Route['method'], url: string, operation: Operation, status = 200): Route => ({
  method,
  url,
  async handle(request: RouteRequest) {
    return { status, body: await operation(deps, request) };
  },
});

/**
 * `/api/v1/users/*`, the identity directory other apps call (directory/operations.ts and
 * admin-operations.ts): readers with the internal key or a Bearer token, writers with the key or an
 * admin's Bearer token. Static paths are registered beside `/:user_id`; the router prefers them.
 */
export function userRoutes(deps: DirectoryDeps): Route[] {
  return [
    route(deps, 'GET', '/resolve', resolveUsers),
    route(deps, 'GET', '/by-identity', userByIdentity),
    route(deps, 'GET', '/directory', orgDirectory),
    route(deps, 'GET', '/org/:org_slug/members', orgMembers),
    route(deps, 'GET', '/pending-memberships', pendingMemberships),
    route(deps, 'POST', '/access-beacon', accessBeacon, 202),
    {
      method: 'POST',
      url: '/invite',
      handle: async (request): Promise<RouteResponse> => inviteUser(deps, request),
    },
    route(deps, 'POST', '/agents', enrollAgent),
    route(deps, 'GET', '/:user_id', userProfile),
    route(deps, 'PUT', '/:user_id/orgs/:org_slug', upsertMembership),
    route(deps, 'DELETE', '/:user_id/orgs/:org_slug', deleteMembership),
    route(deps, 'POST', '/:user_id/orgs/:org_slug/approve', approveMembership),
    route(deps, 'POST', '/:user_id/orgs/:org_slug/remove', removeFromOrg),
    route(deps, 'POST', '/:user_id/orgs/:org_slug/restore', restoreToOrg),
    route(deps, 'POST', '/:user_id/deactivate', deactivateUser),
    route(deps, 'POST', '/:user_id/reactivate', reactivateUser),
    route(deps, 'POST', '/:user_id/capabilities', grantCapability),
    route(deps, 'DELETE', '/:user_id/capabilities/:capability', revokeCapability),
    route(deps, 'POST', '/:user_id/aliases', addAlias),
    route(deps, 'DELETE', '/:user_id/aliases/:alias', removeAlias),
  ];
}

/** The original's `POST /api/v1/access-beacon`, the same beacon at the API root (other surfaces call it there). */
export function accessBeaconAlias(deps: DirectoryDeps): Route {
  return route(deps, 'POST', '/access-beacon', accessBeacon, 202);
}

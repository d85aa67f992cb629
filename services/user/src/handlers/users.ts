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
import type { Route, RouteRequest } from './types.ts';

type Operation = (deps: DirectoryDeps, request: DirectoryRequest) => Promise<unknown>;

const route = (deps: DirectoryDeps, method: Route['method'], url: string, operation: Operation): Route => ({
  method,
  url,
  async handle(request: RouteRequest) {
    return { status: 200, body: await operation(deps, request) };
  },
});

/**
 * `/api/v1/users/*`, the identity directory other apps call (directory/operations.ts): readers with
 * the internal key or a Bearer token, writers with the key or an admin's Bearer token.
 */
export function userRoutes(deps: DirectoryDeps): Route[] {
  return [
    route(deps, 'GET', '/resolve', resolveUsers),
    route(deps, 'GET', '/by-identity', userByIdentity),
    route(deps, 'GET', '/:user_id', userProfile),
    route(deps, 'PUT', '/:user_id/orgs/:org_slug', upsertMembership),
    route(deps, 'DELETE', '/:user_id/orgs/:org_slug', deleteMembership),
    route(deps, 'POST', '/:user_id/deactivate', deactivateUser),
    route(deps, 'POST', '/:user_id/reactivate', reactivateUser),
  ];
}

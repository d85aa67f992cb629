import { me } from '../auth/me.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `GET /api/v1/auth/me` -> 200 with the profile, activities and preference. */
export function meRoute(deps: HandlerDeps): Route {
  return {
    method: 'GET',
    url: '/me',
    async handle(request) {
      return { status: 200, body: await me(deps, request.authorization) };
    },
  };
}

import { logout } from '../auth/logout.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `POST /api/v1/auth/logout` -> always 200 `{ok: true, message: "Logged out"}`. */
export function logoutRoute(deps: HandlerDeps): Route {
  return {
    method: 'POST',
    url: '/logout',
    async handle(request) {
      return { status: 200, body: await logout(deps, request.body) };
    },
  };
}

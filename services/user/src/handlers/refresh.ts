import { refresh } from '../auth/refresh.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `POST /api/v1/auth/refresh` -> 200 with a new access token. */
export function refreshRoute(deps: HandlerDeps): Route {
  return {
    method: 'POST',
    url: '/refresh',
    async handle(request) {
      return { status: 200, body: await refresh(deps, request.body) };
    },
  };
}

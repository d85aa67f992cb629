import { googleSignIn } from '../auth/google.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `POST /api/v1/auth/google` -> 200 with the tokens, the user and `is_new_user`. */
export function googleRoute(deps: HandlerDeps): Route {
  return {
    method: 'POST',
    url: '/google',
    rateLimited: 'google',
    async handle(request) {
      return { status: 200, body: await googleSignIn(deps, request.body, request.client) };
    },
  };
}

import { register } from '../auth/register.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `POST /api/v1/auth/register` -> 200 (FastAPI's default, as the original) with the tokens, the user and `is_new_user`. */
export function registerRoute(deps: HandlerDeps): Route {
  return {
    method: 'POST',
    url: '/register',
    rateLimited: 'register',
    async handle(request) {
      return { status: 200, body: await register(deps, request.body, request.client) };
    },
  };
}

import { login } from '../auth/login.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `POST /api/v1/auth/login` -> 200 with the tokens and the user. */
export function loginRoute(deps: HandlerDeps): Route {
  return {
    method: 'POST',
    url: '/login',
    rateLimited: 'login',
    async handle(request) {
      return { status: 200, body: await login(deps, request.body, request.client) };
    },
  };
}

import { register } from '../auth/register.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `POST /api/v1/auth/register` -> 201 with the tokens and the new user. */
export function registerRoute(deps: HandlerDeps): Route {
  return {
    method: 'POST',
    url: '/register',
    async handle(request) {
      return { status: 201, body: await register(deps, request.body, request.client) };
    },
  };
}

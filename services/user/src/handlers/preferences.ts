import { updatePreferences } from '../auth/preferences.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `PUT /api/v1/auth/preferences` (Bearer) -> 200 `{ok, message, profile}`; audit rows for what changed. */
export function preferencesRoute(deps: HandlerDeps): Route {
  return {
    method: 'PUT',
    url: '/preferences',
    async handle(request) {
      return { status: 200, body: await updatePreferences(deps, request.body, request.authorization) };
    },
  };
}

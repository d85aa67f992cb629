import { completeOnboarding } from '../auth/onboarding.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `PUT /api/v1/auth/onboarding` (Bearer) -> 200 `{ok, message, profile}`. */
export function onboardingRoute(deps: HandlerDeps): Route {
  return {
    method: 'PUT',
    url: '/onboarding',
    async handle(request) {
      return { status: 200, body: await completeOnboarding(deps, request.body, request.authorization) };
    },
  };
}

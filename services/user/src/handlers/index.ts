import { googleRoute } from './google.ts';
import { lifecycleRoutes } from './lifecycle.ts';
import { loginRoute } from './login.ts';
import { logoutRoute } from './logout.ts';
import { meRoute } from './me.ts';
import { onboardingRoute } from './onboarding.ts';
import { preferencesRoute } from './preferences.ts';
import { refreshRoute } from './refresh.ts';
import { registerRoute } from './register.ts';
import type { HandlerDeps, Route } from './types.ts';

export type { HandlerDeps, Route, RouteRequest, RouteResponse } from './types.ts';
export { accessBeaconAlias, userRoutes } from './users.ts';

/** Every route of `/api/v1/auth` (docs/api/user.md). */
export function authRoutes(deps: HandlerDeps): Route[] {
  return [
    registerRoute(deps),
    loginRoute(deps),
    googleRoute(deps),
    refreshRoute(deps),
    logoutRoute(deps),
    meRoute(deps),
    onboardingRoute(deps),
    preferencesRoute(deps),
    ...lifecycleRoutes(deps),
  ];
}

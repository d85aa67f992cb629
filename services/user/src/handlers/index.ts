import { loginRoute } from './login.ts';
import { logoutRoute } from './logout.ts';
import { meRoute } from './me.ts';
import { refreshRoute } from './refresh.ts';
import { registerRoute } from './register.ts';
import type { HandlerDeps, Route } from './types.ts';

export type { HandlerDeps, Route, RouteRequest, RouteResponse } from './types.ts';

/** Every route of `/api/v1/auth` (CONTRACTS.md section 5; `google` is not implemented). */
export function authRoutes(deps: HandlerDeps): Route[] {
  return [registerRoute(deps), loginRoute(deps), refreshRoute(deps), logoutRoute(deps), meRoute(deps)];
}

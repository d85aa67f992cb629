import type { AccessPrincipal } from '@mobius/auth';

/** A request as a handler sees it, free of the HTTP framework: who asks, and the parsed JSON body. */
export interface RouteRequest {
  /** The access token's user and tenant (every chat route requires one). */
  principal: AccessPrincipal;
  body: unknown;
}

/** What a handler answers: a status and a JSON body. Errors are thrown (HttpError), not returned. */
export interface RouteResponse {
  status: number;
  body: unknown;
}

/** One route: app.ts registers it behind the access-token hook. */
export interface Route {
  method: 'GET' | 'POST';
  url: string;
  handle(request: RouteRequest): Promise<RouteResponse>;
}

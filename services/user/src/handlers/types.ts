import type { ClientInfo } from '../auth/types.ts';

export type { AuthDeps as HandlerDeps } from '../auth/types.ts';

/** A request as a handler sees it, free of the HTTP framework. */
export interface RouteRequest {
  /** The parsed JSON body (undefined when there is none). */
  body: unknown;
  /** The Authorization header, if any. */
  authorization: string | undefined;
  client: ClientInfo;
}

/** What a handler answers: a status and a JSON body. Errors are thrown, not returned. */
export interface RouteResponse {
  status: number;
  body: unknown;
}

/** One route of `/api/v1/auth`; app.ts registers it. */
export interface Route {
  method: 'GET' | 'POST';
  /** Relative to `/api/v1/auth`. */
  url: string;
  /** Login attempts are rate-limited per client address and per email (http/login-rate-limit.ts). */
  loginRateLimited?: boolean;
  handle(request: RouteRequest): Promise<RouteResponse>;
}

import type { ClientInfo } from '../auth/types.ts';
import type { RateLimitedOperation } from '../http/rate-limits.ts';

export type { AuthDeps as HandlerDeps } from '../auth/types.ts';

/** A request as a handler sees it, free of the HTTP framework. */
export interface RouteRequest {
  /** The parsed JSON body (undefined when there is none). */
  body: unknown;
  /** The Authorization header, if any. */
  authorization: string | undefined;
  /** The X-Internal-Key header, if any (`/api/v1/users/*`). */
  internalKey: string | undefined;
  params: Record<string, string>;
  query: Record<string, unknown>;
  client: ClientInfo;
  /** Over a silent rate limit (the reset request answers as usual but does nothing). */
  throttled: boolean;
}

/** What a handler answers: a status and a JSON body. Errors are thrown, not returned. */
export interface RouteResponse {
  status: number;
  body: unknown;
}

/** One route; app.ts registers it under its prefix. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the prefix (`/api/v1/auth` or `/api/v1/users`). */
  url: string;
  /** The operation whose rate limits apply (http/rate-limits.ts). */
  rateLimited?: RateLimitedOperation;
  handle(request: RouteRequest): Promise<RouteResponse>;
}

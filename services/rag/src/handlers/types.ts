import type { Embedder } from '@mobius/embedder';
import type { DocumentStore, PublishingStore } from '../repository/types.ts';

/** A request as a handler sees it, free of the HTTP framework: path and query parameters and the parsed JSON body. */
export interface RouteRequest {
  params: Record<string, string | undefined>;
  /** The query string's parameters (the last value of a repeated one). */
  query: Record<string, string | undefined>;
  body: unknown;
}

/** What a handler answers: a status and a JSON body. Errors are thrown (HttpError), not returned. */
export interface RouteResponse {
  status: number;
  body: unknown;
}

/** What the route handlers need. */
export interface HandlerDeps {
  documents: DocumentStore;
  publishing: PublishingStore;
  embedder: Embedder;
}

/** One route: app.ts registers it on the HTTP server. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  handle(request: RouteRequest): Promise<RouteResponse>;
}

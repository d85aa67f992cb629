import { parseSearchRequest } from '../search/request.ts';
import { searchPublished, type SearchDeps } from '../search/search.ts';
import type { Route } from './types.ts';

/**
 * `POST /v1/search` `{query | vector, k, filters}` -> 200 `{results: [...]}` in rank order
 * (docs/api/chat.md). Behind the access-token hook; 400 INVALID_BODY naming the field.
 */
export function searchRoute(deps: SearchDeps): Route {
  return {
    method: 'POST',
    url: '/v1/search',
    async handle(request) {
      const search = parseSearchRequest(request.body, deps.embedder.dimensions);
      const results = await searchPublished(deps, search);
      return { status: 200, body: { results } };
    },
  };
}

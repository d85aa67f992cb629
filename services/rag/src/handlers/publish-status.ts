import { parseDocumentId } from '../documents/input.ts';
import { publishStatus } from '../publishing/status.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `GET /documents/{id}/publish-status` -> `{published: false}` or the latest publish's details. */
export function publishStatusRoute(deps: HandlerDeps): Route {
  return {
    method: 'GET',
    url: '/documents/:id/publish-status',
    async handle(request) {
      const status = await publishStatus(deps.publishing, parseDocumentId(request.params.id));
      return { status: 200, body: status };
    },
  };
}

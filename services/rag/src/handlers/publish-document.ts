import { parseBody, parseDocumentId, publishBodySchema } from '../documents/input.ts';
import { publishDocument } from '../publishing/publish.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `POST /documents/{id}/publish` `{published_by?}` -> 200 with the publish response. */
export function publishDocumentRoute(deps: HandlerDeps): Route {
  return {
    method: 'POST',
    url: '/documents/:id/publish',
    async handle(request) {
      const documentId = parseDocumentId(request.params.id);
      const { publishedBy } = parseBody(publishBodySchema, request.body);
      const result = await publishDocument({ publishing: deps.publishing, dimensions: deps.embedder.dimensions }, documentId, publishedBy);
      return { status: 200, body: result };
    },
  };
}

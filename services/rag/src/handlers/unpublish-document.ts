import { parseDocumentId } from '../documents/input.ts';
import { unpublishDocument } from '../publishing/unpublish.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `POST /documents/{id}/unpublish` -> 200 `{status, document_id, rows_deleted, document_version}`. */
export function unpublishDocumentRoute(deps: HandlerDeps): Route {
  return {
    method: 'POST',
    url: '/documents/:id/unpublish',
    async handle(request) {
      const result = await unpublishDocument(deps.publishing, parseDocumentId(request.params.id));
      return { status: 200, body: result };
    },
  };
}

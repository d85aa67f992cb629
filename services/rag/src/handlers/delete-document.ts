import { parseDocumentId } from '../documents/input.ts';
import { deleteDocument } from '../publishing/delete.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `DELETE /documents/{id}` -> 200 `{status, document_id, rows_deleted, document_version}`. */
export function deleteDocumentRoute(deps: HandlerDeps): Route {
  return {
    method: 'DELETE',
    url: '/documents/:id',
    async handle(request) {
      const result = await deleteDocument(deps.publishing, parseDocumentId(request.params.id));
      return { status: 200, body: result };
    },
  };
}

import { parseDocumentId } from '../documents/input.ts';
import { replaceDocument } from '../documents/replace.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `PUT /documents/{id}` -> 200 `{document_id}`. */
export function replaceDocumentRoute(deps: HandlerDeps): Route {
  return {
    method: 'PUT',
    url: '/documents/:id',
    async handle(request) {
      const documentId = parseDocumentId(request.params.id);
      await replaceDocument(deps, documentId, request.body);
      return { status: 200, body: { document_id: documentId } };
    },
  };
}

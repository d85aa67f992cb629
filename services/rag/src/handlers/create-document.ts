import { createDocument } from '../documents/create.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `POST /documents` -> 201 `{document_id}`. */
export function createDocumentRoute(deps: HandlerDeps): Route {
  return {
    method: 'POST',
    url: '/documents',
    async handle(request) {
      const documentId = await createDocument(deps, request.body);
      return { status: 201, body: { document_id: documentId } };
    },
  };
}

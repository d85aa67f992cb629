import { createDocumentRoute } from './create-document.ts';
import { deleteDocumentRoute } from './delete-document.ts';
import { listDocumentsRoute } from './list-documents.ts';
import { publishDocumentRoute } from './publish-document.ts';
import { publishStatusRoute } from './publish-status.ts';
import { replaceDocumentRoute } from './replace-document.ts';
import type { HandlerDeps, Route } from './types.ts';
import { unpublishDocumentRoute } from './unpublish-document.ts';

export type { HandlerDeps, Route, RouteRequest, RouteResponse } from './types.ts';

/** Every route of the rag API (docs/api/rag.md). */
export function ragRoutes(deps: HandlerDeps): Route[] {
  return [
    listDocumentsRoute(deps),
    createDocumentRoute(deps),
    replaceDocumentRoute(deps),
    publishDocumentRoute(deps),
    unpublishDocumentRoute(deps),
    deleteDocumentRoute(deps),
    publishStatusRoute(deps),
  ];
}

import { documentNotFound } from '../errors.ts';
import type { PublishingStore } from '../repository/types.ts';
import { writeUnpublishedEvent, type UnpublishResult } from './unpublish.ts';

/**
 * `DELETE /documents/{id}`: in one transaction under the document's version lock, deletes its
 * published rows and the document (its pages, chunks and embeddings by cascade) and writes an
 * `unpublished` event, so downstream removes it too. Unlike the existing app it keeps the document's
 * publish_events history, and the version counter survives, so a later document with the same id
 * never reuses a version. 404 for an unknown document.
 */
export function deleteDocument(publishing: PublishingStore, documentId: string): Promise<UnpublishResult> {
  return publishing.withDocumentVersionLock(documentId, async (tx) => {
    if (!(await tx.lockDocument())) throw documentNotFound(documentId);
    const rowsDeleted = await tx.deletePublishedRows();
    await tx.deleteDocument();
    const version = await writeUnpublishedEvent(tx, null);
    return { status: 'ok', document_id: documentId, rows_deleted: rowsDeleted, document_version: version };
  });
}

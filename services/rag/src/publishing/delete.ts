import { documentNotFound } from '../errors.ts';
import type { PublishingStore } from '../repository/types.ts';
import { insertUnpublishedEvent, type UnpublishResult } from './unpublish.ts';

/**
 * `DELETE /documents/{id}`: in one transaction under the document's version lock, deletes its
 * published rows and the document (its pages, chunks and embeddings by cascade) and writes an
 * `unpublished` event, so downstream removes it too. 404 for an unknown document.
 *
 * The order matters on a database the existing RAG app created (docs/adoption.md): there, deleting the
 * document also deletes its `published` events (the app's cascade, kept by rag migration 004), while
 * `unpublished` events survive as tombstones. So the version is allocated first, while the document's
 * whole history still counts, and the tombstone is written after the delete. The version counter
 * survives too, so a later document with the same id never reuses a version.
 */
export function deleteDocument(publishing: PublishingStore, documentId: string): Promise<UnpublishResult> {
  return publishing.withDocumentVersionLock(documentId, async (tx) => {
    if (!(await tx.lockDocument())) throw documentNotFound(documentId);
    const version = await tx.allocateVersion();
    const rowsDeleted = await tx.deletePublishedRows();
    await tx.deleteDocument();
    await insertUnpublishedEvent(tx, version, null);
    return { status: 'ok', document_id: documentId, rows_deleted: rowsDeleted, document_version: version };
  });
}

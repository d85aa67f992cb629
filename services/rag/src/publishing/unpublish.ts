import { randomUUID } from 'node:crypto';
import { documentNotFound } from '../errors.ts';
import type { DocumentVersionTx, PublishingStore } from '../repository/types.ts';

/** What unpublish and delete answer. */
export interface UnpublishResult {
  status: 'ok';
  document_id: string;
  /** Published rows removed. */
  rows_deleted: number;
  document_version: number;
}

/** Writes the `unpublished` event with the next version and notifies the relay; returns the version. */
export async function writeUnpublishedEvent(tx: DocumentVersionTx, publishedBy: string | null): Promise<number> {
  const version = await tx.allocateVersion();
  await insertUnpublishedEvent(tx, version, publishedBy);
  return version;
}

/** Writes the `unpublished` event of an already allocated `version` and notifies the relay. */
export async function insertUnpublishedEvent(tx: DocumentVersionTx, version: number, publishedBy: string | null) {
  await tx.insertEvent({
    id: randomUUID(),
    eventType: 'unpublished',
    documentVersion: version,
    publishedAt: await tx.now(),
    publishedBy,
    rowsWritten: 0,
    verificationPassed: null,
    verificationMessage: null,
  });
}

/**
 * `POST /documents/{id}/unpublish`: in one transaction under the document's version lock, deletes
 * its published rows and writes an `unpublished` event with the next version. The document itself
 * stays and can be published again. 404 for an unknown document.
 */
export function unpublishDocument(publishing: PublishingStore, documentId: string): Promise<UnpublishResult> {
  return publishing.withDocumentVersionLock(documentId, async (tx) => {
    if (!(await tx.lockDocument())) throw documentNotFound(documentId);
    const rowsDeleted = await tx.deletePublishedRows();
    const version = await writeUnpublishedEvent(tx, null);
    return { status: 'ok', document_id: documentId, rows_deleted: rowsDeleted, document_version: version };
  });
}

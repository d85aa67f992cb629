import { randomUUID } from 'node:crypto';
import { contentSha } from '@mobius/contracts';
import { EMBEDDING_PROBLEMS_REPORTED, documentNotFound, invalidEmbeddings } from '../errors.ts';
import type { PublishingStore } from '../repository/types.ts';

export interface PublishDeps {
  publishing: PublishingStore;
  /** The configured embedding length (`EMBEDDING_DIMENSIONS`): every published embedding must have it. */
  dimensions: number;
}

/** The publish response of docs/contracts.md, "The RAG database", plus our `document_version`. */
export interface PublishResult {
  status: 'ok';
  document_id: string;
  rows_written: number;
  verification_passed: true;
  verification_message: '';
  document_version: number;
}

/**
 * Publishes a document (docs/contracts.md, "The RAG database", docs/architecture.md, "Why it stays correct" 1): in one transaction,
 * under the document's version lock (so concurrent publishes of one document get versions n and n+1
 * and the later one's rows win), checks every stored embedding, replaces the document's published
 * rows, and writes one `published` event with the next version, notifying the outbox relay.
 * 404 for an unknown document; 422, with nothing written, when an embedding is unusable.
 */
export function publishDocument(deps: PublishDeps, documentId: string, publishedBy: string | null): Promise<PublishResult> {
  return deps.publishing.withDocumentVersionLock(documentId, async (tx) => {
    if (!(await tx.lockDocument())) throw documentNotFound(documentId);
    const problems = await tx.findEmbeddingProblems(deps.dimensions, EMBEDDING_PROBLEMS_REPORTED);
    if (problems.length > 0) throw invalidEmbeddings(documentId, problems, deps.dimensions);
    const chunks = await tx.listPublishableChunks();
    const shas = new Map(chunks.map((c) => [c.sourceId, contentSha(documentId, c.sourceId, c.text)]));
    const version = await tx.allocateVersion();
    const publishedAt = await tx.now();
    const rowsWritten = await tx.replacePublishedRows(publishedAt, shas);
    await tx.insertEvent({
      id: randomUUID(),
      eventType: 'published',
      documentVersion: version,
      publishedAt,
      publishedBy,
      rowsWritten,
      verificationPassed: true,
      verificationMessage: '',
    });
    return {
      status: 'ok',
      document_id: documentId,
      rows_written: rowsWritten,
      verification_passed: true,
      verification_message: '',
      document_version: version,
    };
  });
}
